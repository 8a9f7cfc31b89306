#!/bin/sh
# Nothing cuts a running VM off by surprise: `tapwire down` and `detach`
# refuse (exit 1, nothing changed) while a bridge they would delete has
# ports that are not the owner's, or a tap they would delete is held open,
# and name each port and its holder; --force removes anyway. `status`
# shows every port of the bridges on record and who holds each tap.
#
# One real guest: QEMU (named like a libvirt domain) on br0 through
# tapwire-bridge-helper; a veth enslaved by hand; a tap from `tapwire
# attach` held open by a process. Everything is checked in the kernel.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

export TAPWIRE_BRIDGE_CONF="$TW_TMP/bridge.conf"
printf 'allow %s\n' "$E2E_BRIDGE" >"$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
DOM=busyvm

# json FILE EXPR: print what the python3 expression says about the JSON in
# FILE (d), or SKIP when there is no python3.
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$1" "$2" 2>&1
}
has_python=$(command -v python3 || true)

e2e_topology_up
e2e_guest_start "$TW_TMP/guest" "" -- -name "guest=$DOM,debug-threads=on" \
	-netdev "tap,id=n0,helper=$HELPER" -device "virtio-net-pci,netdev=n0,mac=$E2E_MAC"
qtap=$(bridge_ports "$E2E_BRIDGE" | grep '^tw' | head -n 1)
like "$qtap" '^tw[0-9a-f]{8}$' "QEMU's tap from the helper is a port of $E2E_BRIDGE ($qtap)"
qpid=$e2e_qemu_pid

# ---- status: every port, the holder of the tap
run status
is "$rc" 0 "status exits 0"
like "$out" '^tapwire status: 1 owner, [0-9]+ objects on record in ' "status: a header line"
like "$out" 'veth br-net0 +created +live  peer \[net0\] veth0' "status: both ends of the veth"
like "$out" "port $qtap +tap +\\(not tapwire's\\) +held by pid $qpid [^ ]*, libvirt domain $DOM" \
	"status: QEMU's tap, not tapwire's, held by QEMU (pid, command, domain)"
like "$out" "port br-net0 +veth +seed-tap +peer \\[net0\\] veth0" "status: the owner's port with its peer"
diag "$out"
run status --json
printf '%s\n' "$out" >"$TW_TMP/status.json"
if [ -n "$has_python" ]; then
	is "$(json "$TW_TMP/status.json" '[(p["owner"], p["held"], p["holder"]["pid"], p["holder"]["domain"]) for b in d["bridges"] for p in b["ports"] if p["name"] == "'"$qtap"'"]')" \
		"[(None, True, $qpid, '$DOM')]" "status --json: the tap, foreign, held by QEMU in domain $DOM"
	is "$(json "$TW_TMP/status.json" '[o["peer"] for o in d["objects"] if o["kind"] == "veth"]')" \
		"['[net0] veth0']" "status --json: the veth's other end"
else
	skip "status --json (python3 is not installed)"
	skip "status --json: the veth's other end (python3 is not installed)"
fi

# ---- down refuses while QEMU's tap is on br0, and a veth made by hand too
ip link add busy-a type veth peer name busy-b
ip link set busy-a master "$E2E_BRIDGE"
before=$(kstate)
records_before=$(records)
run down --dry-run "$E2E_SEED"
is "$rc" 1 "down --dry-run refuses: exit 1"
like "$err" "^tapwire: down seed-tap: bridge $E2E_BRIDGE still has port $qtap \\(held by pid $qpid [^ ,]+, libvirt domain $DOM\\); --force removes it anyway\$" \
	"down --dry-run names QEMU's tap, its pid, command and domain"
is "$(kstate)" "$before" "down --dry-run changes nothing"
run down "$E2E_SEED"
is "$rc" 1 "down refuses: exit 1"
like "$err" "^tapwire: down seed-tap: bridge $E2E_BRIDGE still has port $qtap \\(held by pid $qpid [^ ,]+, libvirt domain $DOM\\); --force removes it anyway\$" \
	"down names QEMU's tap, its pid, command and domain"
