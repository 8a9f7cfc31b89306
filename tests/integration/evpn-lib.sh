# Shared by the evpn*.sh suites, sourced after overlay-lib.sh: hosts on one
# underlay (overlay-lib.sh's ov_host: namespace hN, eth1 192.0.2.N), each
# with its own FRR (zebra + bgpd) inside hN. Host 1 is the route reflector
# (examples/evpn/frr-rr.conf), every other host runs the same
# examples/evpn/frr-host.conf; the test adds only short timers.
#
# Each FRR has pathspace hN (`-N hN`): its sockets and pid files are in
# /run/frr/hN, and this test's /run is private (tw_isolate), so the host's
# own FRR, if any, is never seen nor touched. evpn_stop_all ends them.

FRR_DIR=/usr/lib/frr

evpn_have() {
	[ -x "$FRR_DIR/zebra" ] && [ -x "$FRR_DIR/bgpd" ] && command -v vtysh > /dev/null
}

# The example file with BGP timers short enough for a test: keepalive 1 s,
# hold 3 s, reconnect after 1 s, updates sent at once.
evpn_conf() { # evpn_conf N: $TW_TMP/frr/hN.conf
	ex=$top_srcdir/examples/evpn/frr-host.conf
	[ "$1" = 1 ] && ex=$top_srcdir/examples/evpn/frr-rr.conf
	mkdir -p "$TW_TMP/frr"
	chown frr:frr "$TW_TMP/frr"
	sed '/^ neighbor fabric remote-as internal$/a\
 neighbor fabric timers 1 3\
 neighbor fabric timers connect 1\
 neighbor fabric advertisement-interval 0' "$ex" > "$TW_TMP/frr/h$1.conf"
	chmod 0644 "$TW_TMP/frr/h$1.conf"
}

# evpn_daemon N DAEMON [ARGS...]: start it inside hN with pathspace hN.
evpn_daemon() {
	n=$1 d=$2; shift 2
	nsenter --net="/run/netns/h$n" "$FRR_DIR/$d" -d -N "h$n" -f "$TW_TMP/frr/h$n.conf" \
		-i "/run/frr/h$n/$d.pid" --log "file:$TW_TMP/frr/h$n-$d.log" "$@" 2>> "$TW_TMP/frr/h$n-$d.err"
}

# evpn_frr N: zebra, then bgpd, on host N; returns once both answer vtysh.
evpn_frr() {
	n=$1
	mkdir -p "/run/frr/h$n"
	chown frr:frr /run/frr "/run/frr/h$n"
	evpn_conf "$n"
	evpn_daemon "$n" zebra || return 1
	i=0
	while [ ! -S "/run/frr/h$n/zserv.api" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	evpn_daemon "$n" bgpd || return 1
	i=0
	while ! vtysh -N "h$n" -c 'show bgp l2vpn evpn vni json' > /dev/null 2>&1 && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	[ $i -lt 100 ]
}

evpn_frr_stop() { # evpn_frr_stop N [DAEMON...]
	n=$1; shift
	for d in ${*:-bgpd zebra}; do
		f=/run/frr/h$n/$d.pid
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2> /dev/null
		i=0
		while kill -0 "$pid" 2> /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2> /dev/null
		rm -f "$f"
	done
}

evpn_stop_all() {
	for dir in /run/frr/h*; do
		[ -d "$dir" ] && evpn_frr_stop "${dir#/run/frr/h}"
	done
	return 0
}

# evpn_xml N: host N's file, $TW_TMP/hN.xml: guest namespace gN
# (10.42.0.N/24) on br0, and vx42 with control="evpn".
evpn_xml() {
	cat > "$TW_TMP/h$1.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="evpn-h$1">
  <tw:namespace name="g$1"/>
  <tw:bridge name="br0"/>
  <tw:vxlan name="vx42" id="42" local="192.0.2.$1" dev="eth1" bridge="br0" control="evpn"/>
  <tw:veth>
    <tw:end namespace="g$1" name="eth0" address="10.42.0.$1/24"/>
    <tw:end name="g$1-br" bridge="br0"/>
  </tw:veth>
</tw:net>
EOF
}

# evpn_reach FROM TO SECONDS: guest FROM pings guest TO within SECONDS
# (BGP needs a moment to carry a new host's routes).
evpn_reach() {
	t_end=$(($(date +%s) + $3))
	while :; do
		ip netns exec "g$1" ping -c 1 -W 1 -q "10.42.0.$2" > /dev/null 2>&1 && return 0
		[ "$(date +%s)" -lt "$t_end" ] || return 1
	done
}

# The remote VTEPs zebra put in vx42's flood list on host N: overlay-lib.sh's
# ov_heads N (the all-zero FDB entries' dst, sorted).

# vx42's flags as the kernel reports them on host N:
# "LEARNING PORT-LEARNING NEIGH-SUPPRESS", e.g. "false false true". In
# `ip -d -j link` the vxlan's info_data comes before the port's
# info_slave_data, so its "learning" is the first.
evpn_flags() {
	l=$(ip -n "h$1" -d -j link show dev "${2:-vx42}" 2>/dev/null | grep -o '"learning":[a-z]*' | head -n 1)
	p=$(bridge -n "h$1" -d -j link show dev "${2:-vx42}" 2>/dev/null)
	pl=$(printf '%s' "$p" | grep -o '"learning":[a-z]*')
	ns=$(printf '%s' "$p" | grep -o '"neigh_suppress":[a-z]*')
	echo "${l#*:} ${pl#*:} ${ns#*:}"
}
