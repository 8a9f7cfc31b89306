#!/bin/sh
# Open vSwitch bridges and ports, against a real ovsdb-server and
# ovs-vswitchd started privately inside this test's namespaces (own
# database, sockets, pid files and logs under $TW_TMP; the userspace
# datapath, as this kernel has no openvswitch module). OVS's database and
# the kernel have the last word: ovs-vsctl and ip, never tapwire's output
# alone. Also: a VXLAN port on an OVS bridge on one host reaching a Linux
# bridge on another, a libvirt <virtualport type='openvswitch'> attached
# with the external ids OVN expects, and the setuid helper's refusal.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"
[ -n "${TW_ISOLATED:-}" ] || ovs_have ||
	skip_all "Open vSwitch is not installed (tools/deps test installs openvswitch-switch)"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
trap 'ovs_stop_all; tw_cleanup' EXIT
trap 'exit 1' HUP INT TERM

if ! ovs_start local > "$TW_TMP/ovs-start.log" 2>&1; then
	echo "Bail out! cannot start a private Open vSwitch: $(tail -n 1 "$TW_TMP/ovs-start.log")"
	exit 1
fi
export OVS_RUNDIR="$TW_TMP/ovs-local"
ports() { vsctl local list-ports "$1" 2> /dev/null | tr '\n' ' ' | sed 's/ $//'; }
ext() { vsctl local get Interface "$1" "external_ids:$2" 2> /dev/null | tr -d '"'; }

cat > "$TW_TMP/ovs.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="ovs">
  <tw:namespace name="a"/>
  <tw:namespace name="b"/>
  <tw:bridge name="ovsbr0" type="ovs" datapath="netdev" address="10.7.0.254/24"/>
  <tw:veth>
    <tw:end namespace="a" name="eth0" address="10.7.0.1/24"/>
    <tw:end name="a-br" bridge="ovsbr0"/>
  </tw:veth>
  <tw:veth>
    <tw:end namespace="b" name="eth0" address="10.7.0.2/24"/>
    <tw:end name="b-br" bridge="ovsbr0"/>
  </tw:veth>
</tw:net>
XML

# ---- a bridge and two namespaces on it
base=$(kstate)
run check "$TW_TMP/ovs.xml"
is "$rc" 0 "check exits 0"
like "$out" "^\\+ ovs-bridge ovsbr0 datapath netdev\$" "the plan makes an OVS bridge with the netdev datapath"
like "$out" "^\\+ ovs-port a-br on ovsbr0\$" "and adds the veth's end as an OVS port, not as a kernel bridge port"
is "$(vsctl local list-br)" "" "check changed nothing in OVS"

run up "$TW_TMP/ovs.xml"
is "$rc" 0 "up exits 0"; [ "$rc" = 0 ] || diag "$err"
is "$(vsctl local list-br)" ovsbr0 "OVS has bridge ovsbr0"
is "$(vsctl local get Bridge ovsbr0 datapath_type)" netdev "with datapath_type netdev"
is "$(ports ovsbr0)" "a-br b-br" "its ports are a-br and b-br"
check "ovsbr0's device is up" dev_is_up ovsbr0
is "$(ns_addrs . ovsbr0)" "10.7.0.254/24" "ovsbr0 has its address"
is "$(dev_master a-br)" "" "a-br has no kernel master"
check "namespace a pings b through OVS" pings a 10.7.0.2
check "namespace b pings the bridge's address" pings b 10.7.0.254
is "$(ext a-br iface-id)" "" "a plain veth end carries no iface-id"

run up "$TW_TMP/ovs.xml"
is "$rc:$out" "0:ovs: nothing to do" "a second up: nothing to do"

# ---- its settings converge to the file: MTU and STP changed with ovs-vsctl;
# the datapath cannot change on a live bridge: refused, nothing changed.
# (The same file edited: another file would be another source for owner ovs.)
cp "$TW_TMP/ovs.xml" "$TW_TMP/ovs-orig.xml"
edit() { sed "$1" "$TW_TMP/ovs-orig.xml" > "$TW_TMP/ovs.xml"; }
edit 's|datapath="netdev" address|datapath="netdev" mtu="1400" stp="on" address|'
run check "$TW_TMP/ovs.xml"
like "$out" "^~ set ovs-bridge ovsbr0 mtu 1500 -> 1400\$" "check: the plan changes ovsbr0's MTU"
like "$out" "^~ set ovs-bridge ovsbr0 stp 0 -> 1\$" "check: ... and its STP"
is "$(vsctl local get Bridge ovsbr0 stp_enable)" false "... and changes nothing"
run up "$TW_TMP/ovs.xml"
is "$rc" 0 "up with mtu=1400 stp=on: exit 0"; [ "$rc" = 0 ] || diag "$err"
diag "$out"
is "$(vsctl local get Interface ovsbr0 mtu_request):$(dev_mtu ovsbr0)" "1400:1400" \
	"OVS has mtu_request 1400, the kernel MTU 1400"
