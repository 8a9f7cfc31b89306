#!/bin/sh
# tapwire check/up/status/down on every file in examples/, the seed's three
# experiments and the libvirt domain, against the real kernel of this test's
# private namespaces. Each assertion reads what the kernel reports (ip,
# sysfs, ping replies) or tapwire's state file, never only tapwire's output.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

# ---- what each example must look like in the kernel once it is up

verify_seed_veth() {
	is "$(netns_names | tr '\n' ' ')" "net0 net1 " "seed-veth: namespaces net0 and net1 exist"
	is "$(ns_attr net0 veth0 operstate)/$(ns_attr net1 veth1 operstate)" "up/up" \
		"seed-veth: veth0 (net0) and veth1 (net1) are up, carrier on"
	is "$(veth_peer_index net0 veth0)" "$(ifindex net1 veth1)" "seed-veth: veth0's peer is veth1 in net1"
	is "$(ns_addrs net0 veth0)|$(ns_addrs net1 veth1)" "10.0.1.1/24|10.0.1.2/24" \
		"seed-veth: addresses 10.0.1.1/24 and 10.0.1.2/24"
	check "seed-veth: lo is up in net0 and net1" sh -c \
		"ip -n net0 -o link show lo | grep -q '[<,]UP[,>]' && ip -n net1 -o link show lo | grep -q '[<,]UP[,>]'"
	check "seed-veth: net0 pings 10.0.1.2 (net1)" pings net0 10.0.1.2
	check "seed-veth: net1 pings 10.0.1.1 (net0)" pings net1 10.0.1.1
	is "$(devs_other_than_lo)" "" "seed-veth: nothing was made in the caller's namespace"
}

verify_seed_bridge() {
	is "$(netns_names | tr '\n' ' ')" "bridge net0 net1 " "seed-bridge: namespaces bridge, net0, net1 exist"
	check "seed-bridge: br in namespace bridge is a Linux bridge" \
		test -n "$(ns_attr bridge br bridge/stp_state)"
	is "$(ns_ports bridge br)" "bridge-net0 bridge-net1" "seed-bridge: br's ports are bridge-net0 and bridge-net1"
	check "seed-bridge: br is up" ns_up bridge br
	is "$(ns_attr bridge br addr_assign_type)" 3 "seed-bridge: br has a MAC of its own (set, not taken from a port)"
	is "$(veth_peer_index net0 net0-bridge)" "$(ifindex bridge bridge-net0)" \
		"seed-bridge: net0-bridge's peer is bridge-net0 in namespace bridge"
	is "$(veth_peer_index net1 net1-bridge)" "$(ifindex bridge bridge-net1)" \
		"seed-bridge: net1-bridge's peer is bridge-net1 in namespace bridge"
	is "$(ns_attr net0 net0-bridge operstate)/$(ns_attr net1 net1-bridge operstate)" "up/up" \
		"seed-bridge: the namespace ends are up"
	is "$(ns_addrs net0 net0-bridge)|$(ns_addrs net1 net1-bridge)" "10.0.1.1/24|10.0.1.2/24" \
		"seed-bridge: addresses 10.0.1.1/24 and 10.0.1.2/24"
	is "$(ns_attr bridge br mtu) $(ns_attr bridge bridge-net0 mtu) $(ns_attr net0 net0-bridge mtu)" \
		"1500 1500 1500" "seed-bridge: MTU 1500 throughout"
	check "seed-bridge: net0 pings 10.0.1.2 through the bridge" pings net0 10.0.1.2
	check "seed-bridge: net1 pings 10.0.1.1 through the bridge" pings net1 10.0.1.1
	is "$(devs_other_than_lo)" "" "seed-bridge: nothing was made in the caller's namespace"
}

