#!/bin/sh
# `tapwire up FILE` converges the owner to FILE: a file edited step by step,
# and after each `up` the kernel (ip, sysfs, /run/netns) says that what the
# file no longer declares is gone, an address that changed is replaced,
# a port that moved has its new master, and a second `up` changes nothing.
# `check` prints the +/~/- plan and changes nothing; a second file that
# reuses the owner's name is refused; a converging `up` that fails midway
# leaves the kernel as it was before it. A removal that frees a name a
# creation needs (a veth end given a new peer, a tap become a bridge) runs
# first, so one `up` does it; a busy one is refused before anything changes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

# conv FILE [ADDR1] [BRIDGE2] [WITH_C3_VETH] [WITH_C3]: owner "conv", three
# namespaces on bridge brA (brB beside it), each by a veth with an address.
conv() {
	f=$1 a1=${2:-10.0.1.1/24} b2=${3:-brA} v3=${4:-yes} n3=${5:-yes} extra=${6:-}
	{
		echo '<tw:net xmlns:tw="urn:tapwire:1" name="conv">'
		echo '  <tw:namespace name="c1"/>'
		echo '  <tw:namespace name="c2"/>'
		[ "$n3" = yes ] && echo '  <tw:namespace name="c3"/>'
		echo "  <tw:bridge name=\"brA\"$extra/>"
		echo '  <tw:bridge name="brB"/>'
		echo "  <tw:veth><tw:end namespace=\"c1\" name=\"eth0\" address=\"$a1\"/><tw:end name=\"c1-br\" bridge=\"brA\"/></tw:veth>"
		echo "  <tw:veth><tw:end namespace=\"c2\" name=\"eth0\" address=\"10.0.2.1/24${C2_EXTRA:-}\"/><tw:end name=\"c2-br\" bridge=\"$b2\"/></tw:veth>"
		[ "$v3" = yes ] && echo '  <tw:veth><tw:end namespace="c3" name="eth0" address="10.0.3.1/24"/><tw:end name="c3-br" bridge="brA"/></tw:veth>'
		echo '</tw:net>'
	} > "$f"
}
# The kernel as ip -j shows it, here and in every namespace, and the files
# under /run/netns: what "changes nothing" is compared on. The bridge's
# timers run, IPv6 duplicate address detection ends and an empty bridge
# loses its carrier on their own.
kjson() {
	{
		ip -j -d link show; ip -j addr show; ls /run/netns
		for n in $(netns_names); do ip -n "$n" -j -d link show; ip -n "$n" -j addr show; done
	} | sed -E 's/"[a-z_]*timer":[0-9.]+,?//g; s/"tentative":true,//g; s/"NO-CARRIER",//g
		s/,"LOWER_UP"//g; s/"operstate":"[A-Z]+",//g'
}
statefile() { cat "$TAPWIRE_RUNDIR"/state*; }
same_kernel() { # same_kernel BEFORE NAME: kjson is BEFORE, or the difference is shown
	kjson > "$TW_TMP/k.now"
	printf '%s\n' "$1" > "$TW_TMP/k.before"
	if cmp -s "$TW_TMP/k.before" "$TW_TMP/k.now"; then ok "$2"; else
		not_ok "$2"
		diag "$(tr '{' '\n' < "$TW_TMP/k.before" > "$TW_TMP/k.b"; tr '{' '\n' < "$TW_TMP/k.now" > "$TW_TMP/k.n"
			diff "$TW_TMP/k.b" "$TW_TMP/k.n" | head -20)"
	fi
}

F=$TW_TMP/conv.xml
conv "$F"
run up "$F"
is "$rc" 0 "v1: up exits 0"
is "$(ls /sys/class/net/brA/brif | sort | tr '\n' ' ')" "c1-br c2-br c3-br " "v1: three ports on brA"
like "$(statefile)" "^s conv $(realpath "$F")\$" "v1: the state records the owner's source"

before=$(kjson)
run up "$F"
is "$rc:$out" "0:conv: nothing to do" "a second up: nothing to do"
same_kernel "$before" "a second up: ip -j shows the kernel unchanged"

