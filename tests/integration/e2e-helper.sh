#!/bin/sh
# End to end, as root: the seed's topology from `tapwire up`, a real guest
# whose NIC comes from tapwire-bridge-helper (QEMU -netdev tap,helper=...),
# pings in both directions, and nothing left after `tapwire down`.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"

export TAPWIRE_BRIDGE_CONF="$TW_TMP/bridge.conf"
printf 'allow %s\n' "$E2E_BRIDGE" >"$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"

e2e_topology_up
ports_before=$(bridge_ports "$E2E_BRIDGE" | tr '\n' ' ')

e2e_guest_start "$TW_TMP/guest" "" -- \
	-netdev "tap,id=n0,helper=$HELPER" -device "virtio-net-pci,netdev=n0,mac=$E2E_MAC"
tap=$(bridge_ports "$E2E_BRIDGE" | grep '^tw' | head -n 1)
like "$tap" '^tw[0-9a-f]{8}$' "the helper's tap is a port of $E2E_BRIDGE ($tap)"
if [ -n "$tap" ]; then
	like "$(dev_mac "$tap")" '^fe:' "its MAC starts with fe: ($(dev_mac "$tap"))"
	flags=$(dev_tun_flags "$tap")
	is "$(( ${flags:-0} & 0x0800 ))" 0 "it is not persistent (tun_flags ${flags:-?})"
	diag "$(ip -br link show dev "$tap")"
	e2e_both_ways "$tap"
fi

e2e_guest_stop
if [ -n "$tap" ]; then
	check "the helper's tap $tap is gone after QEMU exits" e2e_gone "$tap"
fi
is "$(bridge_ports "$E2E_BRIDGE" | tr '\n' ' ')" "$ports_before" "$E2E_BRIDGE has its old ports only"

e2e_topology_down
e2e_done
