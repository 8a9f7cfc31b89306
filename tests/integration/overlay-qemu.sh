#!/bin/sh
# End to end across hosts: a real guest (tests/guest) under QEMU on host 1,
# its NIC from tapwire-bridge-helper on host 1's br0, pings namespace net0
# on host 2's br0 through VXLAN, and net0 pings it back. The hosts are
# network namespaces with their own underlay (overlay-lib.sh); each runs
# its own `tapwire --netns`; QEMU and the helper run inside host 1.
#
#   host 1: QEMU guest 10.0.1.2 --tap-- br0 -- vx42 --+
#                                                     | 192.0.2.0/24
#   host 2: net0 10.0.1.1 --veth-- br0 -- vx42 -------+
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"

export TAPWIRE_BRIDGE_CONF="$TW_TMP/bridge.conf"
printf 'allow br0\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"

ov_hosts 2
cat > "$TW_TMP/h1.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="host1">
  <tw:bridge name="br0"/>
  <tw:vxlan name="vx42" id="42" local="192.0.2.1" remote="192.0.2.2" dev="eth1" bridge="br0"/>
</tw:net>
XML
cat > "$TW_TMP/h2.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="host2">
  <tw:namespace name="net0"/>
  <tw:bridge name="br0"/>
  <tw:vxlan name="vx42" id="42" local="192.0.2.2" remote="192.0.2.1" dev="eth1" bridge="br0"/>
  <tw:veth>
    <tw:end namespace="net0" name="veth0" address="10.0.1.1/24"/>
    <tw:end name="br-net0" bridge="br0"/>
  </tw:veth>
</tw:net>
XML
ov_up 1
ov_up 2

# QEMU, and so the helper it runs, on host 1: boot under nsenter.
cat > "$TW_TMP/boot-on-h1" <<EOF2
#!/bin/sh
exec nsenter --net=/run/netns/h1 "$BOOT" "\$@"
EOF2
chmod +x "$TW_TMP/boot-on-h1"
BOOT=$TW_TMP/boot-on-h1

e2e_guest_start "$TW_TMP/guest" "" -- \
	-netdev "bridge,id=n0,br=br0,helper=$HELPER" -device "virtio-net-pci,netdev=n0,mac=$E2E_MAC"
tap=$(ip netns exec h1 ls /sys/class/net/br0/brif 2>/dev/null | grep '^tw' | head -n 1)
like "$tap" '^tw[0-9a-f]{8}$' "host 1: the helper's tap is a port of br0 ($tap)"
is "$(h_attr 1 "$tap" mtu)" 1450 "host 1: the tap has br0's MTU, the underlay's less VXLAN's 50 bytes"
if ip netns exec net0 ping -c 3 -i 0.2 -W 2 "$E2E_GUEST" > "$TW_TMP/ping" 2>&1; then
	ok "net0 on host 2 pings the guest on host 1 ($E2E_PEER -> $E2E_GUEST)"
else
	not_ok "net0 on host 2 pings the guest on host 1 ($E2E_PEER -> $E2E_GUEST)"
fi
grep -E 'transmitted|rtt' "$TW_TMP/ping" | sed 's/^/#   /'
check "host 1's br0 learnt the guest's MAC on the tap" \
	sh -c "bridge -n h1 fdb show br br0 | grep -qi '^$E2E_MAC dev $tap master br0'"
check "host 2's br0 learnt the guest's MAC on vx42" \
	sh -c "bridge -n h2 fdb show br br0 | grep -qi '^$E2E_MAC dev vx42 master br0'"
check "host 2's vx42 knows the guest's MAC is behind 192.0.2.1" \
	sh -c "bridge -n h2 fdb show dev vx42 | grep -qi '^$E2E_MAC dst 192.0.2.1'"

e2e_guest_stop
[ -z "$tap" ] || check "the tap is gone once QEMU has exited" sh -c "! ip netns exec h1 test -e /sys/class/net/$tap"
ov_down 1
ov_down 2
is "$(h_devs 1):$(h_devs 2)" ":" "both hosts are back to lo and eth1"
is "$(ip netns list | awk '{ print $1 }' | sort | tr '\n' ' ')" "h1 h2 " "only the hosts' namespaces are left"
e2e_done
