#!/bin/sh
# control="evpn" without FRR (evpn.sh runs it with FRR): what tapwire makes
# and converges, as the kernel reports it (`ip -d -j link`, `bridge -d -j
# link`). The vxlan has learning off, its bridge port learning off and
# neigh_suppress on; check says where the remotes come from; a second up
# changes nothing; flags changed behind tapwire's back come back; a vxlan
# switching between static remotes and EVPN changes in place; a vxlan
# tapwire did not make gets the flags and has its own back at down; one
# with a remote of its own is refused; bad input changes nothing; the
# libvirt hook makes one a domain's metadata declares, and releases it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"
. "$top_srcdir/tests/integration/evpn-lib.sh"

ov_host 1
evpn_xml 1
f=$TW_TMP/h1.xml

tw_on 1 check "$f"
is "$rc" 0 "check exits 0"
like "$out" "\\+ vxlan vx42 id 42 local 192.0.2.1 dstport 4789 dev eth1 master br0 mtu 1450 nolearning, port learning off neigh_suppress on; remotes from BGP EVPN \\(FRR advertise-all-vni\\)" \
	"check's plan says: no learning, neigh_suppress, remotes from BGP EVPN"
is "$(h_devs 1)" "" "check changed nothing"

ov_up 1
is "$(evpn_flags 1)" "false false true" \
	"the kernel: vx42 learning off, its port learning off and neigh_suppress on"
like "$(ip -n h1 -d -o link show dev vx42)" "vxlan id 42 local 192.0.2.1 dev eth1 .*dstport 4789" \
	"vx42: VNI 42, local 192.0.2.1, no remote"
is "$(h_attr 1 vx42 mtu):$(h_attr 1 br0 mtu)" "1450:1450" "vx42 and br0 get the underlay's MTU less 50, as a static vxlan"
is "$(bridge -n h1 fdb show dev vx42 | grep -c '^00:00:00:00:00:00')" 0 "no flood entry: the remotes are BGP's to add"

before=$(kdevs h1)
tw_on 1 up "$f"
is "$rc:$out" "0:evpn-h1: nothing to do" "a second up: nothing to do"
is "$(kdevs h1)" "$before" "and the kernel is as it was"

bridge -n h1 link set dev vx42 learning on neigh_suppress off
tw_on 1 up "$f"
is "$rc" 0 "up after the port's flags were changed by hand"
like "$out" "~ set vx42 port-learning 1 -> 0" "up changes the port's learning back"
like "$out" "~ set vx42 neigh-suppress 0 -> 1" "and its neigh_suppress"
is "$(evpn_flags 1)" "false false true" "the kernel has them as control='evpn' wants"

# Back to static remotes, then to EVPN again: the same device, changed in place.
ifindex=$(h_attr 1 vx42 ifindex)
sed 's| control="evpn">|>|; s| control="evpn"/>|><tw:remote address="192.0.2.2"/></tw:vxlan>|' "$f" > "$TW_TMP/static.xml"
cp "$f" "$TW_TMP/evpn.xml"
cp "$TW_TMP/static.xml" "$f"
tw_on 1 up "$f"
is "$rc" 0 "up with control= removed (a <tw:remote> instead)"
is "$(evpn_flags 1)" "true true false" "vx42 learns again, its port learns and no longer suppresses"
is "$(h_attr 1 vx42 ifindex)" "$ifindex" "the same device (changed in place, not recreated)"
is "$(ov_heads 1)" "192.0.2.2" "the static remote is in the FDB"
cp "$TW_TMP/evpn.xml" "$f"
tw_on 1 up "$f"
is "$rc" 0 "up with control='evpn' again"
is "$(evpn_flags 1)" "false false true" "vx42 and its port are as EVPN wants again"
is "$(ov_heads 1)" "" "the static remote's flood entry is gone"
is "$(h_attr 1 vx42 ifindex)" "$ifindex" "still the same device"
ov_down 1
is "$(h_devs 1)" "" "down removes br0 and vx42"

# A vxlan tapwire did not make: the flags are settings, put back at down.
ip -n h1 link add br0 type bridge
ip -n h1 link add vx42 type vxlan id 42 local 192.0.2.1 dev eth1 dstport 4789
ip -n h1 link set vx42 master br0
ip -n h1 link set br0 up
ip -n h1 link set vx42 up
ov_up 1
is "$(evpn_flags 1)" "false false true" "a vxlan that was there gets the flags"
ov_down 1
is "$(evpn_flags 1)" "true true false" "and down gives it its own back"
check "the vxlan that was there stays" ip -n h1 link show dev vx42