# seed-tap.xml and domain-bridge.xml describe the same network: br0 here,
# net0 plugged into it. Neither gives br0 an address, so the test lends it
# one for a moment to see packets cross the bridge.
verify_br0_net0() { # verify_br0_net0 NAME MTU
	is "$(netns_names | tr '\n' ' ')" "net0 " "$1: namespace net0 exists"
	is "$(sys_attr br0 bridge/stp_state)" 0 "$1: br0 is a Linux bridge (stp off)"
	check "$1: br0 is up" dev_is_up br0
	is "$(bridge_ports br0 | tr '\n' ' ')" "br-net0 " "$1: br0's one port is br-net0"
	is "$(dev_master br-net0)" br0 "$1: br-net0's master is br0"
	check "$1: br-net0 is up" dev_is_up br-net0
	is "$(veth_peer_index net0 veth0)" "$(ifindex . br-net0)" "$1: veth0 in net0 is br-net0's peer"
	is "$(ns_attr net0 veth0 operstate)" up "$1: veth0 is up"
	is "$(ns_addrs net0 veth0)" 10.0.1.1/24 "$1: veth0 has 10.0.1.1/24"
	is "$(dev_mtu br0) $(dev_mtu br-net0) $(ns_attr net0 veth0 mtu)" "$2 $2 $2" "$1: MTU $2 on br0, br-net0, veth0"
	ip addr add 10.0.1.254/24 dev br0
	check "$1: net0 pings an address on br0 (through br-net0)" pings net0 10.0.1.254
	ip addr del 10.0.1.254/24 dev br0
}
verify_seed_tap() {
	verify_br0_net0 seed-tap 1500
	is "$(sys_attr br0 addr_assign_type)" 3 "seed-tap: br0 has a MAC of its own (set, not taken from a port)"
}
verify_domain_bridge() { verify_br0_net0 domain-bridge 1500; }

# ---- the life of one example: check, dry runs, up, up again, status, down

# lifecycle FILE OWNER VERIFY STATUS-JSON-LINES
lifecycle() {
	lc_file=$EX/$1; lc=${1%.xml}; lc_owner=$2
	base=$(kstate)
	run check "$lc_file"
	is "$rc" 0 "$lc: check exits 0"
	like "$out" "^$lc_file: valid; owner $lc_owner:" "$lc: check says the file is valid and names owner $lc_owner"
	like "$out" '^\+ netns ' "$lc: check prints the plan ('+ netns ...')"
	is "$(kstate)" "$base" "$lc: check changes nothing in the kernel"
	is "$(records)" 0 "$lc: check records nothing"

	run up --dry-run "$lc_file"
	is "$rc" 0 "$lc: up --dry-run exits 0"
	like "$out" '^\+ netns ' "$lc: up --dry-run prints the steps"
	is "$(kstate)" "$base" "$lc: up --dry-run changes nothing in the kernel"
	is "$(records)" 0 "$lc: up --dry-run records nothing"

	run up "$lc_file"
	is "$rc" 0 "$lc: up exits 0"
	is "$err" "" "$lc: up prints nothing on stderr"
	$3
	after=$(kstate)

	run up "$lc_file"
	is "$rc:$out" "0:$lc_owner: nothing to do" "$lc: a second up says 'nothing to do' and exits 0"
	is "$(kstate)" "$after" "$lc: a second up changes nothing in the kernel"
	run up -n "$lc_file"
	is "$rc:$out" "0:$lc_owner: nothing to do (dry run)" "$lc: up -n when up: 'nothing to do (dry run)'"

	run status
	is "$rc" 0 "$lc: status exits 0"
	like "$out" "^owner $lc_owner\$" "$lc: status names owner $lc_owner"
	if printf '%s\n' "$out" | grep -q 'MISSING'; then not_ok "$lc: status: every object is live"; diag "$out"
	else ok "$lc: status: every object is live"; fi
	like "$out" "netns net0 +created +live" "$lc: status: netns net0 created, live"
	run status --json
	is "$rc" 0 "$lc: status --json exits 0"
	printf '%s\n' "$out" > "$TW_TMP/status.json"
	json_check "$TW_TMP/status.json" "$lc: status --json lists each object, created, live, owner $lc_owner" "$4"

	run down --dry-run "$lc_file"
	is "$rc" 0 "$lc: down --dry-run exits 0"
	like "$out" '^- ' "$lc: down --dry-run prints what it would remove"
	is "$(kstate)" "$after" "$lc: down --dry-run changes nothing in the kernel"

	run down "$lc_file"
	is "$rc" 0 "$lc: down exits 0"
	like "$out" '^- netns net0$' "$lc: down prints '- netns net0'"
	is "$(netns_names)" "" "$lc: down: no namespace left"
	is "$(ls /run/netns)" "" "$lc: down: nothing left under /run/netns"
	is "$(devs_other_than_lo)" "" "$lc: down: no device left here"
	is "$(kstate)" "$base" "$lc: down: the kernel is as before up"
	is "$(records)" 0 "$lc: down: the state holds no record"
	run status
	is "$out" "nothing on record" "$lc: status after down: nothing on record"
	run down "$lc_file"
	is "$rc:$out" "0:$lc_owner: nothing on record" "$lc: down again exits 0: nothing on record"
}