is "$(vsctl local get Bridge ovsbr0 stp_enable)" true "OVS has stp_enable true"
run up "$TW_TMP/ovs.xml"
is "$rc:$out" "0:ovs: nothing to do" "a second up: nothing to do"
edit ''
run up "$TW_TMP/ovs.xml"
is "$rc:$(vsctl local get Interface ovsbr0 mtu_request):$(vsctl local get Bridge ovsbr0 stp_enable)" \
	"0:1400:true" "the settings taken out of the file: up leaves them as they are"
edit 's|datapath="netdev" address|datapath="netdev" mtu="1500" stp="off" address|'
run up "$TW_TMP/ovs.xml"
is "$rc:$(vsctl local get Interface ovsbr0 mtu_request):$(dev_mtu ovsbr0):$(vsctl local get Bridge ovsbr0 stp_enable)" \
	"0:1500:1500:false" "mtu=1500 stp=off: back as they were (OVS and the kernel)"
edit 's|datapath="netdev"|datapath="system"|'
before=$(kstate):$(vsctl local show)
run up "$TW_TMP/ovs.xml"
is "$rc" 1 "up with datapath=system on a live netdev bridge: exit 1"
is "$(printf '%s\n' "$err" | wc -l)" 1 "... one line"
like "$err" "ovs-bridge ovsbr0: its datapath is netdev, the file says system: .*cannot change it on a live bridge" \
	"... naming the bridge and both datapaths ($err)"
is "$(kstate):$(vsctl local show)" "$before" "... nothing changed (kernel, OVS)"
is "$(vsctl local get Bridge ovsbr0 datapath_type)" netdev "... the datapath is still netdev"
edit ''
run up "$TW_TMP/ovs.xml"
is "$rc:$out" "0:ovs: nothing to do" "the first file again: nothing to do"
run status --json
printf '%s\n' "$out" > "$TW_TMP/status.json"
json_check "$TW_TMP/status.json" "status --json lists the OVS bridge and ports as live" \
"netns|a|||true|true|ovs
netns|b|||true|true|ovs
ovs-bridge||ovsbr0||true|true|ovs
veth|a|eth0||true|true|ovs
veth|b|eth0||true|true|ovs
ovs-port||a-br||true|true|ovs
ovs-port||b-br||true|true|ovs
address||ovsbr0|10.7.0.254/24|true|true|ovs
address|a|eth0|10.7.0.1/24|true|true|ovs
address|b|eth0|10.7.0.2/24|true|true|ovs"

# ---- an existing device as a port, and a libvirt interface on OVS
ip link add ext0 type veth peer name ext1
cat > "$TW_TMP/port.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="port">
  <tw:bridge name="ovsbr0" type="ovs" datapath="netdev"/>
  <tw:port dev="ext0" bridge="ovsbr0"/>
</tw:net>
XML
run up "$TW_TMP/port.xml"
is "$rc" 0 "<tw:port> on the OVS bridge: up exits 0"
like "$out" "^= ovs-bridge ovsbr0 .*\\(exists: use it\\)" "the OVS bridge made by another owner is used"
is "$(ports ovsbr0)" "a-br b-br ext0" "ext0 is an OVS port"
check "and is up" dev_is_up ext0

cat > "$TW_TMP/iface.xml" <<'XML'
<interface type='bridge'>
  <mac address='52:54:00:0a:0b:0c'/>
  <source bridge='ovsbr0'/>
  <virtualport type='openvswitch'>
    <parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>
  </virtualport>
  <model type='virtio'/>
</interface>
XML
TAP=tw000a0b0c
run attach "$TW_TMP/iface.xml"
is "$rc" 0 "attach of a <virtualport type='openvswitch'> interface exits 0"; [ "$rc" = 0 ] || diag "$err"
like "$out" "\\+ ovs-port $TAP on ovsbr0 iface-id 09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f attached-mac 52:54:00:0a:0b:0c" \
	"it plans the OVS port with its external ids"
