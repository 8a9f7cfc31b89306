#!/bin/sh
# End to end as on a real host: tapwire-bridge-helper installed setuid root,
# QEMU run by an unprivileged user whom the policy allows the bridge. The
# user, the setuid copy and the policy exist only in this test's namespaces.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"

BIN=$TW_TMP/bin
mkdir -p "$BIN"
install -o root -g root -m 4755 "$HELPER" "$BIN/"
SUID_HELPER=$BIN/tapwire-bridge-helper
tw_add_user twuser 4242
tw_add_user twother 4243
# A setuid run ignores TAPWIRE_BRIDGE_CONF: the policy sits where the helper
# was built to look, in a private overlay of that directory.
tw_private_dir "$sysconfdir/tapwire"
printf 'allow %s user:twuser\n' "$E2E_BRIDGE" >"$sysconfdir/tapwire/bridge.conf"
chmod 0644 "$sysconfdir/tapwire/bridge.conf"
printf 'allow all\n' >"$TW_TMP/evil.conf"
chmod 0644 "$TW_TMP/evil.conf"
export TAPWIRE_BRIDGE_CONF="$TW_TMP/evil.conf"  # must make no difference
nic_dev="virtio-net-pci,netdev=n0,mac=$E2E_MAC"

e2e_topology_up

# Someone the policy does not name: QEMU fails at once with the helper's reason.
mkdir -p "$TW_TMP/other"
chown 4243:4243 "$TW_TMP/other"
t=$(e2e_now_ms)
TMPDIR=$TW_TMP/other tw_as_user 4243 timeout 60 "$QEMU" -machine none -nodefaults -display none \
	-monitor none -netdev "tap,id=n0,helper=$SUID_HELPER" >"$TW_TMP/other/qemu.log" 2>&1
code=$?
check "twother's QEMU is refused (exit $code, $(($(e2e_now_ms) - t)) ms)" \
	test "$code" -ne 0 -a "$code" -ne 124
like "$(cat "$TW_TMP/other/qemu.log")" "access denied: uid 4243 may not use bridge '$E2E_BRIDGE'" \
	"QEMU shows the helper's reason"
is "$(bridge_ports "$E2E_BRIDGE" | grep -c '^tw')" 0 "and no tap is left on $E2E_BRIDGE"

# twuser: allowed.
e2e_guest_start "$TW_TMP/guest" 4242 -- -netdev "tap,id=n0,helper=$SUID_HELPER" -device "$nic_dev"
if [ -n "$e2e_qemu_pid" ]; then
	is "$(awk '/^Uid:/ { print $2, $3 }' "/proc/$e2e_qemu_pid/status")" "4242 4242" \
		"QEMU runs as twuser (real and effective uid 4242)"
	is "$(awk '/^CapEff:/ { print $2 }' "/proc/$e2e_qemu_pid/status")" 0000000000000000 \
		"QEMU has no capabilities"
fi
tap=$(bridge_ports "$E2E_BRIDGE" | grep '^tw' | head -n 1)
like "$tap" '^tw[0-9a-f]{8}$' "the setuid helper's tap is a port of $E2E_BRIDGE ($tap)"
if [ -n "$tap" ]; then
	like "$(dev_mac "$tap")" '^fe:' "its MAC starts with fe: ($(dev_mac "$tap"))"
	diag "$(ip -br link show dev "$tap")"
	e2e_both_ways "$tap"
fi

e2e_guest_stop
if [ -n "$tap" ]; then
	check "the tap $tap is gone after QEMU exits" e2e_gone "$tap"
fi

e2e_topology_down
e2e_done