# ---- remove a veth: check shows it and changes nothing; up removes it
conv "$F" 10.0.1.1/24 brA no
cp "$TAPWIRE_RUNDIR"/state* "$TW_TMP/state.before"
run check "$F"
is "$rc" 0 "no c3 veth: check exits 0"
like "$out" '^- veth c3-br$' "no c3 veth: check prints '- veth c3-br'"
like "$out" '^- address 10.0.3.1/24 dev \[c3\] eth0$' "no c3 veth: check prints the address going"
like "$out" 'conv: 2 to remove \(dry run\)$' "no c3 veth: check's summary says it is a dry run"
same_kernel "$before" "no c3 veth: check changes nothing in the kernel"
check "no c3 veth: check changes nothing in the state" cmp -s "$TW_TMP/state.before" "$(ls "$TAPWIRE_RUNDIR"/state*)"
run up -n "$F"
like "$out" '^- veth c3-br$' "no c3 veth: up -n prints the removal"
same_kernel "$before" "no c3 veth: up -n changes nothing"
run up "$F"
is "$rc" 0 "no c3 veth: up exits 0"
like "$out" '^- veth c3-br$' "no c3 veth: up prints the removal"
like "$out" '^conv: 2 removed$' "no c3 veth: up's summary"
check "no c3 veth: c3-br is gone" sh -c '! test -e /sys/class/net/c3-br'
is "$(ip -n c3 -o link show | awk '{print $2}' | tr '\n' ' ')" "lo: " "no c3 veth: [c3] eth0 is gone"
check "no c3 veth: namespace c3 stays (still declared)" has_netns c3
is "$(ls /sys/class/net/brA/brif | sort | tr '\n' ' ')" "c1-br c2-br " "no c3 veth: brA keeps c1-br and c2-br"
run up "$F"
is "$rc:$out" "0:conv: nothing to do" "no c3 veth: then nothing to do"

# ---- change an address: only the new one is left
conv "$F" 10.0.1.7/24 brA no
run check "$F"
like "$out" '^~ address 10.0.1.1/24 -> 10.0.1.7/24 dev \[c1\] eth0$' "new address: check prints '~ address old -> new'"
is "$(ns_addrs c1 eth0)" "10.0.1.1/24" "new address: check leaves the old one"
run up "$F"
is "$rc" 0 "new address: up exits 0"
is "$(ns_addrs c1 eth0)" "10.0.1.7/24" "new address: only 10.0.1.7/24 on [c1] eth0"
run up "$F"
is "$rc:$out" "0:conv: nothing to do" "new address: then nothing to do"

# ---- move a port to another bridge
conv "$F" 10.0.1.7/24 brB no
run check "$F"
like "$out" '^~ set c2-br master brA -> brB$' "port moved: check prints '~ set c2-br master brA -> brB'"
is "$(dev_master c2-br)" brA "port moved: check leaves it on brA"
run up "$F"
is "$rc" 0 "port moved: up exits 0"
is "$(dev_master c2-br)" brB "port moved: c2-br's master is brB"
run up "$F"
is "$rc:$out" "0:conv: nothing to do" "port moved: then nothing to do"

# ---- remove a namespace
conv "$F" 10.0.1.7/24 brB no no
run up "$F"
is "$rc" 0 "no c3: up exits 0"
like "$out" '^- netns c3$' "no c3: up prints '- netns c3'"
is "$(netns_names | tr '\n' ' ')" "c1 c2 " "no c3: ip netns lists c1 and c2"
is "$(ls /run/netns | sort | tr '\n' ' ')" "c1 c2 " "no c3: nothing left of it under /run/netns"
before=$(kjson)
run up "$F"
is "$rc:$out" "0:conv: nothing to do" "no c3: a second up has nothing to do"
same_kernel "$before" "no c3: a second up changes nothing (ip -j)"

# ---- another file reusing name="conv"
cp "$F" "$TW_TMP/other.xml"
cp "$TAPWIRE_RUNDIR"/state* "$TW_TMP/state.before"
run up "$TW_TMP/other.xml"
is "$rc" 2 "same name, other file: exit 2"
is "$err" "tapwire: owner conv is already used by $(realpath "$F"); this is $TW_TMP/other.xml: give it another name= or --owner" \
	"same name, other file: the message names both"
