# Shared by the NAT suites (engine-nat.sh, e2e-nat.sh, bench/nat), sourced
# after tests/lib.sh and tw_isolate: an outside world that can answer only
# a masqueraded address, a DHCP client, and dnsmasq's files.
#
#   this namespace: uplink0 203.0.113.1/24, default route via 203.0.113.2
#   wan (netns): eth0 203.0.113.2/24, no route to anything behind a bridge

NAT_WAN=203.0.113.2

# nft, dnsmasq and busybox (udhcpc, nslookup) are there, or the suite skips.
nat_need_tools() {
	command -v nft > /dev/null || skip_all "nft is missing (tools/deps test installs nftables)"
	[ -x /usr/sbin/dnsmasq ] || skip_all "dnsmasq is missing (tools/deps test installs dnsmasq-base)"
	command -v busybox > /dev/null || skip_all "busybox is missing (tools/deps test installs busybox)"
}

nat_wan_up() {
	ip netns add wan
	ip link add uplink0 type veth peer name eth0 netns wan
	ip addr add 203.0.113.1/24 dev uplink0
	ip link set uplink0 up
	ip -n wan addr add "$NAT_WAN/24" dev eth0
	ip -n wan link set eth0 up
	ip -n wan link set lo up
	ip route add default via "$NAT_WAN" dev uplink0
}

# busybox udhcpc's script: configure what the server offered (mask is a
# prefix length) and write the address to $LEASED.
nat_udhcpc_script() { # nat_udhcpc_script FILE
	printf '%s\n' '#!/bin/sh' \
		'case $1 in bound | renew)' \
		'	ip addr flush dev "$interface"' \
		'	ip addr add "$ip/$mask" dev "$interface"' \
		'	[ -z "$router" ] || ip route replace default via "${router%% *}" dev "$interface"' \
		'	echo "$ip" > "$LEASED" ;;' \
		'esac' > "$1"
	chmod 755 "$1"
}

# A DHCP lease for NS's eth0 with udhcpc, bounded; prints the address.
nat_lease() { # nat_lease NS
	[ -x "$TW_TMP/udhcpc.sh" ] || nat_udhcpc_script "$TW_TMP/udhcpc.sh"
	rm -f "$TW_TMP/leased"
	LEASED=$TW_TMP/leased timeout 30 ip netns exec "$1" busybox udhcpc -i eth0 -n -q -t 10 -T 1 \
		-s "$TW_TMP/udhcpc.sh" > "$TW_TMP/udhcpc.out" 2>&1
	cat "$TW_TMP/leased" 2>/dev/null
}

# dnsmasq logs (with --log-dhcp) to $TW_TMP/dnsmasq.log: TAPWIRE_DNSMASQ
# names a wrapper that keeps dnsmasq's command line (argv[0] "dnsmasq",
# tapwire's --conf-file first), so tapwire still knows it for its own.
nat_dnsmasq_log() {
	printf '%s\n' '#!/bin/bash' \
		"exec -a dnsmasq /usr/sbin/dnsmasq \"\$@\" --log-facility=$TW_TMP/dnsmasq.log --log-dhcp" \
		> "$TW_TMP/dnsmasq-log.sh"
	chmod 755 "$TW_TMP/dnsmasq-log.sh"
	export TAPWIRE_DNSMASQ="$TW_TMP/dnsmasq-log.sh"
}

# What a failed lease needs to be understood: udhcpc's output, the
# dnsmasqs of this test and their sockets, and dnsmasq's log.
nat_diag() { # nat_diag NS
	diag "udhcpc in $1:" "$(cat "$TW_TMP/udhcpc.out" 2>/dev/null)"
	for f in "$TAPWIRE_RUNDIR"/dnsmasq/*.pid; do
		[ -f "$f" ] && diag "$f: $(cat "$f")"
	done
	diag "dnsmasqs:" "$(pgrep -af "^dnsmasq --conf-file=$TAPWIRE_RUNDIR/")"
	diag "port 67:" "$(ss -H -lnup 'sport = :67' 2>&1)"
	nat_log_diag
}

# The end of dnsmasq's log (nat_dnsmasq_log), without --log-dhcp's chatter.
nat_log_diag() {
	diag "dnsmasq.log (last 60 lines):" "$(grep -v " tags: \| vendor class: \| available DHCP range: " \
		"$TW_TMP/dnsmasq.log" 2>/dev/null | tail -n 60)"
}

# like, for a lease of namespace NS; on failure, what nat_diag shows.
nat_lease_like() { # nat_lease_like NS PATTERN NAME
	got=$(nat_lease "$1")
	if printf '%s' "$got" | grep -Eq -- "$2"; then ok "$3"; else
		like "$got" "$2" "$3"
		nat_diag "$1"
	fi
}

# dnsmasq of bridge $1 (in this namespace): its pid, and how many of this
# test's run directory run (the pid namespace is the host's: never count by
# name alone).
nat_dnsmasq_pid() { cat "$TAPWIRE_RUNDIR/dnsmasq/$1.pid" 2>/dev/null; }
nat_dnsmasqs() { pgrep -f "^dnsmasq --conf-file=$TAPWIRE_RUNDIR/" | wc -l; }

# Whatever happens, no dnsmasq of this test outlives it: each is stopped by
# its pid file. Installs itself as the EXIT trap (then tw_cleanup).
nat_stop_dnsmasqs() {
	for f in "$TAPWIRE_RUNDIR"/dnsmasq/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# Whether process $1 has ended (a zombie counts: it only waits to be
# reaped by whoever adopted it), within 2 s.
nat_gone() { # nat_gone PID
	i=0
	while [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; do
		[ $i -lt 20 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}
