#!/bin/sh
# A guest on a macvtap and a namespace on a macvlan of the same lower device
# ping each other (contract section 6). QEMU runs as an unprivileged user
# that opens /dev/tapN itself (-netdev tap,fd=3): tapwire gave it the node.
# The lower device is one end of a veth whose far end sits in namespace
# wire, so nothing outside this test's namespaces is involved. One boot.
#
#   net0 (mv0 10.0.1.1/24) --macvlan--+
#                                      uplink (veth) -- [wire] uplink-far
#   guest 10.0.1.2 -- /dev/tapN mvt0 --+
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"

tw_add_user twuser 4242
cat > "$TW_TMP/mvt.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="mvtlab">
  <tw:namespace name="wire"/>
  <tw:namespace name="net0"/>
  <tw:veth>
    <tw:end name="uplink"/>
    <tw:end name="uplink-far" namespace="wire"/>
  </tw:veth>
  <tw:macvlan name="mv0" dev="uplink" namespace="net0" address="$E2E_PEER/24"/>
  <tw:macvlan name="mv-host" dev="uplink" address="10.0.1.253/24"/>
  <tw:macvtap name="mvt0" dev="uplink" owner="twuser" mac="$E2E_MAC" queues="2"/>
</tw:net>
EOF
e2e_run "tapwire up mvt.xml" "$TAPWIRE" up "$TW_TMP/mvt.xml"
n=$(sys_attr mvt0 ifindex)
node=/dev/tap$n
like "$(ip -d -o link show mvt0)" "macvtap mode bridge" "mvt0 is a macvtap in bridge mode on uplink"
is "$(dev_mac mvt0)" "$E2E_MAC" "mvt0's MAC is the guest's own ($E2E_MAC, no 0xFE)"
is "$(ls /sys/class/net/mvt0/queues | grep -c '^tx-')" 2 "mvt0 has 2 tx queues"
is "$(stat -c '%F %u' "$node" 2>&1)" "character special file 4242" "$node is a character device owned by twuser"
is "$(cat "/sys/class/net/mvt0/macvtap/tap$n/dev")" "$(stat -c '%Hr:%Lr' "$node")" \
	"$node is mvt0's own node (its major:minor)"
run_up_again=$("$TAPWIRE" up "$TW_TMP/mvt.xml" 2>&1)
is "$run_up_again" "mvtlab: nothing to do" "a second up changes nothing"

# QEMU as twuser opens the node itself: a wrapper in front of QEMU takes
# fd 3 from /dev/tapN, as libvirt passes a macvtap's fd.
cat > "$TW_TMP/qemu-mvt" <<EOF
#!/bin/sh
exec 3<>$node || exit 1
exec "$QEMU" "\$@"
EOF
chmod 0755 "$TW_TMP/qemu-mvt"
QEMU_SYSTEM=$TW_TMP/qemu-mvt e2e_guest_start "$TW_TMP/guest" 4242 -- \
	-netdev tap,id=n0,fd=3 -device "virtio-net-pci,netdev=n0,mac=$E2E_MAC"
if [ -n "$e2e_qemu_pid" ]; then
	is "$(awk '/^Uid:/ { print $2, $3 }' "/proc/$e2e_qemu_pid/status")" "4242 4242" "QEMU runs as twuser"
	like "$(ls -l "/proc/$e2e_qemu_pid/fd/" 2>/dev/null | grep -c " -> $node\$")" '^[1-9]' "QEMU holds $node open"
fi
check "net0 pings the guest over the macvlan/macvtap pair ($E2E_PEER -> $E2E_GUEST)" \
	ip netns exec net0 ping -c 3 -i 0.2 -W 2 "$E2E_GUEST"
check "the host reaches its guest through its own macvlan mv-host (the trap's answer)" \
	ping -c 2 -i 0.2 -W 2 -I mv-host "$E2E_GUEST"
# The classic trap: from the lower device itself the guest is unreachable
# (its frames leave by the wire, macvtap never sees them).
ip addr add 10.0.1.254/32 dev uplink
if ping -c 2 -i 0.2 -W 1 -I uplink "$E2E_GUEST" > /dev/null 2>&1; then
	not_ok "the lower device uplink itself cannot reach the guest (macvtap's trap)"
else
	ok "the lower device uplink itself cannot reach the guest (macvtap's trap)"
fi
ip addr del 10.0.1.254/32 dev uplink

like "$("$TAPWIRE" status | grep 'macvtap mvt0')" "node $node uid 4242 gid [0-9]+ held by pid $e2e_qemu_pid qemu" \
	"status shows mvt0's node, its owner and QEMU holding it"
is "$("$TAPWIRE" status --json | jq -r '.objects[] | select(.kind == "macvtap") | .node' | cut -d' ' -f1-3)" \
	"$node uid 4242" "status --json too"

# down while QEMU holds the node: refused, naming QEMU, nothing changed.
"$TAPWIRE" down "$TW_TMP/mvt.xml" > "$TW_TMP/busy.out" 2> "$TW_TMP/busy.err"
is "$?" 1 "down while QEMU holds $node: exit 1"
like "$(cat "$TW_TMP/busy.err")" "macvtap mvt0 is held by pid $e2e_qemu_pid qemu" "... naming the macvtap and QEMU"
check "... and mvt0 is still there" test -e /sys/class/net/mvt0

# Once QEMU is gone: the device and the node go.
e2e_guest_stop
e2e_run "tapwire down mvt.xml" "$TAPWIRE" down "$TW_TMP/mvt.xml"
check "mvt0 is gone" e2e_gone mvt0
check "$node is gone (the kernel removed it with mvt0)" sh -c "! test -e $node"
is "$(ip netns list)" "" "no namespace is left"
is "$(devs_other_than_lo | tr '\n' ' ')" "" "no device but lo is left"
is "$("$TAPWIRE" status 2>&1)" "nothing on record" "tapwire has nothing on record"
e2e_done