lifecycle seed-veth.xml seed-veth verify_seed_veth "netns|net0|||true|true|seed-veth
netns|net1|||true|true|seed-veth
veth|net0|veth0||true|true|seed-veth
address|net0|veth0|10.0.1.1/24|true|true|seed-veth
address|net1|veth1|10.0.1.2/24|true|true|seed-veth"

lifecycle seed-bridge.xml seed-bridge verify_seed_bridge "netns|net0|||true|true|seed-bridge
netns|net1|||true|true|seed-bridge
netns|bridge|||true|true|seed-bridge
bridge|bridge|br||true|true|seed-bridge
veth|bridge|bridge-net0||true|true|seed-bridge
veth|bridge|bridge-net1||true|true|seed-bridge
address|net0|net0-bridge|10.0.1.1/24|true|true|seed-bridge
address|net1|net1-bridge|10.0.1.2/24|true|true|seed-bridge"

lifecycle seed-tap.xml seed-tap verify_seed_tap "netns|net0|||true|true|seed-tap
bridge||br0||true|true|seed-tap
veth||br-net0||true|true|seed-tap
address|net0|veth0|10.0.1.1/24|true|true|seed-tap"

lifecycle domain-bridge.xml seed-vm verify_domain_bridge "netns|net0|||true|true|seed-vm
bridge||br0||true|true|seed-vm
veth||br-net0||true|true|seed-vm
address|net0|veth0|10.0.1.1/24|true|true|seed-vm"

# ---- objects that were there before are used, never deleted, and what
# tapwire changed on them is put back.

# br0 made by hand: down, MTU 1400 set by the administrator, its own MAC and
# address. seed-tap.xml declares br0, so tapwire uses it and brings it up.
ip link add br0 address 02:00:00:00:0b:00 type bridge
ip link set br0 mtu 1400
ip addr add 10.0.1.254/24 dev br0
before=$(kdevs .)
run up "$EX/seed-tap.xml"
is "$rc" 0 "pre-existing br0: up exits 0"
like "$out" '^= bridge br0 \(exists: use it\)$' "pre-existing br0: the plan uses it ('= bridge br0')"
like "$out" '^~ set br0 up 0 -> 1$' "pre-existing br0: the plan brings it up ('~ set br0 up 0 -> 1')"
check "pre-existing br0: the kernel shows br0 up" dev_is_up br0
is "$(dev_master br-net0)" br0 "pre-existing br0: br-net0 is on it"
is "$(dev_mtu br-net0) $(ns_attr net0 veth0 mtu)" "1400 1400" "pre-existing br0: the new veth takes br0's MTU (1400)"
is "$(dev_mtu br0)" 1400 "pre-existing br0: its MTU stays 1400"
check "pre-existing br0: net0 pings br0's own address" pings net0 10.0.1.254
run status
like "$out" 'bridge br0 +used +live' "pre-existing br0: status says 'used', not 'created'"
run status --json
printf '%s\n' "$out" > "$TW_TMP/status.json"
json_check "$TW_TMP/status.json" "pre-existing br0: status --json: the bridge and its setting are not tapwire's" \
"netns|net0|||true|true|seed-tap
bridge||br0||false|true|seed-tap
attr||br0|up|false|true|seed-tap
veth||br-net0||true|true|seed-tap
address|net0|veth0|10.0.1.1/24|true|true|seed-tap"
run up "$EX/seed-tap.xml"
is "$rc:$out" "0:seed-tap: nothing to do" "pre-existing br0: a second up has nothing to do"
run down "$EX/seed-tap.xml"
is "$rc" 0 "pre-existing br0: down exits 0"
like "$out" '^= bridge br0 \(kept: tapwire did not create it\)$' "pre-existing br0: down keeps it"
is "$(kdevs .)" "$before" "pre-existing br0: after down br0 is exactly as before (down, MTU 1400, MAC, address)"
check "pre-existing br0: it is down again" dev_is_down br0
is "$(bridge_ports br0)" "" "pre-existing br0: no port left on it"
is "$(netns_names)" "" "pre-existing br0: net0 is gone"
is "$(records)" 0 "pre-existing br0: no record left"

