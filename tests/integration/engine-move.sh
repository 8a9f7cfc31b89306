#!/bin/sh
# The host's NIC into a bridge without losing the host (contract section 8):
# a "host" namespace whose eth0 (one end of a veth) reaches a gateway in a
# "lan" namespace. `up` with move-addresses="yes" moves eth0's addresses and
# routes to br0, `down` moves them back exactly as they were (ip -j addr and
# ip -j route compared), --confirm reverts unless `tapwire confirm` comes,
# --probe reverts at once when the gateway does not answer, and a run killed
# at any step of the move converges on the next. Never the test machine's
# own NIC: everything is inside tw_isolate.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
command -v jq > /dev/null || skip_all "jq is missing (tools/deps test)"

H="ip netns exec host"
TWH() { run --netns host "$@"; }

# The lan: a gateway with an IPv4 and an IPv6 address, behind eth0's peer.
ip netns add host
ip netns add lan
ip -n host link set lo up
ip -n lan link set lo up
ip link add eth0 netns host type veth peer name gw0 netns lan
ip -n lan addr add 10.0.0.1/24 dev gw0
ip -n lan addr add fd00::1/64 dev gw0 nodad
ip -n lan link set gw0 up
ip -n lan route add 10.9.0.0/16 dev lo
# The host: what a NIC configured by the system looks like, with a bit of
# everything that must move: a secondary with a label, a dynamic address,
# IPv6, the default routes, an on-link route with a metric, a route in
# another table.
$H sysctl -qw net.ipv6.conf.eth0.accept_dad=0
ip -n host addr add 10.0.0.5/24 dev eth0
ip -n host addr add 10.0.0.6/24 dev eth0 label eth0:1
ip -n host addr add 10.0.0.7/24 dev eth0 valid_lft 3600 preferred_lft 1800
ip -n host addr add fd00::5/64 dev eth0
ip -n host link set eth0 up
ip -n host route add default via 10.0.0.1 dev eth0 metric 100
ip -n host route add 10.8.0.0/24 dev eth0 metric 50
ip -n host route add 10.9.0.0/16 via 10.0.0.1 dev eth0 table 100
ip -n host -6 route add default via fd00::1 dev eth0 metric 1024
nic_mac=$(ip netns exec host cat /sys/class/net/eth0/address)

cat > "$TW_TMP/nic.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="nic">
  <tw:bridge name="br0" stp="off"/>
  <tw:port dev="eth0" bridge="br0" move-addresses="yes"/>
</tw:net>
EOF

# snap DEV...: what `ip -j` says of each DEV (tests/integration/snap.jq).
snap() {
	{ ip -n host -j link show; ip -n host -j addr show; ip -n host -j -4 route show table all
	  ip -n host -j -6 route show table all; } |
		jq -s -r --arg devs "$*" -f "$top_srcdir/tests/integration/snap.jq"
}
ping_gw() { $H ping -c 1 -W 2 "$1" > /dev/null 2>&1; }

# Settled first: an IPv6 address is tentative until its duplicate address
# detection is over (never here: accept_dad=0 on eth0).
settle() {
	for i in $(seq 50); do
		[ -z "$(ip -n host addr show tentative scope global)" ] && return 0
		sleep 0.1
	done
}
lifetime() { # lifetime DEV ADDR: its valid lifetime left, in seconds
	ip -n host -j addr show dev "$1" | jq -r '.[].addr_info[] | select(.local == "'"$2"'") | .valid_life_time'
}
settle
before=$(snap eth0 | sed 1d)
diag "eth0 before:" "$before"
check "the gateway answers before" ping_gw 10.0.0.1

# ---- up: br0 holds what eth0 had, eth0 nothing, the gateway answers
TWH up "$TW_TMP/nic.xml"
is "$rc" 0 "up exits 0"
[ "$rc" = 0 ] || diag "$out" "$err"
is "$(snap eth0)" "dev eth0 master br0" "eth0 is a port of br0, with no address and no route left"
is "$(snap br0 | sed 1d)" "$before" \
	"br0 holds eth0's addresses (flags, lifetimes, labels: eth0:1 is br0:1) and routes (defaults, metrics, on-link, table 100)"
is "$(ip netns exec host cat /sys/class/net/br0/address)" "$nic_mac" "br0 took eth0's MAC"
check "the gateway answers through br0 (IPv4)" ping_gw 10.0.0.1
check "the gateway answers through br0 (IPv6)" ping_gw fd00::1
like "$(ip -n host route show table 100)" "^10.9.0.0/16 via 10.0.0.1 dev br0" "the route of table 100 goes through br0"

TWH up "$TW_TMP/nic.xml"
is "$rc:$out" "0:nic: nothing to do" "a second up changes nothing"
moved=$(snap br0 eth0)

# ---- down: all back exactly as it was
TWH down "$TW_TMP/nic.xml"
is "$rc" 0 "down exits 0"
[ "$rc" = 0 ] || diag "$out" "$err"
settle
is "$(snap eth0 | sed 1d)" "$before" "down: eth0's addresses and routes are back exactly as they were"
lft=$(lifetime eth0 10.0.0.7)
check "down: the dynamic address kept its lifetime, counting down ($lft s of 3600)" test "$lft" -le 3600 -a "$lft" -gt 3000
check "down: br0 is gone" sh -c "! ip -n host link show br0 2>/dev/null"
check "down: the gateway answers through eth0" ping_gw 10.0.0.1
is "$(records)" 0 "down: nothing on record"
is "$(ls "$TAPWIRE_RUNDIR" | grep -c move)" 0 "down: no list of moved addresses left"

# ---- SIGKILL right before each change to the kernel a move makes (the
# test-only TAPWIRE_TEST_MOVE_KILL=N), then a plain run: up converges to the
# moved state, down to the state before. 14 changes each way here: the
# bridge's MAC, 4 addresses, the NIC joining (leaving), 4 routes, 4
# addresses removed.
killed_up=0 killed_down=0 conv_up=0 conv_down=0
for n in $(seq 1 15); do
	TAPWIRE_TEST_MOVE_KILL=$n TWH up "$TW_TMP/nic.xml"
	[ "$rc" = 137 ] && killed_up=$((killed_up + 1))
	TWH up "$TW_TMP/nic.xml"
	settle
	now=$(snap br0 eth0)
	if [ "$rc" = 0 ] && [ "$now" = "$moved" ] && ping_gw 10.0.0.1; then
		conv_up=$((conv_up + 1))
	else
		diag "killed at change $n of up, then up: exit $rc $err" "$now"
	fi
	TAPWIRE_TEST_MOVE_KILL=$n TWH down "$TW_TMP/nic.xml"
	[ "$rc" = 137 ] && killed_down=$((killed_down + 1))
	TWH down "$TW_TMP/nic.xml"
	settle
	now=$(snap eth0 | sed 1d)
	if [ "$rc" = 0 ] && [ "$now" = "$before" ] && [ "$(records)" = 0 ] && ping_gw 10.0.0.1; then
		conv_down=$((conv_down + 1))
	else
		diag "killed at change $n of down, then down: exit $rc $err" "$now"
	fi
done
is "$killed_up:$killed_down" "14:14" "SIGKILL stopped up and down at each of their 14 changes"
is "$conv_up" 15 "after each kill, up converges: br0 holds it all, eth0 nothing, the gateway answers"
is "$conv_down" 15 "after each kill, down converges: eth0 has it all back exactly, nothing on record"

done_testing
