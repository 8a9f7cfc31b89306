#!/bin/sh
# tapwire attach/detach from a libvirt <interface type='bridge'> (the
# seed's own element), and libvirt domains whose bridge interfaces name
# bridges nobody declared. The kernel has the last word: the tap's master,
# MAC, MTU, flags and owner as ip and sysfs report them, and whether its
# owner (and only its owner) can open it the way QEMU does.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

OPEN=$top_builddir/tests/tw-tap-open
# QEMU opens /dev/net/tun as the guest's user; Debian makes it 0666 (the
# kernel checks the tap's owner at TUNSETIFF). A host or container may
# have it 0600: give this test's mount namespace a 0666 node of its own.
if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
	mknod -m 0666 "$TW_TMP/tun" c 10 200 && mount --bind "$TW_TMP/tun" /dev/net/tun
fi
tw_add_user twvm 4321
tw_add_user twother 4322

IFACE=$TW_TMP/iface.xml
cat > "$IFACE" <<'EOF'
<interface type='bridge'>
  <mac address='52:54:00:38:06:f9'/>
  <source bridge='br0'/>
  <model type='virtio'/>
  <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
</interface>
EOF
TAP=tw003806f9 # "tw" and the last four bytes of the MAC
IFOWNER=iface:52:54:00:38:06:f9

# ---- the bridge must exist and be a bridge; attach never makes one
base=$(kstate)
run attach "$IFACE" --owner twvm
is "$rc" 1 "no br0: attach exits 1"
like "$err" "^tapwire: $IFACE:1: interface 52:54:00:38:06:f9: bridge br0 does not exist" "no br0: says the bridge does not exist"
like "$err" "bridge br0 does not exist \\(create it first, e\\.g\\. declared in a <tw:net> file and \`tapwire up FILE\`, or let the libvirt hook's tapwire\\.conf manage it\\)\$" \
	"no br0: the hint fits an interface file (no <tw:net> to declare it in)"
is "$(kstate)" "$base" "no br0: nothing made"
is "$(records)" 0 "no br0: nothing on record"
mk_foreign br0
base=$(kstate)
run attach "$IFACE" --owner twvm
is "$rc" 1 "br0 not a bridge: attach exits 1"
like "$err" "^tapwire: $IFACE:1: interface 52:54:00:38:06:f9: br0 is not a Linux bridge" "br0 not a bridge: says so"
is "$(kstate)" "$base" "br0 not a bridge: nothing made"
ip link del br0

ip link add br0 type bridge
ip link set br0 mtu 9000
ip link set br0 up
run attach "$IFACE" --owner no-such-user-tw
is "$rc" 2 "--owner of an unknown user: exit 2"
like "$err" "^tapwire: --owner no-such-user-tw: no such user" "--owner of an unknown user: says so"

# ---- dry run, then the real thing
base=$(kstate)
run attach --dry-run "$IFACE" --owner twvm
is "$rc" 0 "attach --dry-run exits 0"
like "$out" "^\\+ tap $TAP owner twvm vnet_hdr mac fe:54:00:38:06:f9 master br0\$" "attach --dry-run prints the tap it would make"
is "$(kstate)" "$base" "attach --dry-run changes nothing"
is "$(records)" 0 "attach --dry-run records nothing"

run attach "$IFACE" --owner twvm
is "$rc" 0 "attach exits 0"
check "the tap $TAP exists" dev_exists "$TAP"
is "$(dev_master "$TAP")" br0 "the tap's master is br0"
is "$(dev_mac "$TAP")" fe:54:00:38:06:f9 "the tap's MAC is the guest's with byte 0 set to fe"
is "$(dev_mtu "$TAP")" 9000 "the tap takes br0's MTU (9000)"
check "the tap is up" dev_is_up "$TAP"
flags=$(dev_tun_flags "$TAP"); flags=${flags:-0}
is "$(( flags & 0x0002 ))/$(( flags & 0x1000 ))" "2/$((0x1000))" "tun_flags: IFF_TAP, IFF_NO_PI ($flags)"
is "$(( flags & 0x4000 ))" "$((0x4000))" "tun_flags: IFF_VNET_HDR for model virtio"
is "$(( flags & 0x0800 ))" "$((0x0800))" "tun_flags: persistent (IFF_PERSIST)"
is "$(sys_attr "$TAP" owner)" 4321 "the tap's owner is twvm's uid 4321"
like "$(ip -d link show "$TAP")" "tun type tap pi off vnet_hdr on persist on user (twvm|4321)" \
	"ip -d link: tun type tap, vnet_hdr on, persist on, user twvm"
check "twvm can open the tap as QEMU does" tw_as_user 4321 "$OPEN" "$TAP" vnet_hdr
tw_as_user 4322 "$OPEN" "$TAP" vnet_hdr 2> "$TW_TMP/open.err"
is "$?:$(cat "$TW_TMP/open.err")" "1:tw-tap-open: $TAP: Operation not permitted" "twother cannot: the kernel refuses TUNSETIFF (EPERM)"
check "the tap is still there after QEMU-like opens and closes" dev_exists "$TAP"
after=$(kstate)

run attach "$IFACE" --owner twvm
is "$rc:$out" "0:$IFOWNER: nothing to do" "attach again: nothing to do"
is "$(kstate)" "$after" "attach again: the kernel is unchanged"
run up "$IFACE" --owner twvm
is "$rc:$out" "0:$IFOWNER: nothing to do" "up of the <interface> is attach: nothing to do"