is "$(ports ovsbr0)" "a-br b-br ext0 $TAP" "the tap is an OVS port"
is "$(ext "$TAP" iface-id)" "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f" "external_ids:iface-id is the interfaceid"
is "$(ext "$TAP" attached-mac)" "52:54:00:0a:0b:0c" "external_ids:attached-mac is the guest's MAC"
is "$(ext "$TAP" iface-status)" "active" "external_ids:iface-status is active"
is "$(dev_mac "$TAP")" "fe:54:00:0a:0b:0c" "the tap's own MAC starts with fe:"
is "$(dev_mtu "$TAP")" "$(dev_mtu ovsbr0)" "the tap's MTU is the OVS bridge's"
run detach "$TW_TMP/iface.xml"
is "$rc" 0 "detach exits 0"
check "the tap is gone" sh -c "! test -e /sys/class/net/$TAP"
is "$(ports ovsbr0)" "a-br b-br ext0" "and so is its OVS port"

run down "$TW_TMP/port.xml"
is "$rc" 0 "down of the <tw:port> owner"
is "$(ports ovsbr0)" "a-br b-br" "ext0 is no OVS port any more"
check "ext0 itself is kept" test -e /sys/class/net/ext0
check "and is down again, as it was" dev_is_down ext0
is "$(vsctl local list-br)" ovsbr0 "the bridge stays for its other owner"

# ---- refusals
cat > "$TW_TMP/nsovs.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="nsovs">
  <tw:namespace name="x"/>
  <tw:bridge name="ovsx" namespace="x" type="ovs"/>
</tw:net>
XML
run up "$TW_TMP/nsovs.xml"
like "$rc:$err" "^2:tapwire: .*nsovs.xml:3: bridge ovsx: an Open vSwitch bridge lives where ovs-vswitchd runs; it takes no namespace=" \
	"an OVS bridge with namespace= is refused (exit 2)"
sed "s/ovsbr0/ovsbr9/" "$TW_TMP/iface.xml" > "$TW_TMP/iface9.xml"
run attach "$TW_TMP/iface9.xml"
like "$rc:$err" "^1:tapwire: .*iface9.xml:1: interface 52:54:00:0a:0b:0c: Open vSwitch bridge ovsbr9 does not exist" \
	"attach to a missing OVS bridge: exit 1, says so"
sed "/virtualport/,/\\/virtualport/d" "$TW_TMP/iface.xml" > "$TW_TMP/iface-plain.xml"
run attach "$TW_TMP/iface-plain.xml"
like "$rc:$err" "^1:tapwire: .*interface 52:54:00:0a:0b:0c: ovsbr0 is an Open vSwitch bridge: give the interface <virtualport type='openvswitch'/>" \
	"an interface without <virtualport> on an OVS bridge: says what is missing"
before=$(kstate; vsctl local show)
vsctl local add-br ovsother -- set Bridge ovsother datapath_type=netdev
vsctl local add-port ovsother a-br-x 2> /dev/null # no such device yet: OVS keeps the port
sed 's/name="ovs"/name="clash"/; s/"a"/"c"/g; s/a-br/a-br-x/; s/"b"/"d"/g; s/b-br/b-br-x/; s/10.7.0/10.8.0/g' \
	"$TW_TMP/ovs.xml" > "$TW_TMP/clash.xml"
base=$(kstate)
run up "$TW_TMP/clash.xml"
like "$rc:$err" "^1:tapwire: .*clash.xml:[0-9]+: ovs-port a-br-x on ovsbr0: it is a port of Open vSwitch bridge ovsother already" \
	"a device already on another OVS bridge is refused"
is "$(kstate)" "$base" "and nothing is made"
vsctl local del-br ovsother

# A failure while applying: the run undoes itself in OVS too.
cat > "$TW_TMP/failing-vsctl" <<EOF2
#!/bin/sh
case " \$* " in *" add-port ovsbr0 d-x "*) echo "ovs-vsctl: simulated failure" >&2; exit 1 ;; esac
exec ovs-vsctl "\$@"
EOF2
chmod +x "$TW_TMP/failing-vsctl"
cat > "$TW_TMP/undo.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="undo">
  <tw:namespace name="c"/>
  <tw:bridge name="ovsbr1" type="ovs" datapath="netdev"/>
  <tw:bridge name="ovsbr0" type="ovs" datapath="netdev"/>
  <tw:veth><tw:end namespace="c" name="eth0"/><tw:end name="c-x" bridge="ovsbr1"/></tw:veth>
  <tw:veth><tw:end namespace="c" name="eth1"/><tw:end name="d-x" bridge="ovsbr0"/></tw:veth>
