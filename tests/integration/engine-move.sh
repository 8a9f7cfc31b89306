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

# ---- bad input: exit 2, one line, nothing changed
TWH up "$TW_TMP/nic.xml" --confirm 0
is "$rc:$err" "2:tapwire: --confirm 0: seconds from 1 to 86400" "--confirm 0: exit 2, one line"
TWH down "$TW_TMP/nic.xml" --confirm 5
is "$rc:$err" "2:tapwire: down: --confirm and --probe are for up only" "down --confirm: exit 2"
TWH up "$TW_TMP/nic.xml" --probe 10.0.0
is "$rc:$err" "2:tapwire: --probe 10.0.0: not an IPv4 or IPv6 address" "--probe 10.0.0: exit 2, one line"
is "$(snap eth0)" "dev eth0 master -
$before" "bad input: eth0 is as it was"

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

# ---- --confirm: nobody confirms, and it all goes back by itself
pending() { TWH status --json; printf '%s' "$out" | jq -r '.pending[].owner'; }
reverting() { ls "$TAPWIRE_RUNDIR" | grep -q 'reverting$'; }
gone_back() { # gone_back SECONDS: wait until eth0 has it all back, the revert over
	for i in $(seq $(($1 * 10))); do
		[ "$(snap eth0 | sed 1d)" = "$before" ] && [ -z "$(pending)" ] && ! reverting && return 0
		sleep 0.1
	done
	return 1
}
TWH up "$TW_TMP/nic.xml" --confirm 2
is "$rc" 0 "up --confirm 2 exits 0"
like "$out" "confirm nic. within 2 s" "up --confirm says how to keep it"
is "$(snap eth0)" "dev eth0 master br0" "up --confirm: the move is done"
is "$(pending)" "nic" "status --json: the change of nic waits for confirmation"
TWH status
like "$out" "^pending nic: .*nic.xml waits for .tapwire confirm nic. until" "status: says it waits, and until when"
timer=$(cat "$TAPWIRE_RUNDIR"/confirm* | sed -n 's/^pid //p')
# Alive: a zombie is gone (whatever reaps orphans here may not).
alive() { st=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null); [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
sid_of() { ps -o sid= -p "$1" | tr -d ' '; }
if [ -n "$timer" ] && alive "$timer" && [ "$(sid_of "$timer")" != "$(sid_of $$)" ]; then
	ok "the timer runs on its own, in a session that is not the test's"
else not_ok "the timer runs on its own, in a session that is not the test's"; fi
check "without confirm, it reverts by itself (within 20 s)" gone_back 20
is "$(records)" 0 "reverted: nothing on record (nic had nothing before)"
check "reverted: the gateway answers through eth0" ping_gw 10.0.0.1

# ---- --confirm, then confirm: it stays
TWH up "$TW_TMP/nic.xml" --confirm 30
timer=$(cat "$TAPWIRE_RUNDIR"/confirm* | sed -n 's/^pid //p')
TWH confirm
is "$rc:$out" "0:nic: confirmed: $TW_TMP/nic.xml stays" "confirm (the only pending one) exits 0"
is "$(pending)" "" "confirmed: nothing waits any more"
sleep 0.2
if alive "$timer"; then not_ok "confirmed: the timer is gone"; else ok "confirmed: the timer is gone"; fi
is "$(snap br0 eth0)" "$moved" "confirmed: br0 keeps the addresses and routes"
TWH confirm nic
is "$rc" 1 "a second confirm: exit 1, nothing waits"

# ---- where systemd runs, the timer is a transient unit: a stand-in
# systemd-run and systemctl (this test's own PATH, its private /run) say
# what tapwire asks of them, and the stand-in timer runs what systemd would.
mkdir -p "$TW_TMP/bin" /run/systemd/system
cat > "$TW_TMP/bin/systemd-run" <<'EOF'
#!/bin/sh
echo "systemd-run $*" >> "$TW_TMP/systemd.log"
while [ $# -gt 0 ]; do
	case $1 in
	--on-active=*) secs=${1#--on-active=} ;;
	--unit=*) unit=${1#--unit=} ;;
	--*) ;;
	*) break ;;
	esac
	shift
done
(sleep "$secs"; [ -e "$TW_TMP/stopped-$unit" ] || "$@") < /dev/null >> "$TW_TMP/systemd.log" 2>&1 &
EOF
cat > "$TW_TMP/bin/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*" >> "$TW_TMP/systemd.log"
for a; do case $a in *.timer) touch "$TW_TMP/stopped-${a%.timer}" ;; esac; done
EOF
chmod +x "$TW_TMP/bin/systemd-run" "$TW_TMP/bin/systemctl"
TWH down "$TW_TMP/nic.xml"
settle
PATH="$TW_TMP/bin:$PATH" TWH up "$TW_TMP/nic.xml" --confirm 1
unit=$(cat "$TAPWIRE_RUNDIR"/confirm* | sed -n 's/^unit //p')
like "$(cat "$TW_TMP/systemd.log")" "^systemd-run --quiet --collect --unit=$unit --on-active=1 .* /.*tapwire --netns host revert nic\$" \
	"systemd: up --confirm asks systemd-run for a timer that runs tapwire revert in this namespace"
check "systemd: without confirm, the unit's revert takes it back (within 20 s)" gone_back 20
PATH="$TW_TMP/bin:$PATH" TWH up "$TW_TMP/nic.xml" --confirm 30
unit=$(cat "$TAPWIRE_RUNDIR"/confirm* | sed -n 's/^unit //p')
PATH="$TW_TMP/bin:$PATH" TWH confirm nic
like "$(tail -n 1 "$TW_TMP/systemd.log")" "^systemctl stop --quiet $unit.timer\$" "systemd: confirm stops the timer unit"
is "$(pending):$(snap eth0)" ":dev eth0 master br0" "systemd: confirmed, it stays"
rm -r /run/systemd