# A declared MTU on a pre-existing bridge is a setting tapwire changes, and
# puts back.
sed 's|<tw:bridge name="br0"/>|<tw:bridge name="br0" mtu="9000"/>|' "$EX/seed-tap.xml" > "$TW_TMP/jumbo.xml"
ip link set br0 up
before=$(kdevs .)
run up "$TW_TMP/jumbo.xml"
is "$rc" 0 "br0 mtu=9000 on a 1400 br0: up exits 0"
like "$out" '^~ set br0 mtu 1400 -> 9000$' "br0 mtu=9000: the plan changes the MTU"
is "$(dev_mtu br0) $(dev_mtu br-net0) $(ns_attr net0 veth0 mtu)" "9000 9000 9000" "br0 mtu=9000: br0 and the new veth have MTU 9000"
run down "$TW_TMP/jumbo.xml"
is "$rc" 0 "br0 mtu=9000: down exits 0"
is "$(dev_mtu br0)" 1400 "br0 mtu=9000: down puts br0's MTU back to 1400"
check "br0 mtu=9000: br0 stays up (it was up before)" dev_is_up br0
is "$(kdevs .)" "$before" "br0 mtu=9000: after down br0 is exactly as before"
ip link del br0

# A namespace made by hand is used, not deleted; what tapwire put in it goes.
ip netns add net0
run up "$EX/seed-veth.xml"
is "$rc" 0 "pre-existing net0: up exits 0"
like "$out" '^= netns net0 \(exists: use it\)$' "pre-existing net0: the plan uses it"
check "pre-existing net0: net0 pings net1" pings net0 10.0.1.2
run down "$EX/seed-veth.xml"
is "$rc" 0 "pre-existing net0: down exits 0"
is "$(netns_names | tr '\n' ' ')" "net0 " "pre-existing net0: net0 is still there, net1 is gone"
is "$(ip -n net0 -o link show | awk '{print $2}' | tr '\n' ' ')" "lo: " "pre-existing net0: veth0 is gone from it"
is "$(records)" 0 "pre-existing net0: no record left"
ip netns del net0

# A device made by hand given as a port (a NIC, say): put on the bridge and
# brought up, then taken off and put back down.
mk_foreign eth9
cat > "$TW_TMP/port.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="porty">
  <tw:bridge name="brp"/>
  <tw:port dev="eth9" bridge="brp"/>
</tw:net>
EOF
before=$(kdevs .)
run up "$TW_TMP/port.xml"
is "$rc" 0 "port eth9: up exits 0"
is "$(dev_master eth9)" brp "port eth9: its master is brp"
check "port eth9: it is up" dev_is_up eth9
run up "$TW_TMP/port.xml"
is "$rc:$out" "0:porty: nothing to do" "port eth9: a second up has nothing to do"
run down "$TW_TMP/port.xml"
is "$rc" 0 "port eth9: down exits 0"
is "$(dev_master eth9)" "" "port eth9: off the bridge again"
check "port eth9: down again, as it was" dev_is_down eth9
is "$(kdevs .)" "$before" "port eth9: exactly as before (brp gone)"
ip link set eth9 up
run up -q "$TW_TMP/port.xml"
run down -q "$TW_TMP/port.xml"
check "port eth9 that was up: stays up after down" dev_is_up eth9
ip link del eth9

