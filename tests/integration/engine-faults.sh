#!/bin/sh
# When the system refuses: a foreign device in the way, the kernel saying no
# halfway through, a run killed with SIGKILL, a state file left by a dead
# run. tapwire exits 1 with one line naming the object and the reason, takes
# back everything that run made (namespaces too), restores what it changed,
# never touches what is not its own, and the next run converges.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

# failed NAME PATTERN ARGS...: exit 1, one line on stderr matching
# "^tapwire: PATTERN".
failed() {
	name=$1; pat=$2; shift 2
	run "$@"
	nlines=$(printf '%s\n' "$err" | wc -l | tr -d ' ')
	if [ "$rc" = 1 ] && [ "$nlines" = 1 ] && printf '%s' "$err" | grep -Eq -- "^tapwire: $pat"; then
		ok "$name: exit 1, one line naming the object and why"
	else
		not_ok "$name: exit 1, one line naming the object and why"
		diag "  exit $rc; stderr ($nlines lines): $err" "  want /^tapwire: $pat/"
	fi
}
state_file() { "$top_builddir/tests/tw-state-prune" --path "$TAPWIRE_RUNDIR"; }
SEEDTAP=$EX/seed-tap.xml
line_of() { grep -n -- "$2" "$1" | head -n 1 | cut -d: -f1; } # line_of FILE TEXT

# ---- a foreign device where a veth end goes
mk_foreign br-net0
foreign_mac=$(dev_mac br-net0)
base=$(kstate)
failed "foreign br-net0" "$SEEDTAP:$(line_of "$SEEDTAP" '<tw:veth>'): veth br-net0 <-> \[net0\] veth0: an? [a-z]+ device of that name exists already" \
	up "$SEEDTAP"
is "$(kstate)" "$base" "foreign br-net0: the kernel is as before (no net0, no br0)"
is "$(netns_names)" "" "foreign br-net0: no namespace was left"
is "$(dev_mac br-net0)" "$foreign_mac" "foreign br-net0: the foreign device is still there, untouched"
is "$(records)" 0 "foreign br-net0: nothing on record"
ip link del br-net0

# ---- a foreign non-bridge device where a bridge is declared
mk_foreign br0
base=$(kstate)
failed "foreign non-bridge br0" "$SEEDTAP:$(line_of "$SEEDTAP" '<tw:bridge'): bridge br0: an? [a-z]+ device of that name exists already" \
	up "$SEEDTAP"
is "$(kstate)" "$base" "foreign br0: the kernel is as before"
check "foreign br0: it is still there, and still not a bridge" sh -c 'test -e /sys/class/net/br0 && ! test -e /sys/class/net/br0/bridge'
is "$(records)" 0 "foreign br0: nothing on record"
ip link del br0

# ---- a veth end whose other end is not the file's: the message names the
# real peer as the kernel reports it (its namespace too, when another)
cat > "$TW_TMP/pair.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="pair">
  <tw:namespace name="pn"/>
  <tw:veth>
    <tw:end namespace="pn" name="pn0"/>
    <tw:end name="hp0"/>
  </tw:veth>
</tw:net>
EOF
ip link add hp0 type veth peer name otherp
base=$(kstate)
failed "a veth paired with another peer" "$TW_TMP/pair.xml:3: veth \[pn\] pn0 <-> hp0: veth hp0 exists already, paired with otherp \(not this file's \[pn\] pn0\)\$" \
	up "$TW_TMP/pair.xml"
is "$(kstate)" "$base" "a veth paired with another peer: the kernel is as before"
ip link del hp0
ip netns add elsewhere
ip link add hp0 type veth peer name far0 netns elsewhere
failed "a veth paired across namespaces" "$TW_TMP/pair.xml:3: veth \[pn\] pn0 <-> hp0: veth hp0 exists already, paired with \[elsewhere\] far0 \(not this file's \[pn\] pn0\)\$" \
	up "$TW_TMP/pair.xml"
is "$(records)" 0 "a veth paired across namespaces: nothing on record"
ip link del hp0
ip netns del elsewhere

# ---- a device the file needs and does not declare is missing: a port's
# dev and a vxlan's dev= (its underlay) alike, caught by check and by up
# before anything is made
cat > "$TW_TMP/noport.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="noport">
  <tw:bridge name="brq"/>
  <tw:port dev="nic-none" bridge="brq"/>