like "$err" "^tapwire: down seed-tap: bridge $E2E_BRIDGE still has port busy-a \\(veth, peer busy-b\\); --force removes it anyway\$" \
	"down names the veth enslaved by hand"
like "$(printf '%s\n' "$err" | tail -n 1)" '^tapwire: down seed-tap: refused: 2 in use, nothing removed' "down: a summary line last"
is "$(printf '%s\n' "$err" | wc -l)" 3 "down: one line per port in the way, and the summary"
is "$out" "" "down: no plan lines when it refuses"
is "$(kstate)" "$before" "down: the kernel is as it was (bridge, tap, veth, namespace)"
is "$(dev_master "$qtap")" "$E2E_BRIDGE" "down: QEMU's tap is still on $E2E_BRIDGE"
is "$(records)" "$records_before" "down: the state is as it was"
check "down: net0 still pings the guest" pings net0 "$E2E_GUEST"
run down --owner seed-tap
is "$rc" 1 "down --owner refuses the same"

# ---- a tap from `tapwire attach` held open by a process
cat >"$TW_TMP/iface.xml" <<XML
<interface type='bridge'>
  <mac address='52:54:00:38:06:aa'/>
  <source bridge='$E2E_BRIDGE'/>
  <target dev='busytap0'/>
</interface>
XML
run attach "$TW_TMP/iface.xml"
is "$rc" 0 "attach makes busytap0"
tw_hold_tap busytap0
like "$(cat "$TW_TMP/hold.out")" '^held busytap0' "a process holds busytap0 (pid $hpid)"
before=$(kstate)
run detach --dry-run "$TW_TMP/iface.xml"
is "$rc" 1 "detach --dry-run refuses: exit 1"
like "$err" "^tapwire: detach iface:52:54:00:38:06:aa: tap busytap0 is held by pid $hpid tw-tap-persist; --force removes the tap anyway\$" \
	"detach --dry-run names the holder"
run detach "$TW_TMP/iface.xml"
is "$rc" 1 "detach refuses: exit 1"
like "$err" "^tapwire: detach iface:52:54:00:38:06:aa: tap busytap0 is held by pid $hpid tw-tap-persist; --force removes the tap anyway\$" \
	"detach names the pid and command holding the tap"
is "$(kstate)" "$before" "detach: busytap0 is still there, on $E2E_BRIDGE"
run status
like "$out" "port busytap0 +tap +iface:52:54:00:38:06:aa +held by pid $hpid tw-tap-persist" \
	"status: the attached tap, its owner and holder"
run detach --force "$TW_TMP/iface.xml"
is "$rc" 0 "detach --force exits 0"
like "$out" "^! tap busytap0 is held by pid $hpid tw-tap-persist: removed anyway \\(--force\\)\$" \
	"detach --force says what it cut"
check "detach --force: busytap0 is gone" e2e_gone busytap0
touch "$TW_TMP/release"
wait "$hpid" 2>/dev/null

# ---- --force: br0 goes with QEMU still running
run down --force "$E2E_SEED"
is "$rc" 0 "down --force exits 0"
like "$out" "^! bridge $E2E_BRIDGE still has port $qtap \\(held by pid $qpid [^ ,]+, libvirt domain $DOM\\): cut off \\(--force\\)\$" \
	"down --force says what it cut off"
like "$out" "^- bridge $E2E_BRIDGE\$" "down --force removes $E2E_BRIDGE"
check "down --force: $E2E_BRIDGE is gone" e2e_gone "$E2E_BRIDGE"
is "$(netns_names)" "" "down --force: net0 is gone"
is "$(records)" 0 "down --force: nothing on record"
check "QEMU still runs (pid $qpid)" kill -0 "$qpid"
e2e_guest_stop
check "QEMU's tap goes with QEMU" e2e_gone "$qtap"
ip link del busy-a
is "$(devs_other_than_lo | tr '\n' ' ')" "" "no device but lo is left"
e2e_done
