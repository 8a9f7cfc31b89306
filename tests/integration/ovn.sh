#!/bin/sh
# OVN binds the ports tapwire makes (issue 17's stretch): a private OVN
# (ovn-northd and its NB and SB databases) in this test's namespace, and
# two "hosts" (overlay-lib.sh's namespaces on one underlay), each with a
# private Open vSwitch on the userspace datapath (no kernel module here)
# and its own ovn-controller, chassis hN, geneve encapsulation on its
# underlay address. A libvirt <interface> with <virtualport
# type='openvswitch'> attached by `tapwire --netns hN attach` onto br-int
# carries external_ids:iface-id; OVN's southbound database then binds that
# logical port to chassis hN, and the northbound one reports it up. A
# detach unbinds it. Only the binding is checked: traffic between the
# hosts would cross OVS's userspace geneve, which needs the underlay
# address on an OVS bridge of its own (not done here).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
if [ -z "${TW_ISOLATED:-}" ] && ! command -v ovn-controller > /dev/null; then
	skip_all "OVN is not installed (Debian ovn-central and ovn-host; tools/deps test installs them)"
fi
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"
trap 'ovs_stop_all; tw_cleanup' EXIT
trap 'exit 1' HUP INT TERM
ovs_have || skip_all "Open vSwitch is missing (tools/deps test installs openvswitch-switch)"

O=$TW_TMP/ovn
mkdir -p "$O"
# ovn_db NAME SCHEMA: a private ovsdb-server for OVN's NAME database.
ovn_db() {
	ovsdb-tool create "$O/$1.db" "/usr/share/ovn/ovn-$1.ovsschema" || return 1
	ovsdb-server "$O/$1.db" --remote="punix:$O/$1.sock" --unixctl="$O/$1.ctl" \
		--pidfile="$O/$1.pid" --log-file="$O/$1.log" --no-chdir > /dev/null 2>&1 &
	echo $! >> "$TW_TMP/ovs.pids"
	i=0
	while [ ! -S "$O/$1.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$O/$1.sock" ]
}
nbctl() { ovn-nbctl --db="unix:$O/nb.sock" --timeout=10 "$@"; }
sbctl() { ovn-sbctl --db="unix:$O/sb.sock" --timeout=10 "$@"; }

check "OVN's northbound database (private ovsdb-server)" ovn_db nb
check "OVN's southbound database" ovn_db sb
nbctl init > /dev/null 2>&1
sbctl init > /dev/null 2>&1
ovn-northd --ovnnb-db="unix:$O/nb.sock" --ovnsb-db="unix:$O/sb.sock" --unixctl="$O/northd.ctl" \
	--pidfile="$O/northd.pid" --log-file="$O/northd.log" --no-chdir > /dev/null 2>&1 &
echo $! >> "$TW_TMP/ovs.pids"

# ovn_host N: host N's Open vSwitch and ovn-controller; returns once
# ovn-controller has made br-int (userspace datapath).
ovn_host() {
	k=$1 # not n: overlay-lib.sh's helpers set n
	ov_host "$k" || return 1
	ovs_start "h$k" "h$k" > "$TW_TMP/ovs-start-h$k.log" 2>&1 || return 1
	vsctl "h$k" set Open_vSwitch . external_ids:system-id="h$k" \
		external_ids:ovn-remote="unix:$O/sb.sock" external_ids:ovn-encap-type=geneve \
		external_ids:ovn-encap-ip="192.0.2.$k" external_ids:ovn-bridge-datapath-type=netdev ||
		return 1
	d=$TW_TMP/ovs-h$k
	# Its control socket goes to OVN_RUNDIR (it takes no --unixctl).
	OVS_RUNDIR=$d OVN_RUNDIR=$d nsenter --net="/run/netns/h$k" ovn-controller "unix:$d/db.sock" \
		--pidfile="$d/ovn-controller.pid" --log-file="$d/ovn-controller.log" --no-chdir \
		> /dev/null 2> "$d/ovn-controller.err" &
	echo $! >> "$TW_TMP/ovs.pids"
	i=0
	until vsctl "h$k" br-exists br-int 2> /dev/null || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
	vsctl "h$k" br-exists br-int
}

# The logical port N's binding: the chassis it is bound to ("" unbound).
bound_to() {
	ch=$(sbctl --bare --columns=chassis find Port_Binding logical_port="vm$1" 2> /dev/null)
	[ -z "$ch" ] || sbctl --bare --columns=name list Chassis "$ch" 2> /dev/null
}
# wait_for WANT CMD...: CMD's output becomes WANT within 20 s.
wait_for() {
	want=$1; shift
	i=0
	while [ "$("$@")" != "$want" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	"$@"
}

nbctl ls-add ls0
for k in 1 2; do
	if ovn_host "$k"; then
		ok "host $k: Open vSwitch (netdev) and ovn-controller, which makes br-int"
	else
		not_ok "host $k: Open vSwitch (netdev) and ovn-controller, which makes br-int"
		diag "$(tail -n 5 "$TW_TMP/ovs-start-h$k.log" "$TW_TMP/ovs-h$k/ovn-controller.err" "$TW_TMP/ovs-h$k/ovn-controller.log" 2>&1)"
	fi
	nbctl lsp-add ls0 "vm$k" -- lsp-set-addresses "vm$k" "52:54:00:0a:0b:0$k 10.77.0.$k"
	cat > "$TW_TMP/vm$k.xml" <<EOF
<interface type='bridge'>
  <mac address='52:54:00:0a:0b:0$k'/>
  <source bridge='br-int'/>
  <virtualport type='openvswitch'>
    <parameters interfaceid='vm$k'/>
  </virtualport>
  <model type='virtio'/>
</interface>
EOF
done
is "$(wait_for "h1 h2" sh -c "ovn-sbctl --db=unix:$O/sb.sock --bare --columns=name list Chassis | grep . | sort | tr '\n' ' ' | sed 's/ \$//'")" \
	"h1 h2" "both hosts are chassis in the southbound database"

for k in 1 2; do
	OVS_RUNDIR=$TW_TMP/ovs-h$k tw_on "$k" attach "$TW_TMP/vm$k.xml"
	is "$rc" 0 "host $k: tapwire attach of vm$k's interface onto br-int"; [ "$rc" = 0 ] || diag "$err"
	tap=tw000a0b0$k
	is "$(vsctl "h$k" get Interface "$tap" external_ids:iface-id 2> /dev/null)" "vm$k" \
		"host $k: its tap $tap carries external_ids:iface-id=vm$k"
	is "$(wait_for "h$k" bound_to "$k")" "h$k" "OVN binds logical port vm$k to chassis h$k (southbound Port_Binding)"
	is "$(wait_for up nbctl lsp-get-up "vm$k")" up "the northbound database reports vm$k up"
done

OVS_RUNDIR=$TW_TMP/ovs-h1 tw_on 1 detach "$TW_TMP/vm1.xml"
is "$rc" 0 "host 1: tapwire detach"
is "$(wait_for "" bound_to 1)" "" "vm1 is unbound once its tap is gone"
is "$(bound_to 2)" "h2" "vm2 stays bound to h2"
OVS_RUNDIR=$TW_TMP/ovs-h2 tw_on 2 detach "$TW_TMP/vm2.xml"
is "$rc" 0 "host 2: tapwire detach"
done_testing
