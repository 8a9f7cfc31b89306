#!/bin/sh
# Owners sharing a bridge: it is made by whoever comes first, kept while any
# owner still holds it, removed with the last one, and never changes its MAC
# under the others. Runs of different owners in parallel are serialised by
# the state lock and all succeed. Checked in the kernel and the state file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

# share FILE OWNER INDEX: namespace ns-OWNER plugged into bridge brs (with
# an address of its own), its bridge-side end with a fixed MAC whose last
# byte is INDEX, so the lowest one is known.
share() {
	cat > "$1" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="$2">
  <tw:namespace name="ns-$2"/>
  <tw:bridge name="brs" mtu="1450" address="10.30.0.254/24"/>
  <tw:veth>
    <tw:end namespace="ns-$2" name="eth0" address="10.30.0.$3/24"/>
    <tw:end name="brs-$2" bridge="brs" mac="02:00:00:00:00:0$3"/>
  </tw:veth>
</tw:net>
EOF
}
share "$TW_TMP/a.xml" a 1
share "$TW_TMP/b.xml" b 2
share "$TW_TMP/c.xml" c 3
share "$TW_TMP/d.xml" d 4

run up "$TW_TMP/a.xml"
is "$rc" 0 "a: up exits 0"
like "$out" '^\+ bridge brs mtu 1450$' "a: makes brs"
brs_mac=$(dev_mac brs)
run up "$TW_TMP/b.xml"
is "$rc" 0 "b: up exits 0"
like "$out" '^= bridge brs mtu 1450 \(exists: use it\)$' "b: uses brs"
like "$out" '^= address 10.30.0.254/24 dev brs \(exists: use it\)$' "b: uses brs's address"
is "$(bridge_ports brs | tr '\n' ' ')" "brs-a brs-b " "brs has a's and b's ports"
is "$(dev_mtu brs) $(dev_mtu brs-a) $(dev_mtu brs-b)" "1450 1450 1450" "MTU 1450 on brs and its ports"
check "ns-a pings ns-b through brs" pings ns-a 10.30.0.2
check "ns-b pings brs's address" pings ns-b 10.30.0.254
run status
like "$out" 'bridge brs +created +live  shared' "status marks brs shared"
run status --json
printf '%s\n' "$out" > "$TW_TMP/status.json"
json_check "$TW_TMP/status.json" "status --json: brs and its address have both owners" \
"netns|ns-a|||true|true|a
bridge||brs||true|true|a,b
veth||brs-a||true|true|a
address||brs|10.30.0.254/24|true|true|a,b
address|ns-a|eth0|10.30.0.1/24|true|true|a
netns|ns-b|||true|true|b
veth||brs-b||true|true|b
address|ns-b|eth0|10.30.0.2/24|true|true|b"

# brs-a has the lowest MAC: a bridge that took its ports' MACs would change
# its own when brs-a leaves.
run down "$TW_TMP/a.xml"
is "$rc" 0 "a: down exits 0"
like "$out" '^= bridge brs \(kept: still used by b\)$' "a: down keeps brs for b"
like "$out" '^= address 10.30.0.254/24 dev brs \(kept: still used by b\)$' "a: down keeps brs's address for b"
check "brs is still there" dev_exists brs
is "$(bridge_ports brs | tr '\n' ' ')" "brs-b " "brs keeps b's port only"
is "$(dev_mac brs)" "$brs_mac" "brs's MAC did not change when a's port left"
is "$(ns_addrs . brs)" 10.30.0.254/24 "brs keeps its address"
is "$(netns_names | tr '\n' ' ')" "ns-b " "ns-a is gone, ns-b stays"
check "ns-b still pings brs" pings ns-b 10.30.0.254
run status
is "$(printf '%s\n' "$out" | grep -c '^owner ')" 1 "status lists one owner"
like "$out" '^owner b$' "... b"
run down "$TW_TMP/b.xml"
is "$rc" 0 "b: down exits 0"
like "$out" '^- bridge brs$' "b: down removes brs"
check "brs is gone" sh -c '! test -e /sys/class/net/brs'
is "$(netns_names)$(devs_other_than_lo)" "" "nothing left"
is "$(records)" 0 "no record left"

# ---- a bridge made by hand, down and with MTU 1400, shared: the first
# owner brings it up and to 1450, the second finds it so. Those settings
# stay while either owner holds the bridge and come back with the last.
ip link add brs address 02:00:00:00:0b:01 type bridge
ip link set brs mtu 1400
ip addr add 10.30.0.254/24 dev brs
before=$(kdevs .)
run up "$TW_TMP/a.xml"
is "$rc" 0 "brs by hand: a up"
like "$out" '^~ set brs up 0 -> 1$' "brs by hand: a brings it up"
run up "$TW_TMP/b.xml"
is "$rc" 0 "brs by hand: b up"
like "$out" '^= set brs up 0 -> 1 \(exists: use it\)$' "brs by hand: b shares the 'up' a set"
check "brs by hand: ns-a pings ns-b" pings ns-a 10.30.0.2
run down "$TW_TMP/a.xml"
is "$rc" 0 "brs by hand: a down"
like "$out" '^= set brs up \(kept: still used by b\)$' "brs by hand: a's down keeps brs up for b"
check "brs by hand: brs is still up" dev_is_up brs
is "$(dev_mtu brs)" 1450 "brs by hand: brs keeps MTU 1450 for b"
check "brs by hand: ns-b still pings brs" pings ns-b 10.30.0.254
run down "$TW_TMP/b.xml"
is "$rc" 0 "brs by hand: b down"
like "$out" '^- set brs up$' "brs by hand: the last owner puts 'up' back"
is "$(kdevs .)" "$before" "brs by hand: after both downs it is exactly as before (down, 1400, its MAC and address)"
is "$(records)" 0 "brs by hand: no record left"
ip link del brs

# ---- in parallel: four owners at once, a few times. Bounded: each run has
# a 60 s timeout, and there are 3 rounds.
par() { # par CMD: tapwire CMD on a..d at once; the exit codes, space separated
	for o in a b c d; do
		timeout 60 "$TW" "$1" -q "$TW_TMP/$o.xml" > "$TW_TMP/par.$o" 2>&1 &
		eval "pid_$o=\$!"
	done
	codes=""
	for o in a b c d; do
		eval "wait \$pid_$o"
		codes="$codes$? "
	done
	echo "$codes"
}
round=1
while [ $round -le 3 ]; do
	is "$(par up)" "0 0 0 0 " "parallel round $round: four ups of owners sharing brs all exit 0"
	is "$(bridge_ports brs | tr '\n' ' ')" "brs-a brs-b brs-c brs-d " "parallel round $round: brs has all four ports"
	is "$(netns_names | tr '\n' ' ')" "ns-a ns-b ns-c ns-d " "parallel round $round: four namespaces"
	check "parallel round $round: ns-a pings ns-d" pings ns-a 10.30.0.4
	run status --json
	printf '%s\n' "$out" > "$TW_TMP/status.json"
	if json_summary "$TW_TMP/status.json" > "$TW_TMP/json.sum"; then
		is "$(grep '^bridge||brs|' "$TW_TMP/json.sum")" "bridge||brs||true|true|a,b,c,d" \
			"parallel round $round: brs has four owners on record"
	else
		skip "parallel round $round: brs's owners (no JSON reader)"
	fi
	is "$(par down)" "0 0 0 0 " "parallel round $round: four downs all exit 0"
	is "$(netns_names)$(devs_other_than_lo)" "" "parallel round $round: nothing left"
	is "$(records)" 0 "parallel round $round: no record left"
	round=$((round + 1))
done

done_testing
