# Shared by the overlay suites (overlay-*.sh), sourced after tests/lib.sh,
# engine-lib.sh and tw_isolate. Several "hosts" on one machine:
#
#   guest gN (netns, eth0 10.42.0.N/24)
#     | veth
#   host hN (netns): br0 -- vx42 (VXLAN 42) -- eth1 192.0.2.N/24, 2001:db8::N/64
#                                                | veth
#   this test's own namespace: bridge `underlay` (the wire between the hosts)
#
# The underlay exists only inside this test's namespaces. tapwire runs "on"
# host N as `tapwire --netns hN`, with a state directory of its own, as it
# would on a real host; each host's topology is one file, owner overlay-hN.

OV_VNI=42

# ov_host N [MTU]: host N, its underlay veth plugged into `underlay`.
ov_host() {
	n=$1 mtu=${2:-1500}
	[ -e /sys/class/net/underlay ] || { ip link add underlay type bridge && ip link set underlay up; }
	ip netns add "h$n" &&
		ip link add "u$n" mtu "$mtu" type veth peer name eth1 netns "h$n" mtu "$mtu" &&
		ip link set "u$n" master underlay up &&
		ip -n "h$n" link set lo up &&
		ip -n "h$n" link set eth1 up &&
		ip -n "h$n" addr add "192.0.2.$n/24" dev eth1 &&
		ip -n "h$n" addr add "2001:db8::$n/64" dev eth1 nodad
}

# ov_hosts N [MTU]: hosts 1..N.
ov_hosts() {
	i=1
	while [ "$i" -le "$1" ]; do ov_host "$i" "${2:-1500}" || return 1; i=$((i + 1)); done
}

# tw_on N ARGS...: `run` (engine-lib) as tapwire on host N.
tw_on() {
	n=$1; shift
	TAPWIRE_RUNDIR=$TW_TMP/run-h$n run --netns "h$n" "$@"
}

# ov_xml N HOSTS MODE [EXTRA-VXLAN-ATTRS]: host N's topology in $TW_TMP/hN.xml.
# MODE: unicast (remote= the other of two hosts), heads (a <tw:remote> per
# other host: head-end replication), group (multicast 239.1.1.42 on eth1),
# unicast6 (IPv6 underlay, no dev=: the route says which device).
ov_xml() {
	n=$1 hosts=$2 mode=$3 extra=${4:-}
	f=$TW_TMP/h$n.xml
	{
		echo "<tw:net xmlns:tw=\"urn:tapwire:1\" name=\"overlay-h$n\">"
		echo "  <tw:namespace name=\"g$n\"/>"
		echo "  <tw:bridge name=\"br0\"/>"
		case $mode in
		unicast)
			echo "  <tw:vxlan name=\"vx$OV_VNI\" id=\"$OV_VNI\" local=\"192.0.2.$n\" remote=\"192.0.2.$((3 - n))\" dev=\"eth1\" bridge=\"br0\"$extra/>" ;;
		unicast6)
			echo "  <tw:vxlan name=\"vx$OV_VNI\" id=\"$OV_VNI\" local=\"2001:db8::$n\" remote=\"2001:db8::$((3 - n))\" bridge=\"br0\"$extra/>" ;;
		group)
			echo "  <tw:vxlan name=\"vx$OV_VNI\" id=\"$OV_VNI\" local=\"192.0.2.$n\" group=\"239.1.1.42\" dev=\"eth1\" bridge=\"br0\"$extra/>" ;;
		heads)
			echo "  <tw:vxlan name=\"vx$OV_VNI\" id=\"$OV_VNI\" local=\"192.0.2.$n\" dev=\"eth1\" bridge=\"br0\"$extra>"
			k=1
			while [ "$k" -le "$hosts" ]; do
				[ "$k" = "$n" ] || echo "    <tw:remote address=\"192.0.2.$k\"/>"
				k=$((k + 1))
			done
			echo "  </tw:vxlan>" ;;
		esac
		echo "  <tw:veth>"
		echo "    <tw:end namespace=\"g$n\" name=\"eth0\" address=\"10.42.0.$n/24\"/>"
		echo "    <tw:end name=\"g$n-br\" bridge=\"br0\"/>"
		echo "  </tw:veth>"
		echo "</tw:net>"
	} > "$f"
	echo "$f"
}