same_kernel "$before" "same name, other file: the first owner's objects are untouched"
check "same name, other file: the state is as before" cmp -s "$TW_TMP/state.before" "$(ls "$TAPWIRE_RUNDIR"/state*)"
run check "$TW_TMP/other.xml"
is "$rc" 2 "same name, other file: check exits 2 too"
run up "$TW_TMP/../$(basename "$TW_TMP")/conv.xml"
is "$rc:$out" "0:conv: nothing to do" "the same file by another path is the same source"
run up --owner conv -n "$TW_TMP/other.xml"
is "$rc:$out" "0:conv: nothing to do (dry run)" "--owner conv: the other file may take the name over (same content: nothing to do)"
run up --owner conv2 -n "$TW_TMP/other.xml"
like "$out" "^conv2: .*\\(dry run\\)$" "--owner conv2: the other file under a name of its own"
same_kernel "$before" "... and the dry runs changed nothing"

# ---- records of an earlier version (no source): the first up adopts them
grep -v '^s ' "$TW_TMP/state.before" > "$(ls "$TAPWIRE_RUNDIR"/state*)"
run up "$TW_TMP/other.xml"
is "$rc:$out" "0:conv: nothing to do" "records without a source: up adopts them"
like "$(statefile)" "^s conv $TW_TMP/other.xml\$" "records without a source: the state now names other.xml"
run up "$F"
is "$rc" 2 "records without a source: then conv.xml is the other file"
run up "$TW_TMP/other.xml"
is "$rc" 0 "records without a source: other.xml is up"
grep -v '^s ' "$TW_TMP/state.before" > "$(ls "$TAPWIRE_RUNDIR"/state*)"
run up "$F"
is "$rc:$out" "0:conv: nothing to do" "records without a source: conv.xml takes them back"
rm "$TW_TMP/other.xml"

# ---- a converging up that fails midway: an MTU changed, an address
# replaced and a namespace made, then an IPv6 address the namespace refuses
ip netns exec c2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec c2 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
before=$(kjson)
cp "$TAPWIRE_RUNDIR"/state* "$TW_TMP/state.before"
C2_EXTRA=,fd00::2/64 conv "$F" 10.0.1.9/24 brB no yes ' mtu="1400"'
run up "$F"
is "$rc" 1 "failing midway: exit 1"
like "$err" 'address fd00::2/64 dev \[c2\] eth0: Permission denied' "failing midway: names the step"
like "$out" '^~ set brA mtu 1500 -> 1400$' "failing midway: brA's MTU had been changed"
like "$out" '^~ address 10.0.1.7/24 -> 10.0.1.9/24 dev \[c1\] eth0$' "failing midway: c1's address had been replaced"
like "$out" '^\+ netns c3$' "failing midway: c3 had been made"
is "$(dev_mtu brA)" 1500 "failing midway: brA's MTU is 1500 again"
is "$(ns_addrs c1 eth0)" "10.0.1.7/24" "failing midway: c1 has its old address again"
is "$(netns_names | tr '\n' ' ')" "c1 c2 " "failing midway: c3 is gone again"
same_kernel "$before" "failing midway: the kernel is as before that up (ip -j)"
run status
like "$out" 'address 10.0.1.7/24 dev \[c1\] eth0 +created +live' "failing midway: the old address is on record again"

# ---- a removal that frees a name a creation needs runs first: one up.
# clash FILE VETH_END TAPS...: owner "clash", [cl1] eth0 on brC by a veth
# whose host end is VETH_END; each of TAPS is "tap:NAME" or "bridge:NAME".
clash() {
	f=$1 end=$2
	shift 2
	{
		echo '<tw:net xmlns:tw="urn:tapwire:1" name="clash">'
		echo '  <tw:namespace name="cl1"/>'
		echo '  <tw:bridge name="brC"/>'
		echo "  <tw:veth><tw:end namespace=\"cl1\" name=\"eth0\" address=\"10.9.1.1/24${CL_EXTRA:-}\"/><tw:end name=\"$end\" bridge=\"brC\"/></tw:veth>"
		for t in "$@"; do
			case $t in
			tap:*) echo "  <tw:tap name=\"${t#tap:}\" bridge=\"brC\"/>" ;;
			bridge:*) echo "  <tw:bridge name=\"${t#bridge:}\"/>" ;;
			esac
		done
		echo '</tw:net>'
	} > "$f"
}
G=$TW_TMP/clash.xml
clash "$G" cl-a tap:clt0
run up "$G"
is "$rc" 0 "clash: up exits 0"
is "$(veth_peer_index cl1 eth0)" "$(ifindex . cl-a)" "clash: [cl1] eth0 is cl-a's peer"

