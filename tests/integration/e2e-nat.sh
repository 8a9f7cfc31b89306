#!/bin/sh
# End to end, libvirt's default network the tapwire way: a real guest
# (tests/guest, busybox udhcpc) leases its address by DHCP from the
# bridge's dnsmasq and pings the 'wan' namespace, which has no route back to
# the bridge's subnet, so only NAT can answer:
#
#   guest (QEMU, DHCP) --tap-- br0 10.0.5.1/24 (NAT, dnsmasq)
#        this namespace: default route via uplink0 --veth-- wan 203.0.113.2
#
# down then leaves no table, no dnsmasq, no file, and ip_forward as it was.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/nat-lib.sh"
nat_need_tools
trap 'nat_stop_dnsmasqs; e2e_cleanup' EXIT
nat_dnsmasq_log

MAC=52:54:00:00:05:32
nat_wan_up
echo 0 > /proc/sys/net/ipv4/ip_forward
cat > "$TW_TMP/nat.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="lab">
  <tw:bridge name="br0" address="10.0.5.1/24">
    <tw:nat/>
    <tw:dhcp range="10.0.5.100,10.0.5.199">
      <tw:host mac="$MAC" ip="10.0.5.50" name="guest"/>
    </tw:dhcp>
  </tw:bridge>
  <tw:tap name="tap-guest" bridge="br0" mac="$MAC"/>
  <tw:namespace name="c1"/>
  <tw:veth>
    <tw:end namespace="c1" name="eth0"/>
    <tw:end name="br0-c1" bridge="br0"/>
  </tw:veth>
</tw:net>
EOF
e2e_run "tapwire up nat.xml" "$TAPWIRE" up "$TW_TMP/nat.xml"

# The guest: tw.addr=dhcp, then it pings wan (PASS), then serves a while.
dir=$TW_TMP/guest
e2e_guest_files "$dir"
e2e_pidfile=$dir/qemu.pid
"$BOOT" --cache "$dir" --no-build --serial "$dir/serial" --background "$e2e_pidfile" \
	--serve 20 --addr dhcp --peer "$NAT_WAN" -- \
	-netdev tap,id=n0,ifname=tap-guest,script=no,downscript=no \
	-device "virtio-net-pci,netdev=n0,mac=$MAC" 2> "$dir/boot.err"
rc=$?
sed 's/^/#   /' "$dir/boot.err"
pass=$(tr -d '\r' < "$dir/serial" 2>/dev/null | grep -ao 'TAPWIRE-GUEST PASS.*' | head -n 1)
if [ "$rc" = 0 ] && [ -n "$pass" ]; then
	ok "the guest leases by DHCP and pings wan through NAT"
	diag "guest: $pass"
else
	not_ok "the guest leases by DHCP and pings wan through NAT"
	tr -d '\r' < "$dir/serial" 2>/dev/null | grep -a 'tw:\|TAPWIRE' | tail -n 20 | sed 's/^/#   /'
	nat_log_diag
fi
like "$pass" ' addr=10\.0\.5\.50/24 ' "its address is the fixed one for its MAC"
like "$(cat "$TAPWIRE_RUNDIR/dnsmasq/br0.leases" 2>/dev/null)" " $MAC 10\.0\.5\.50 " \
	"dnsmasq's lease file has the guest's lease"
check "this namespace reaches the guest at its leased address" \
	ping -c 1 -W 2 -q 10.0.5.50
# A namespace client on the same bridge: a lease of its own, and the
# guest's name resolved by the bridge's dnsmasq.
nat_lease_like c1 '^10\.0\.5\.1[0-9][0-9]$' "namespace c1 on the same bridge leases too"
like "$(ip netns exec c1 busybox nslookup guest 10.0.5.1 2>&1)" 'Address:? *(1: )?10\.0\.5\.50' \
	"c1 resolves the guest's name against the bridge's dnsmasq"
check "c1 pings the guest by its leased address" pings c1 10.0.5.50
e2e_guest_stop

e2e_run "tapwire down nat.xml" "$TAPWIRE" down "$TW_TMP/nat.xml"
check "no table of tapwire's is left" sh -c '! nft list table ip tapwire > /dev/null 2>&1'
is "$(nat_dnsmasqs)" 0 "no dnsmasq is left"
is "$(ls -A "$TAPWIRE_RUNDIR/dnsmasq" 2>/dev/null)" "" "no dnsmasq file is left"
is "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "ip_forward is off again, as it was"
e2e_done
