#!/bin/sh
# 16 owners `tapwire up` at once over 4 shared bridges, then `down` in a
# random (seeded) order: every run succeeds, and after each down the kernel
# and the state file agree that a shared bridge lives exactly while an owner
# that declares it remains. Nothing is left at the end.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

N=16
# Owner o declares bridges sb(o%4) and sb((o+1)%4), and plugs its own
# namespace into the first.
owner_xml() { # owner_xml O
	o=$1 a=$(( $1 % 4 )) b=$(( ($1 + 1) % 4 ))
	cat <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="o$o">
  <tw:namespace name="n$o"/>
  <tw:bridge name="sb$a"/>
  <tw:bridge name="sb$b"/>
  <tw:veth>
    <tw:end namespace="n$o" name="eth0" address="10.77.$a.$(( o + 1 ))/24"/>
    <tw:end name="p$o" bridge="sb$a"/>
  </tw:veth>
</tw:net>
EOF
}
o=0
while [ $o -lt $N ]; do owner_xml $o > "$TW_TMP/o$o.xml"; o=$((o + 1)); done

o=0
pids=
while [ $o -lt $N ]; do
	timeout 120 "$TW" -q up "$TW_TMP/o$o.xml" > "$TW_TMP/up$o.out" 2>&1 &
	pids="$pids $!"
	o=$((o + 1))
done
failed=0
for j in $pids; do wait "$j" || failed=$((failed + 1)); done
is "$failed" 0 "16 parallel ups of different owners all exit 0"
is "$(cat "$TW_TMP"/up*.out | wc -c | tr -d ' ')" 0 "and print no error"
is "$(netns_names | wc -l | tr -d ' ')" $N "16 namespaces exist"
for b in 0 1 2 3; do
	is "$(bridge_ports "sb$b" | wc -l | tr -d ' ')" 4 "sb$b has its 4 owners' ports"
done
check "n5 pings n1 over sb1" pings n5 10.77.1.2
like "$(ip -d link show dev p0)" 'addrgenmode none' "a bare bridge port gets no IPv6 link-local address"
like "$(ip -n n0 -d link show dev eth0)" 'addrgenmode eui64' "an end with addresses keeps IPv6 as the kernel sets it"

# Which owners still hold bridge sbB: those with o%4 == B or (o+1)%4 == B.
holders() { # holders B LIVE-OWNERS...
	b=$1; shift
	for o in "$@"; do
		if [ $(( o % 4 )) -eq "$b" ] || [ $(( (o + 1) % 4 )) -eq "$b" ]; then echo "o$o"; fi
	done
}
order=$(awk -v n=$N 'BEGIN { srand(7734); for (i = 0; i < n; i++) { a[i] = i }
	for (i = n - 1; i > 0; i--) { j = int(rand() * (i + 1)); t = a[i]; a[i] = a[j]; a[j] = t }
	for (i = 0; i < n; i++) print a[i] }')
live=$(seq 0 $((N - 1)) | tr '\n' ' ')
bad=0
for o in $order; do
	timeout 60 "$TW" -q down "$TW_TMP/o$o.xml" > "$TW_TMP/down.out" 2>&1 || bad=$((bad + 1))
	live=$(for l in $live; do [ "$l" = "$o" ] || printf '%s ' "$l"; done)
	has_netns "n$o" && { bad=$((bad + 1)); diag "n$o survived its owner's down"; }
	for b in 0 1 2 3; do
		# shellcheck disable=SC2086
		want=$(holders $b $live | wc -l | tr -d ' ')
		if [ "$want" -gt 0 ] && ! dev_exists "sb$b"; then
			bad=$((bad + 1)); diag "after down o$o: sb$b is gone but $want owners remain"
		fi
		if [ "$want" -eq 0 ] && dev_exists "sb$b"; then
			bad=$((bad + 1)); diag "after down o$o: sb$b survives its last owner"
		fi
		# The state file says the same: its owners are exactly the holders.
		# shellcheck disable=SC2086
		got=$(grep "^+ bridge - sb$b " "$TAPWIRE_RUNDIR"/state* 2>/dev/null | awk '{ print $7 }' | sort | tr '\n' ' ')
		# shellcheck disable=SC2086
		exp=$(holders $b $live | sort | tr '\n' ' ')
		[ -z "$got" ] || [ "$got" = "$exp" ] ||
			{ bad=$((bad + 1)); diag "state for sb$b after down o$o: '$got', want '$exp'"; }
	done
done
is "$bad" 0 "after each of 16 downs in random order, bridges live exactly while used"
is "$(records)" 0 "the state file holds no record"
is "$(devs_other_than_lo | tr '\n' ' ')" "" "no device is left"
is "$(netns_names | wc -l | tr -d ' ')" 0 "no namespace is left"

done_testing