# ov_up N: `tapwire up` on host N of its own file; reports one test.
ov_up() {
	tw_on "$1" up "$TW_TMP/h$1.xml"
	if [ "$rc" = 0 ]; then ok "host $1: tapwire --netns h$1 up h$1.xml"; else
		not_ok "host $1: tapwire --netns h$1 up h$1.xml (exit $rc)"; diag "$err"; fi
}
ov_down() {
	tw_on "$1" down "$TW_TMP/h$1.xml"
	if [ "$rc" = 0 ]; then ok "host $1: tapwire --netns h$1 down h$1.xml"; else
		not_ok "host $1: tapwire --netns h$1 down h$1.xml (exit $rc)"; diag "$err"; fi
}

# ov_pings FROM TO: guest FROM gets an answer from guest TO's address.
ov_pings() { pings "g$1" "10.42.0.$2"; }

# The all-zero (head-end) FDB entries of vx42 on host N: their dst, sorted.
ov_heads() {
	bridge -n "h$1" fdb show dev "vx$OV_VNI" 2>/dev/null |
		awk '$1 == "00:00:00:00:00:00" { for (i = 2; i < NF; i++) if ($i == "dst") print $(i + 1) }' |
		sort | tr '\n' ' ' | sed 's/ $//'
}
# A device's attribute on host N (or in guest namespace gN).
h_attr() { ip netns exec "h$1" cat "/sys/class/net/$2/$3" 2>/dev/null; }
g_attr() { ip netns exec "g$1" cat "/sys/class/net/$2/$3" 2>/dev/null; }
# What host N holds besides lo and its underlay.
h_devs() { ip -n "h$1" -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -vx 'lo\|eth1' | sort | tr '\n' ' ' | sed 's/ $//'; }

# ---- Open vSwitch, private: no kernel module here, so the userspace
# datapath (datapath="netdev"). Each instance has its own database, sockets,
# pid files and logs under $TW_TMP/ovs-NAME, and runs in network namespace
# NETNS (default: the test's own). ovs-vsctl and tapwire reach it through
# OVS_RUNDIR=$TW_TMP/ovs-NAME (ovs-vsctl's default database is
# unix:$OVS_RUNDIR/db.sock). ovs_stop_all ends every daemon started.

ovs_have() {
	command -v ovsdb-server > /dev/null && command -v ovs-vswitchd > /dev/null &&
		command -v ovs-vsctl > /dev/null && command -v ovsdb-tool > /dev/null &&
		[ -r /usr/share/openvswitch/vswitch.ovsschema ]
}

# ovs_start NAME [NETNS]
ovs_start() {
	d=$TW_TMP/ovs-$1
	set -- "$1" "${2:-}"
	enter=""
	[ -z "$2" ] || enter="nsenter --net=/run/netns/$2"
	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	# shellcheck disable=SC2086 # $enter: a command prefix, or nothing
	OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d OVS_SYSCONFDIR=$d $enter ovsdb-server "$d/conf.db" \
		--remote="punix:$d/db.sock" --unixctl="$d/ovsdb-server.ctl" \
		--pidfile="$d/ovsdb-server.pid" --log-file="$d/ovsdb-server.log" --no-chdir \
		> /dev/null 2>&1 &
	echo $! >> "$TW_TMP/ovs.pids"
	i=0
	while [ ! -S "$d/db.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	ovs-vsctl --db="unix:$d/db.sock" --timeout=10 --no-wait init || return 1
	# shellcheck disable=SC2086
	OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d OVS_SYSCONFDIR=$d $enter ovs-vswitchd "unix:$d/db.sock" \
		--unixctl="$d/ovs-vswitchd.ctl" --pidfile="$d/ovs-vswitchd.pid" \
		--log-file="$d/ovs-vswitchd.log" --no-chdir > /dev/null 2>&1 &
	echo $! >> "$TW_TMP/ovs.pids"
	# Without --no-wait, ovs-vsctl returns once ovs-vswitchd has applied
	# the change: it is up.
	ovs-vsctl --db="unix:$d/db.sock" --timeout=10 set Open_vSwitch . external_ids:tapwire-test=1
}

ovs_stop_all() {
	[ -f "$TW_TMP/ovs.pids" ] || return 0
	for pid in $(cat "$TW_TMP/ovs.pids"); do kill "$pid" 2> /dev/null; done
	for pid in $(cat "$TW_TMP/ovs.pids"); do
		i=0
		while kill -0 "$pid" 2> /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
	done
	rm -f "$TW_TMP/ovs.pids"
}

# vsctl NAME ARGS...: ovs-vsctl on instance NAME.
vsctl() {
	n=$1; shift
	ovs-vsctl --db="unix:$TW_TMP/ovs-$n/db.sock" --timeout=10 "$@"
}