# One with a remote of its own: the kernel cannot drop it in place.
ip -n h1 link del vx42
ip -n h1 link add vx42 type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dev eth1 dstport 4789
before=$(kdevs h1)
tw_on 1 up "$f"
is "$rc" 1 "up refuses a vxlan with a remote of its own (exit 1)"
like "$err" "h1.xml:4: vxlan vx42 .*exists with a remote of its own" "and says where and why"
is "$(kdevs h1)" "$before" "nothing changed"
ip -n h1 link del vx42
ip -n h1 link del br0

# Bad input: one line naming the place, exit 2, nothing made.
sed 's|control="evpn"/>|remote="192.0.2.2" control="evpn"/>|' "$f" > "$TW_TMP/bad.xml"
tw_on 1 up "$TW_TMP/bad.xml"
is "$rc" 2 "control='evpn' with remote=: exit 2"
is "$err" "tapwire: $TW_TMP/bad.xml:4: <tw:vxlan>: control='evpn' takes its remotes from BGP EVPN; remove remote=" \
	"one line naming file:line and the element"
is "$(h_devs 1)" "" "nothing was made"

# An Open vSwitch bridge: FRR serves only a Linux bridge's ports.
if ovs_have && ovs_start local > "$TW_TMP/ovs-start.log" 2>&1; then
	trap 'ovs_stop_all; tw_cleanup' EXIT
	trap 'exit 1' HUP INT TERM
	cat > "$TW_TMP/ovs.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="ovs">
  <tw:bridge name="ovsbr0" type="ovs" datapath="netdev"/>
  <tw:vxlan name="vx43" id="43" local="192.0.2.1" bridge="ovsbr0" control="evpn"/>
</tw:net>
XML
	OVS_RUNDIR=$TW_TMP/ovs-local run up "$TW_TMP/ovs.xml"
	is "$rc" 2 "control='evpn' on an Open vSwitch bridge: exit 2"
	like "$err" "ovs.xml:3: <tw:vxlan> vx43: control='evpn' needs a Linux bridge" "naming file:line and the vxlan"
	is "$(vsctl local list-br)" "" "nothing was made in OVS"
	ovs_stop_all
else
	skip "Open vSwitch is missing (tools/deps test installs openvswitch-switch)"
fi

# Doctor's check is bounded: a vtysh that never answers costs 5 s, not more.
printf '#!/bin/sh\nsleep 60\n' > "$TW_TMP/stuck-vtysh"
chmod +x "$TW_TMP/stuck-vtysh"
t0=$(date +%s)
said=$(TAPWIRE_VTYSH=$TW_TMP/stuck-vtysh "$top_builddir/tests/tw-evpn-served" h1 vx42)
t=$(($(date +%s) - t0))
is "$said" "0 FRR (pathspace h1) did not answer in 5 s" "tw_evpn_served with a vtysh that never answers: says so"
check "and returns within 8 s (took $t s)" test "$t" -le 8

# The libvirt hook, unchanged: a domain's metadata declares the vxlan.
H=$top_builddir/hooks/tapwire-hook
export TAPWIRE_HOOK_CONF="$TW_TMP/tapwire.conf" TAPWIRE_QEMU_CONF="$TW_TMP/qemu.conf"
printf '# nothing managed\n' > "$TAPWIRE_HOOK_CONF"
: > "$TAPWIRE_QEMU_CONF"
chmod 0644 "$TAPWIRE_HOOK_CONF" "$TAPWIRE_QEMU_CONF"
cat > "$TW_TMP/dom.xml" <<'XML'
<domain type='kvm'>
  <name>evpndom</name>
  <uuid>5d1c7a2e-3f4b-4e6a-9c8d-1a2b3c4d5e6f</uuid>
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:bridge name="br0"/>
      <tw:vxlan name="vx42" id="42" local="192.0.2.1" dev="eth1" bridge="br0" control="evpn"/>
    </tw:net>
  </metadata>
  <memory unit='KiB'>131072</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <interface type='bridge'>
      <source bridge='br0'/>
      <mac address='52:54:00:38:06:fa'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
XML
hook() { # hook OP SUBOP: the hook as libvirt runs it, on host 1
	TAPWIRE_RUNDIR=$TW_TMP/run-h1 nsenter --net=/run/netns/h1 "$H" evpndom "$1" "$2" - \
		< "$TW_TMP/dom.xml" > "$TW_TMP/hook.out" 2>&1
	echo "$?:$(cat "$TW_TMP/hook.out")"
}
is "$(hook prepare begin)" "0:" \
	"hook prepare begin, a domain whose metadata declares a control='evpn' vxlan: exit 0, silent"
is "$(evpn_flags 1)" "false false true" \
	"the hook made vx42 as up does: learning off, port learning off, neigh_suppress on"
is "$(ip netns exec h1 sh -c 'basename $(readlink /sys/class/net/vx42/master)' 2>/dev/null)" br0 \
	"vx42 is a port of br0"
is "$(hook release end)" "0:" "hook release end: exit 0, silent"
is "$(h_devs 1)" "" "release removed vx42 and br0"
done_testing