</tw:net>
EOF
cat > "$TW_TMP/nounder.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="nounder">
  <tw:namespace name="vxns"/>
  <tw:bridge name="brq"/>
  <tw:vxlan name="vxq" id="42" remote="192.0.2.2" dev="under-none" bridge="brq"/>
  <tw:vxlan namespace="vxns" name="vxr" id="43" remote="192.0.2.2" dev="under-none"/>
</tw:net>
EOF
base=$(kstate)
for cmd in check up; do
	failed "$cmd: a port whose dev is missing" "$(printf '%s' "$TW_TMP/noport.xml" | sed 's/[.]/\\./g'):3: port nic-none master brq: no such device\$" \
		$cmd "$TW_TMP/noport.xml"
	failed "$cmd: a vxlan whose dev= is missing" "$(printf '%s' "$TW_TMP/nounder.xml" | sed 's/[.]/\\./g'):4: vxlan vxq: dev under-none: no such device\$" \
		$cmd "$TW_TMP/nounder.xml"
done
sed -i '/name="vxq"/d' "$TW_TMP/nounder.xml"
failed "a vxlan in a namespace made by this run, dev= missing" "$(printf '%s' "$TW_TMP/nounder.xml" | sed 's/[.]/\\./g'):4: vxlan vxr: dev under-none: no such device\$" \
	up "$TW_TMP/nounder.xml"
is "$(kstate)" "$base" "missing dev: the kernel is as before"
is "$(records)" 0 "missing dev: nothing on record"

# ---- the kernel refuses a step halfway: enslaving lo (after two
# namespaces, a bridge with an address and a veth were made)
cat > "$TW_TMP/mid.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="mid">
  <tw:namespace name="m0"/>
  <tw:namespace name="m1"/>
  <tw:bridge name="brm" address="10.9.0.1/24"/>
  <tw:veth>
    <tw:end namespace="m0" name="m0-br" address="10.9.0.2/24"/>
    <tw:end name="brm-m0" bridge="brm"/>
  </tw:veth>
  <tw:port dev="lo" bridge="brm"/>
</tw:net>
EOF
base=$(kstate)
failed "midway refusal" "$TW_TMP/mid.xml:9: port lo master brm: Invalid argument" up "$TW_TMP/mid.xml"
like "$out" '^\+ netns m0$' "midway refusal: namespaces were made before the refusal"
like "$out" '^\+ veth brm-m0 <-> \[m0\] m0-br$' "midway refusal: so was the veth"
like "$out" '^- veth brm-m0 <-> \[m0\] m0-br \(undone\)$' "midway refusal: the veth is said undone"
like "$out" '^- netns m0 \(undone\)$' "midway refusal: so is namespace m0"
is "$(printf '%s\n' "$out" | grep -c '^- ')" "$(( $(printf '%s\n' "$out" | grep -c '^+ ') - 1 ))" \
	"midway refusal: one - line per + line taken (the failed one undid itself)"
is "$(printf '%s\n' "$out" | tail -n 1)" "- netns m0 (undone)" "midway refusal: the last undone first, the first last"
is "$(netns_names)" "" "midway refusal: the namespaces it made are gone"
is "$(ls /run/netns)" "" "midway refusal: nothing left under /run/netns"
check "midway refusal: brm is gone" sh -c '! test -e /sys/class/net/brm'
is "$(dev_master lo)" "" "midway refusal: lo has no master"
is "$(kstate)" "$base" "midway refusal: the kernel is exactly as before"
is "$(records)" 0 "midway refusal: nothing on record"

# ---- the kernel refuses the last step, after tapwire changed a bridge it
# did not make (MTU, up): the rollback puts those back too. IPv6 is off in a
# namespace made by hand, so an IPv6 address there is refused.
ip link add br0 address 02:00:00:00:0b:00 type bridge
ip link set br0 mtu 1400
ip netns add pre
ip netns exec pre sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
cat > "$TW_TMP/late.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="late">
  <tw:namespace name="pre"/>
  <tw:namespace name="fresh"/>
  <tw:bridge name="br0" mtu="1500"/>
  <tw:veth>
    <tw:end namespace="fresh" name="f0" address="10.9.0.3/24"/>
    <tw:end name="br0-f0" bridge="br0"/>
  </tw:veth>
  <tw:veth>
    <tw:end namespace="pre" name="p0" address="10.9.0.2/24,fd00::2/64"/>
    <tw:end name="br0-p0" bridge="br0"/>
  </tw:veth>