# Drift: someone removes an address, a whole namespace and a bridge port;
# up puts back what is missing and nothing else.
run up -q "$EX/seed-bridge.xml"
ip -n net0 addr flush dev net0-bridge
ip netns del net1
ip -n bridge link del bridge-net0
# At once: the kernel tears net1 down in the background, and its veth's
# peer (bridge-net1) may still be there when tapwire looks.
run up "$EX/seed-bridge.xml"
is "$rc" 0 "drift: up after objects vanished exits 0"
[ "$rc" = 0 ] || diag "$err"
like "$out" '^\+ netns net1$' "drift: up recreates net1"
check "drift: net0 pings net1 again" pings net0 10.0.1.2
run up "$EX/seed-bridge.xml"
is "$rc:$out" "0:seed-bridge: nothing to do" "drift: then nothing to do"
run down -q "$EX/seed-bridge.xml"
is "$rc $(netns_names | wc -l) $(records)" "0 0 0" "drift: down removes everything"

# ---- a dry run and check read the state if there is one and create
# nothing on disk: no state directory, no lock
saved_rundir=$TAPWIRE_RUNDIR
export TAPWIRE_RUNDIR="$TW_TMP/empty-run"
mkdir "$TAPWIRE_RUNDIR"
run up -n "$EX/seed-veth.xml"
like "$rc:$(printf '%s\n' "$out" | tail -n 1)" '^0:seed-veth: .*\(dry run\)$' "up -n with an empty state directory: exit 0, a dry run"
is "$(ls -A "$TAPWIRE_RUNDIR")" "" "up -n: the state directory stays empty (no lock, no state)"
run check "$EX/seed-veth.xml"
like "$rc:$out" '^0:.*: valid; ' "check with an empty state directory: exit 0, valid"
is "$(ls -A "$TAPWIRE_RUNDIR")" "" "check: the state directory stays empty (no lock, no state)"
export TAPWIRE_RUNDIR="$TW_TMP/no-run/tapwire"
run up -n "$EX/seed-veth.xml"
run check "$EX/seed-bridge.xml"
check "up -n and check: a state directory that is missing is not made" test ! -e "$TW_TMP/no-run"
is "$(netns_names | wc -l)" 0 "up -n and check: nothing in the kernel either"
export TAPWIRE_RUNDIR=$saved_rundir

# ---- as a user: up, down, status say they need root (one line, exit 1);
# check validates the file only, and says the plan needs root
tw_add_user twuser 4242
run up -q "$EX/seed-veth.xml"
cp -a "$TAPWIRE_RUNDIR" "$TW_TMP/run.before"
urun() {
	tw_as_user 4242 "$TW" "$@" > "$TW_TMP/run.out" 2> "$TW_TMP/run.err"
	rc=$?
	out=$(cat "$TW_TMP/run.out")
	err=$(cat "$TW_TMP/run.err")
}
for cmd in up down; do
	urun $cmd "$EX/seed-veth.xml"
	like "$rc|$out|$err" "^1\|\|tapwire: $cmd needs root \(it changes network devices and writes $TAPWIRE_RUNDIR\)\$" \
		"as a user, $cmd: exit 1, one line: it needs root"
done
urun attach "$top_srcdir/tests/xml/interface.xml"
like "$rc|$out|$err" "^1\|\|tapwire: attach needs root " "as a user, attach: exit 1, it needs root"
urun status
like "$rc|$out|$err" "^1\|\|tapwire: status needs root \(it reads $TAPWIRE_RUNDIR " "as a user, status: exit 1, it needs root"
urun check "$EX/seed-veth.xml"
is "$rc" 0 "as a user, check of a valid file: exit 0"
like "$out" "^$EX/seed-veth\.xml: valid; owner seed-veth: " "as a user, check: the file is valid"
is "$(printf '%s\n' "$out" | wc -l)" 1 "as a user, check: no plan lines"
like "$err" '^tapwire: check: the file only; the plan needs root ' "as a user, check: says the plan needs root"
urun check "$top_srcdir/tests/bad/name-16-chars.xml"
like "$rc|$out|$err" "^2\|\|tapwire: .*name-16-chars\.xml:[0-9]+: " "as a user, check of a bad file: exit 2, file:line"
check "as a user: nothing changed in the state directory" diff -r "$TW_TMP/run.before" "$TAPWIRE_RUNDIR"
check "as a user: seed-veth is still up" pings net0 10.0.1.2
run down -q "$EX/seed-veth.xml"
is "$rc $(netns_names | wc -l) $(records)" "0 0 0" "as a user: then down as root removes everything"

done_testing
