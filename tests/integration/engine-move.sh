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
$H sysctl -qw net.ipv6.conf.eth0.dad_transmits=0
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

# What `ip -j` says of DEV's addresses and of every route through DEV, the
# device's name and what counts down (lifetimes, expiry) left out, and one
# line each.
jaddr() { # jaddr DEV
	ip -n host -j addr show dev "$1" | jq -c '.[].addr_info[] | select(.scope != "link")
		| del(.valid_life_time, .preferred_life_time, .label)
		+ {label: ((.label // "") | sub("^'"$1"'"; "DEV"))}' | sort
}
jlabel() { ip -n host -j addr show dev "$1" | jq -r '.[].addr_info[] | .label // empty' | sort | tr '\n' ' '; }
jroute() { # jroute DEV
	for f in -4 -6; do
		ip -n host -j $f route show table all dev "$1" | jq -c '.[] | select(.protocol != "kernel")
			| select(.type != "local" and .type != "multicast" and .type != "broadcast")
			| del(.expires, .dev, .flags)'
	done | sort
}
master_of() { ip -n host -j link show "$1" | jq -r '.[0].master // empty'; }
ping_gw() { $H ping -c 1 -W 2 "$1" > /dev/null 2>&1; }
state_of() { echo "addr:"; jaddr "$1"; echo "route:"; jroute "$1"; echo "labels: $(jlabel "$1")"; }

# Settled first: an IPv6 address is tentative until its duplicate address
# detection is over (instant here: dad_transmits=0).
settle() {
	for i in $(seq 50); do
		[ -z "$(ip -n host addr show tentative)" ] && return 0
		sleep 0.1
	done
}
lifetime() { # lifetime DEV ADDR: its valid lifetime left, in seconds
	ip -n host -j addr show dev "$1" | jq -r '.[].addr_info[] | select(.local == "'"$2"'") | .valid_life_time'
}
settle
before=$(state_of eth0)
diag "eth0 before:" "$before"
check "the gateway answers before" ping_gw 10.0.0.1

# ---- up: br0 holds what eth0 had, eth0 nothing, the gateway answers
TWH up "$TW_TMP/nic.xml"
is "$rc" 0 "up exits 0"
[ "$rc" = 0 ] || diag "$out" "$err"
is "$(master_of eth0)" "br0" "eth0 is a port of br0"
is "$(jaddr eth0)" "" "eth0 has no address left"
is "$(jroute eth0)" "" "no route goes through eth0"
# br0's IPv6 copy says nodad: it skipped the duplicate address detection
# that eth0 passed already on the same link.
is "$(jaddr br0 | sed 's/"DEV/"X/; s/,"nodad":true//')" "$(printf '%s\n' "$before" | sed -n '/^addr:/,/^route:/p' | sed '1d;$d' | sed 's/"DEV/"X/')" \
	"br0 holds eth0's addresses, flags, labels (eth0:1 -> br0:1)"
like "$(jlabel br0)" "br0:1" "the label eth0:1 became br0:1"
is "$(jroute br0)" "$(printf '%s\n' "$before" | sed -n '/^route:/,/^labels:/p' | sed '1d;$d')" \
	"br0 holds eth0's routes: defaults, metrics, the on-link route, table 100"
is "$(ip netns exec host cat /sys/class/net/br0/address)" "$nic_mac" "br0 took eth0's MAC"
check "the gateway answers through br0 (IPv4)" ping_gw 10.0.0.1
check "the gateway answers through br0 (IPv6)" ping_gw fd00::1
like "$(ip -n host route show table 100)" "^10.9.0.0/16 via 10.0.0.1 dev br0" "the route of table 100 goes through br0"

TWH up "$TW_TMP/nic.xml"
is "$rc:$out" "0:nic: nothing to do" "a second up changes nothing"

# ---- down: all back exactly as it was
TWH down "$TW_TMP/nic.xml"
is "$rc" 0 "down exits 0"
[ "$rc" = 0 ] || diag "$out" "$err"
settle
is "$(state_of eth0)" "$before" "down: eth0's addresses and routes are back exactly as they were"
lft=$(lifetime eth0 10.0.0.7)
check "down: the dynamic address kept its lifetime, counting down ($lft s of 3600)" test "$lft" -le 3600 -a "$lft" -gt 3000
check "down: br0 is gone" sh -c "! ip -n host link show br0 2>/dev/null"
check "down: the gateway answers through eth0" ping_gw 10.0.0.1
is "$(records)" 0 "down: nothing on record"
is "$(ls "$TAPWIRE_RUNDIR" | grep -c move)" 0 "down: no list of moved addresses left"

done_testing