clash "$G" cl-b tap:clt0
run check "$G"
like "$(printf '%s\n' "$out" | grep -n '^[-+] veth' | tr '\n' ' ')" '^[0-9]+:- veth cl-a [0-9]+:\+ veth cl-b <-> \[cl1\] eth0 $' \
	"veth end reused: check removes the old pair before it makes the new one"
run up "$G"
is "$rc" 0 "veth end reused: one up exits 0"
[ "$rc" = 0 ] || diag "$out" "$err"
check "veth end reused: cl-a is gone" sh -c '! test -e /sys/class/net/cl-a'
is "$(veth_peer_index cl1 eth0)" "$(ifindex . cl-b)" "veth end reused: [cl1] eth0 is now cl-b's peer"
is "$(ls /sys/class/net/brC/brif | sort | tr '\n' ' ')" "cl-b clt0 " "veth end reused: brC has cl-b and clt0"
is "$(ns_addrs cl1 eth0)" "10.9.1.1/24" "veth end reused: [cl1] eth0 has its address again"
before=$(kjson)
run up "$G"
is "$rc:$out" "0:clash: nothing to do" "veth end reused: a second up has nothing to do"
same_kernel "$before" "veth end reused: a second up changes nothing (ip -j)"

clash "$G" cl-b bridge:clt0
run up "$G"
is "$rc" 0 "tap become a bridge: one up exits 0"
like "$out" '^- tap clt0$' "tap become a bridge: up prints the removal"
check "tap become a bridge: clt0 is a bridge" test -d /sys/class/net/clt0/bridge
is "$(dev_tun_flags clt0)" "" "tap become a bridge: clt0 is no tap"
is "$(ls /sys/class/net/brC/brif | tr '\n' ' ')" "cl-b " "tap become a bridge: brC keeps cl-b only"
before=$(kjson)
run up "$G"
is "$rc:$out" "0:clash: nothing to do" "tap become a bridge: a second up has nothing to do"
same_kernel "$before" "tap become a bridge: a second up changes nothing (ip -j)"

# a failure after the early removal: what was made is undone, the removed
# tap cannot come back and the rollback says so
clash "$G" cl-b bridge:clt0 tap:clt2
run up "$G"
is "$rc" 0 "clash: clt2 made"
ip netns exec cl1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.eth0.disable_ipv6=1
CL_EXTRA=,fd00::9/64 clash "$G" cl-b bridge:clt0 bridge:clt2 bridge:clt3
run up "$G"
is "$rc" 1 "early removal, then a failure: exit 1"
like "$out" '^! tap clt2 \(removed first to free its name: not brought back\)$' \
	"early removal, then a failure: the rollback says the tap is not brought back"
like "$out" '^- bridge clt3 \(undone\)$' "early removal, then a failure: the new bridge is undone"
check "early removal, then a failure: neither clt2 nor clt3 is left" \
	sh -c '! test -e /sys/class/net/clt2 && ! test -e /sys/class/net/clt3'
clash "$G" cl-b bridge:clt0 tap:clt2
run up "$G"
is "$rc" 0 "early removal, then a failure: the next up makes clt2 again"

# the tap to remove first is held: refused before anything changes
tw_hold_tap clt2
like "$(cat "$TW_TMP/hold.out")" '^held clt2' "held: a process holds clt2 (pid $hpid)"
before=$(kjson)
cp "$TAPWIRE_RUNDIR"/state* "$TW_TMP/state.before"
clash "$G" cl-b bridge:clt0 bridge:clt2
run up "$G"
is "$rc" 1 "held: up refuses, exit 1"
like "$err" "tap clt2 is held by pid $hpid tw-tap-persist" "held: names the holder"
same_kernel "$before" "held: the kernel is unchanged (ip -j)"
check "held: the state is unchanged" cmp -s "$TW_TMP/state.before" "$(ls "$TAPWIRE_RUNDIR"/state*)"
touch "$TW_TMP/release"
wait "$hpid"
run up "$G"
is "$rc" 0 "held: once released, up makes clt2 a bridge"
check "held: clt2 is a bridge" test -d /sys/class/net/clt2/bridge
run down "$G"
is "$rc" 0 "clash: down exits 0"

# ---- down removes what is left
run down "$F"
is "$rc" 0 "down exits 0"
is "$(netns_names | wc -l) $(records)" "0 0" "down: no namespace, no record left"
check "down: brA and brB are gone" sh -c '! test -e /sys/class/net/brA && ! test -e /sys/class/net/brB'

done_testing