</tw:net>
EOF
base=$(kstate)
failed "late refusal" "$TW_TMP/late.xml:10: address fd00::2/64 dev \[pre\] p0: Permission denied" up "$TW_TMP/late.xml"
like "$out" '^~ set br0 mtu 1400 -> 1500$' "late refusal: br0's MTU had been changed"
like "$out" '^~ set br0 up 0 -> 1$' "late refusal: br0 had been brought up"
like "$out" '^- set br0 mtu 1400 -> 1500 \(undone\)$' "late refusal: the MTU change is said undone"
is "$(dev_mtu br0)" 1400 "late refusal: br0's MTU is 1400 again"
check "late refusal: br0 is down again" dev_is_down br0
is "$(bridge_ports br0)" "" "late refusal: br0 has no port left"
is "$(netns_names | tr '\n' ' ')" "pre " "late refusal: namespace pre (not tapwire's) stays, fresh is gone"
is "$(ip -n pre -o link show | awk '{print $2}' | tr '\n' ' ')" "lo: " "late refusal: p0 is gone from pre"
is "$(kstate)" "$base" "late refusal: the kernel is exactly as before"
is "$(records)" 0 "late refusal: nothing on record"
ip link del br0
ip netns del pre

# ---- one owner's failure leaves another owner's objects alone, even the
# namespace they share
run up -q "$EX/seed-veth.xml"
base=$(kstate)
run status
base_status=$out
cat > "$TW_TMP/intruder.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="intruder">
  <tw:namespace name="net0"/>
  <tw:bridge name="brB"/>
  <tw:veth>
    <tw:end namespace="net0" name="b0" address="10.5.0.1/24"/>
    <tw:end name="brB-b0" bridge="brB"/>
  </tw:veth>
  <tw:port dev="lo" bridge="brB"/>
</tw:net>
EOF
failed "another owner fails" "$TW_TMP/intruder.xml:8: port lo master brB: " up "$TW_TMP/intruder.xml"
like "$out" '^= netns net0 \(exists: use it\)$' "another owner fails: it had used seed-veth's net0"
is "$(kstate)" "$base" "another owner fails: the kernel is exactly as before (net0 and its veth0 kept)"
run status
is "$out" "$base_status" "another owner fails: only seed-veth is on record, as before"
check "another owner fails: net0 still pings net1" pings net0 10.0.1.2
run down -q "$EX/seed-veth.xml"
is "$rc $(netns_names | wc -l) $(records)" "0 0 0" "another owner fails: seed-veth goes down cleanly"

# ---- SIGKILL in the middle of up (or down) of 50 namespaces: the next run
# converges. Bounded: a fixed number of rounds, each kill after 1-60 ms.
N=50
{
	echo '<tw:net xmlns:tw="urn:tapwire:1" name="big">'
	echo '  <tw:bridge name="brbig"/>'
	i=0
	while [ $i -lt $N ]; do
		echo "  <tw:namespace name=\"b$i\"/>"
		echo "  <tw:veth><tw:end namespace=\"b$i\" name=\"eth0\" address=\"10.20.0.$((i + 1))/16\"/><tw:end name=\"bb$i\" bridge=\"brbig\"/></tw:veth>"
		i=$((i + 1))
	done
	echo '</tw:net>'
} > "$TW_TMP/big.xml"

addrs_up() { # how many of the N namespaces have eth0 up with its address
	i=0; c=0
	while [ $i -lt $N ]; do
		[ "$(ns_addrs "b$i" eth0)" = "10.20.0.$((i + 1))/16" ] && ns_up "b$i" eth0 && c=$((c + 1))
		i=$((i + 1))
	done
	echo $c
}
all_gone() { # all_gone NAME: nothing of big is left
	is "$(netns_names | wc -l) $(ls /run/netns | wc -l)" "0 0" "$1: no namespace, no file under /run/netns"
	is "$(devs_other_than_lo)" "" "$1: no device left here"
	is "$(records)" 0 "$1: no record left"
}
kill_during() { # kill_during CMD: start tapwire CMD big.xml, SIGKILL it after 1-60 ms
	ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 60 + 1 ))
	"$TW" "$1" -q "$TW_TMP/big.xml" > /dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	diag "killed $1 after $ms ms: $(netns_names | wc -l) namespaces, $(records) records"
}