# ---- one change waits at a time; revert takes it back now
TWH up "$TW_TMP/nic.xml" --confirm 30
TWH up "$TW_TMP/nic.xml" --confirm 30
is "$rc" 1 "a second up --confirm while one waits: exit 1"
like "$err" "^tapwire: nic: a change waits for confirmation already" "it says one waits already"
TWH revert nic --json
is "$rc:$(printf '%s' "$out" | jq -r .summary.text)" "0:nic: reverted: what was applied before is back" \
	"revert --json: exit 0, says what it did"
is "$(pending):$(snap br0 eth0)" ":$moved" "reverted to what was applied before (moved): nothing waits"

# ---- --probe: a change that cuts the host off goes back at once to what
# was applied before: here the same file, edited in place to stop moving
# the addresses (eth0 a port, with its addresses: the host is unreachable).
cp "$TW_TMP/nic.xml" "$TW_TMP/nic-moved.xml"
sed -i 's/ move-addresses="yes"//' "$TW_TMP/nic.xml"
TWH up "$TW_TMP/nic.xml" --probe 10.0.0.1
is "$rc" 1 "up --probe of a change that cuts the host off: exit 1"
like "$err" "^tapwire: nic: --probe 10.0.0.1: no answer within 5 s: reverted" "it says the probe failed and it reverted"
is "$(snap br0 eth0)" "$moved" "the description applied before is back: br0 holds it all again"
check "and the gateway answers" ping_gw 10.0.0.1
TWH status --json
is "$(printf '%s' "$out" | jq -r '[.objects[] | select(.kind == "bridge")][0].owners[0]')" nic "status: nic still owns br0"
cp "$TW_TMP/nic-moved.xml" "$TW_TMP/nic.xml"
TWH down "$TW_TMP/nic.xml"
settle
# A gateway that drops pings still answers ARP: that is an answer.
ip netns exec lan sysctl -qw net.ipv4.icmp_echo_ignore_all=1
TWH up "$TW_TMP/nic.xml" --probe 10.0.0.1
is "$rc:$(snap eth0)" "0:dev eth0 master br0" "up --probe of a gateway that drops pings but answers ARP: exit 0, it stays"
ip netns exec lan sysctl -qw net.ipv4.icmp_echo_ignore_all=0
TWH down "$TW_TMP/nic.xml"
settle
is "$rc:$(snap eth0 | sed 1d)" "0:$before" "down after the revert: eth0 has it all back exactly"

# ---- --probe of a dead address on a first up: released at once
TWH up "$TW_TMP/nic.xml" --probe 10.0.0.99
is "$rc" 1 "up --probe of an address nobody has: exit 1"
settle
is "$(snap eth0 | sed 1d):$(records)" "$before:0" "the change is reverted: eth0 has it all, nothing on record"
TWH up "$TW_TMP/nic.xml" --probe fd00::1
is "$rc:$(snap eth0)" "0:dev eth0 master br0" "up --probe of the gateway (IPv6) that answers: exit 0, the move stays"
TWH down "$TW_TMP/nic.xml"

# ---- a guarded up killed halfway through the move (its SSH session gone,
# say) is taken back by its timer, armed before the change
TAPWIRE_TEST_MOVE_KILL=7 TWH up "$TW_TMP/nic.xml" --confirm 2
is "$rc" 137 "up --confirm killed at the 7th change of the move"
check "its timer takes it all back (within 20 s)" gone_back 20
is "$(records)" 0 "... and nothing is on record"

# ---- the copy an up keeps goes with its namespace's state (gc)
ip netns add gone
cat > "$TW_TMP/gone.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="gone"><tw:bridge name="brg"/></tw:net>
EOF
ls "$TAPWIRE_RUNDIR" | grep '^applied' > "$TW_TMP/copies.before"
run --netns gone up "$TW_TMP/gone.xml"
copy=$(ls "$TAPWIRE_RUNDIR" | grep '^applied' | grep -vxF -f "$TW_TMP/copies.before")
ip netns del gone
run gc -q
is "$(printf '%s' "$copy" | grep -c .):$(ls "$TAPWIRE_RUNDIR" | grep -cxF "$copy")" "1:0" \
	"gc: the copy of what was applied in a namespace that is gone goes with its state"

# ---- SIGKILL right before each change to the kernel a move makes (the
# test-only TAPWIRE_TEST_MOVE_KILL=N), then a plain run: up converges to the
# moved state, down to the state before. 14 changes up here: the bridge's
# MAC, 4 addresses, the NIC joining, 4 routes, 4 addresses removed; 13 down
# (the NIC leaves the bridge with its port record).
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
is "$killed_up:$killed_down" "14:13" "SIGKILL stopped up and down at each of their changes (14, 13)"
is "$conv_up" 15 "after each kill, up converges: br0 holds it all, eth0 nothing, the gateway answers"
is "$conv_down" 15 "after each kill, down converges: eth0 has it all back exactly, nothing on record"

# ---- an address eth0 gets after the move (a DHCP client's renewal) moves
# with the next up, and comes back with the rest
TWH up "$TW_TMP/nic.xml"
ip -n host addr add 10.0.0.8/24 dev eth0
TWH up "$TW_TMP/nic.xml"
is "$rc:$(snap eth0)" "0:dev eth0 master br0" "an address eth0 got since: the next up moves it"
like "$(snap br0)" '"local":"10.0.0.8"' "br0 has it"
TWH down "$TW_TMP/nic.xml"
settle
like "$(snap eth0)" '"local":"10.0.0.8"' "down: eth0 has it back with the rest"

done_testing