run status
like "$out" "^owner $IFOWNER\$" "status: the owner is $IFOWNER"
like "$out" "tap $TAP +created +live" "status: the tap, created, live"
run status --json
printf '%s\n' "$out" > "$TW_TMP/status.json"
json_check "$TW_TMP/status.json" "status --json: the tap, created, live, owner $IFOWNER" "tap||$TAP||true|true|$IFOWNER"

run detach --dry-run "$IFACE"
is "$rc" 0 "detach --dry-run exits 0"
like "$out" "^- tap $TAP\$" "detach --dry-run prints the removal"
is "$(kstate)" "$after" "detach --dry-run changes nothing"

run detach "$IFACE"
is "$rc" 0 "detach exits 0"
check "detach: the tap is gone" sh -c "! test -e /sys/class/net/$TAP"
is "$(dev_mtu br0)" 9000 "detach: br0 stays, MTU 9000"
check "detach: br0 stays up" dev_is_up br0
is "$(bridge_ports br0)" "" "detach: br0 has no port left"
is "$(records)" 0 "detach: nothing on record"
run detach "$IFACE"
is "$rc:$out" "0:$IFOWNER: nothing on record" "detach again: nothing on record, exit 0"

# ---- <target dev>, no --owner; and down --owner for what attach made
cat > "$TW_TMP/named.xml" <<'EOF'
<interface type='bridge'>
  <mac address='52:54:00:00:00:07'/>
  <source bridge='br0'/>
  <target dev='vnet7'/>
</interface>
EOF
run attach "$TW_TMP/named.xml"
is "$rc" 0 "<target dev='vnet7'>: attach exits 0"
is "$(dev_master vnet7)" br0 "<target dev='vnet7'>: the tap is named vnet7, on br0"
is "$(sys_attr vnet7 owner)" -1 "<target dev='vnet7'>: no --owner, no tap owner (root only)"
flags=$(dev_tun_flags vnet7); flags=${flags:-0}
is "$(( flags & 0x4000 ))" 0 "<target dev='vnet7'>: no vnet_hdr without model virtio"
run down --owner iface:52:54:00:00:00:07
is "$rc" 0 "down --owner iface:52:54:00:00:00:07 exits 0"
check "down --owner: vnet7 is gone" sh -c '! test -e /sys/class/net/vnet7'

# A tap of that name that is not tapwire's is left alone.
ip tuntap add dev vnet7 mode tap
run attach "$TW_TMP/named.xml"
is "$rc" 0 "someone's persistent vnet7 (same kind): attach uses it"
like "$out" '^= tap vnet7 .*\(exists: use it\)$' "someone's vnet7: the plan uses it"
run detach "$TW_TMP/named.xml"
check "someone's vnet7: detach leaves it" dev_exists vnet7
ip link del vnet7

# Only <interface type='bridge'> can be attached.
cat > "$TW_TMP/network.xml" <<'EOF'
<interface type='network'>
  <mac address='52:54:00:00:00:08'/>
  <source network='default'/>
</interface>
EOF
run attach "$TW_TMP/network.xml"
is "$rc" 2 "<interface type='network'>: exit 2"
like "$err" "^tapwire: $TW_TMP/network.xml: interface 52:54:00:00:00:08: only <interface type='bridge'>" \
	"<interface type='network'>: says only bridge interfaces attach"

# ---- a domain whose bridge interface names a bridge nobody declared
cat > "$TW_TMP/dom.xml" <<'EOF'
<domain type="kvm">
  <name>vm-missing</name>
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:namespace name="dm0"/>
    </tw:net>
  </metadata>
  <devices>
    <interface type="bridge">
      <mac address="52:54:00:00:00:09"/>
      <source bridge="br9"/>
      <model type="virtio"/>
    </interface>
  </devices>
</domain>
EOF
base=$(kstate)
run up "$TW_TMP/dom.xml"
is "$rc" 1 "domain, undeclared br9 missing: up exits 1"
is "$err" "tapwire: $TW_TMP/dom.xml:9: interface 52:54:00:00:00:09: bridge br9 does not exist (declare it in <tw:net> for tapwire to create it)" \
	"domain, undeclared br9 missing: one line with file:line, the interface and the bridge"
is "$(kstate)" "$base" "domain, undeclared br9 missing: nothing made (no namespace dm0)"
is "$(records)" 0 "domain, undeclared br9 missing: nothing on record"
run down "$TW_TMP/dom.xml"
is "$rc:$out" "0:vm-missing: nothing on record" "domain, undeclared br9 missing: down has nothing to release, exit 0"
mk_foreign br9
run up "$TW_TMP/dom.xml"
is "$rc" 1 "domain, br9 not a bridge: up exits 1"
like "$err" "^tapwire: $TW_TMP/dom.xml:9: interface 52:54:00:00:00:09: br9 is not a Linux bridge\$" \
	"domain, br9 not a bridge: says so"
ip link del br9
ip link add br9 type bridge
br9=$(kdevs . | grep ' br9 ')
run up "$TW_TMP/dom.xml"
is "$rc" 0 "domain, br9 made by hand: up exits 0"
check "domain, br9 made by hand: namespace dm0 is made" has_netns dm0
run status
if printf '%s\n' "$out" | grep -q br9; then not_ok "domain: br9 is not tapwire's, not on record"
else ok "domain: br9 is not tapwire's, not on record"; fi
run down "$TW_TMP/dom.xml"
is "$rc" 0 "domain: down exits 0"
is "$(netns_names)" "" "domain: dm0 is gone"
is "$(kdevs . | grep ' br9 ')" "$br9" "domain: br9 is left exactly as it was"
is "$(records)" 0 "domain: nothing on record"

done_testing