round=1
while [ $round -le 6 ]; do
	kill_during up
	if [ $((round % 2)) -eq 1 ]; then
		run up -q "$TW_TMP/big.xml"
		is "$rc" 0 "kill round $round: up again exits 0"
		is "$(netns_names | wc -l)" $N "kill round $round: all $N namespaces exist"
		is "$(bridge_ports brbig | wc -l)" $N "kill round $round: brbig has $N ports"
		is "$(addrs_up)" $N "kill round $round: every eth0 is up with its address"
		run status
		if printf '%s\n' "$out" | grep -q MISSING; then not_ok "kill round $round: status: all live"
		else ok "kill round $round: status: all live"; fi
		run up "$TW_TMP/big.xml"
		is "$rc:$out" "0:big: nothing to do" "kill round $round: then nothing to do"
	fi
	run down -q "$TW_TMP/big.xml"
	is "$rc" 0 "kill round $round: down exits 0"
	all_gone "kill round $round"
	round=$((round + 1))
done

round=1
while [ $round -le 2 ]; do
	run up -q "$TW_TMP/big.xml"
	kill_during down
	run down -q "$TW_TMP/big.xml"
	is "$rc" 0 "kill during down, round $round: down again exits 0"
	all_gone "kill during down, round $round"
	round=$((round + 1))
done

# ---- state files a dead run leaves

# Pending creations (journaled, never committed): a namespace that is only
# the placeholder file (killed between creat and mount), a bridge that was
# made (killed before the commit), a veth that never was.
ST=$(state_file)
printf 'tapwire-state 1\n! netns ghost - - crash -\n! bridge - brghost - crash -\n! veth - vnever - crash net9/x\n' > "$ST"
: > /run/netns/ghost
ip link add brghost type bridge
run status
like "$out" 'bridge brghost +created +live' "dead run: status shows the bridge it made"
like "$out" 'netns ghost +created +MISSING' "dead run: and the namespace it did not finish as missing"
run down --owner crash
is "$rc" 0 "dead run: down --owner crash exits 0"
check "dead run: the bridge it made is removed" sh -c '! test -e /sys/class/net/brghost'
is "$(ls /run/netns)" "" "dead run: its placeholder under /run/netns is removed"
is "$(records)" 0 "dead run: nothing on record"

# A torn last line (a write cut short) is skipped; what came before holds.
run up -q "$EX/seed-veth.xml"
printf '+ netns ne' >> "$ST"
run status
is "$(printf '%s\n' "$out" | grep -c 'netns ne ')" 0 "torn line: not read as a record"
like "$out" 'veth \[net0\] veth0 +created +live' "torn line: the records before it hold"
run up "$EX/seed-veth.xml"
is "$rc:$out" "0:seed-veth: nothing to do" "torn line: up has nothing to do"
run down -q "$EX/seed-veth.xml"
is "$rc $(netns_names | wc -l) $(records)" "0 0 0" "torn line: down cleans up"

# Something else where the state should be: refuse, touch nothing.
echo "not a tapwire state" > "$ST"
base=$(kstate)
failed "a foreign state file" "state: $(state_file): not a tapwire state file" up "$EX/seed-veth.xml"
is "$(kstate)" "$base" "a foreign state file: the kernel is unchanged"
failed "a foreign state file, status" "state: $(state_file): not a tapwire state file" status
rm -f "$ST"
saved=$TAPWIRE_RUNDIR
TAPWIRE_RUNDIR=/proc/tapwire-nowhere
failed "a state directory that cannot be made" "state: /proc/tapwire-nowhere: " up "$EX/seed-veth.xml"
TAPWIRE_RUNDIR=$saved
is "$(kstate)" "$base" "no state directory: the kernel is unchanged"

done_testing