</tw:net>
XML
base=$(kstate; vsctl local list-br; ports ovsbr0)
nrec=$(records)
TAPWIRE_OVS_VSCTL=$TW_TMP/failing-vsctl run up "$TW_TMP/undo.xml"
like "$rc:$err" "^1:tapwire: .*undo.xml:[0-9]+: ovs-port d-x on ovsbr0: ovs-vsctl: simulated failure" \
	"ovs-vsctl failing midway: exit 1 with its message"
like "$out" "\\+ ovs-bridge ovsbr1" "the run had made an OVS bridge before"
is "$(kstate; vsctl local list-br; ports ovsbr0)" "$base" "and it is undone: OVS and the kernel are as before"
is "$(records)" "$nrec" "and the record is as before"

OVS_RUNDIR=$TW_TMP/nowhere run up "$TW_TMP/clash.xml"
like "$rc:$err" "^1:tapwire: .*clash.xml:4: ovs-bridge ovsbr0 datapath netdev: .*database connection failed" \
	"no ovsdb-server: exit 1 with ovs-vsctl's reason"

# ---- the setuid helper refuses OVS bridges by name
HELPER=$top_builddir/helper/tapwire-bridge-helper
DRIVER=$top_builddir/tests/tw-helper-driver
export TAPWIRE_BRIDGE_CONF=$TW_TMP/bridge.conf
printf 'allow ovsbr0\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
timeout 20 "$DRIVER" --timeout 10 "$HELPER" --br=ovsbr0 --fd=N > "$TW_TMP/h.out" 2> "$TW_TMP/h.err"
hrc=$?
check "the helper refuses the OVS bridge ovsbr0 even when the policy allows it (exit $hrc)" test "$hrc" -ne 0
like "$(cat "$TW_TMP/h.out" "$TW_TMP/h.err")" "'ovsbr0' is an Open vSwitch bridge: this helper only puts taps on Linux bridges" \
	"and says it is an Open vSwitch bridge"
is "$(ports ovsbr0)" "a-br b-br" "no port was added"
is "$(ls /sys/class/net | grep -c '^tw')" 0 "no tap is left"

# ---- down: OVS and the kernel as they were
run down "$TW_TMP/ovs.xml"
is "$rc" 0 "down exits 0"
like "$out" "^- ovs-port a-br\$" "it removes the OVS ports"
like "$out" "^- ovs-bridge ovsbr0\$" "and the OVS bridge"
is "$(vsctl local list-br)" "" "OVS has no bridge left"
is "$(vsctl local --columns=name --bare list Port)" "" "nor any port"
is "$(devs_other_than_lo | grep -v '^ext[01]$' | grep -v '^ovs-netdev$' | tr '\n' ' ')" "" \
	"no device of ours is left (ext0/ext1 are the test's, ovs-netdev the datapath's)"
is "$(ip netns list)" "" "no namespace is left"
is "$("$TW" status)" "nothing on record" "nothing on record"

# ---- VXLAN: an OVS bridge on host 1, a Linux bridge on host 2
ov_hosts 2
ovs_start h1 h1 > "$TW_TMP/ovs-start-h1.log" 2>&1 || not_ok "cannot start OVS in h1: $(tail -n 1 "$TW_TMP/ovs-start-h1.log")"
ov_xml 1 2 unicast > /dev/null
ov_xml 2 2 unicast > /dev/null
sed -i 's/<tw:bridge name="br0"\/>/<tw:bridge name="br0" type="ovs" datapath="netdev"\/>/' "$TW_TMP/h1.xml"
OVS_RUNDIR=$TW_TMP/ovs-h1 tw_on 1 up "$TW_TMP/h1.xml"
is "$rc" 0 "host 1: up with an OVS bridge and a VXLAN port on it"; [ "$rc" = 0 ] || diag "$err"
like "$out" "\\+ ovs-bridge br0 datapath netdev mtu 1450 \\(underlay eth1 mtu 1500 - 50 for VXLAN over IPv4\\)" \
	"the OVS bridge gets the VXLAN MTU too"
ov_up 2
is "$(vsctl h1 list-ports br0 | tr '\n' ' ')" "g1-br vx42 " "host 1: g1-br and vx42 are ports of OVS bridge br0"
is "$(h_attr 1 vx42 mtu):$(g_attr 1 eth0 mtu)" "1450:1450" "host 1: vx42 and guest 1 have MTU 1450"
check "guest 1 (OVS) pings guest 2 (Linux bridge) over VXLAN" ov_pings 1 2
check "and back" ov_pings 2 1
OVS_RUNDIR=$TW_TMP/ovs-h1 tw_on 1 down "$TW_TMP/h1.xml"
is "$rc" 0 "host 1: down"
is "$(vsctl h1 list-br)" "" "host 1: OVS has no bridge left"
ov_down 2
done_testing
