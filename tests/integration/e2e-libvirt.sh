#!/bin/sh
# End to end through libvirt: the seed's domain (examples/domain-bridge.xml:
# <interface type='bridge'> on br0, MAC 52:54:00:38:06:f9, virtio, and
# <tw:net> metadata with namespace net0 and a veth into br0) started by a
# private libvirtd with the tapwire hook installed. The hook builds br0, net0
# and the veth before QEMU starts; the test guest then pings net0, net0 pings
# the guest, and destroying the domain leaves nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_prebuild_guest
tw_isolate "$@"
. "$top_srcdir/tests/integration/libvirt-env.sh"
lv_need
if ! lv_have_guest; then
	[ -n "${TW_REQUIRE_GUEST:-}" ] && { echo "Bail out! no test guest in $LV_GUEST"; exit 1; }
	skip_all "no test guest in $LV_GUEST (tests/guest/build could not make one)"
fi

lv_setup
lv_install_hook
trap 'lv_stop' EXIT
export TAPWIRE_RUNDIR=/run/tapwire
TAPWIRE=$top_builddir/cli/tapwire
start=$(date +%s)
lv_start

# The example's metadata and NIC, around the test guest (ping mode: it pings
# net0's 10.0.1.1, then answers pings for a while).
sed -n '/^ *<metadata>/,/^ *<\/metadata>/p; /^ *<devices>/,/^ *<\/devices>/p' \
	"$top_srcdir/examples/domain-bridge.xml" |
	LV_MEMORY=160 lv_domain seed-vm "$TW_TMP/seed-vm.xml" \
		"console=ttyS0 quiet panic=-1 tw.addr=10.0.1.2/24 tw.peer=10.0.1.1 tw.mode=ping tw.count=3 tw.wait=30 tw.serve=60"
check "define seed-vm" V define "$TW_TMP/seed-vm.xml"
check "br0 and net0 do not exist before start" sh -c '! test -e /sys/class/net/br0 && ! test -e /run/netns/net0'
t0=$(date +%s)
V start seed-vm > "$TW_TMP/start.out" 2>&1
started=$?
is "$started" 0 "virsh start seed-vm" || diag "$(cat "$TW_TMP/start.out")"
[ "$started" -eq 0 ] || { echo "Bail out! the domain did not start"; exit 1; }
tap=$(V domiflist seed-vm | awk '$5 == "52:54:00:38:06:f9" { print $1 }')
is "$(dev_master "$tap")" br0 "libvirt's tap $tap is on br0, which the hook made"
is "$(dev_master br-net0)" br0 "the metadata's veth end br-net0 is on br0"
like "$(ip netns exec net0 ip -br addr show veth0 2>&1)" '10\.0\.1\.1/24' "namespace net0 has 10.0.1.1/24"

i=0
while [ $i -lt 900 ] && ! grep -q 'TAPWIRE-GUEST \(READY\|FAIL\)' "$TW_TMP/seed-vm.serial" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
diag "boot: $(( $(date +%s) - t0 )) s from virsh start to the guest's verdict"
like "$(grep 'TAPWIRE-GUEST' "$TW_TMP/seed-vm.serial" 2>/dev/null | head -n 1)" 'PASS ping 10\.0\.1\.1' \
	"the guest pings net0 (10.0.1.1)"
check "net0 pings the guest (10.0.1.2)" sh -c "ip netns exec net0 ping -c 2 -W 5 10.0.1.2 > /dev/null"
fdb=$(bridge fdb show br br0 2>/dev/null | grep -i '52:54:00:38:06:f9')
like "$fdb" "dev $tap" "br0 learned the guest's MAC on $tap"

check "virsh destroy seed-vm" V destroy seed-vm
check "br0 is gone" sh -c '! test -e /sys/class/net/br0'
check "net0 is gone" sh -c '! test -e /run/netns/net0'
is "$("$TAPWIRE" status)" "nothing on record" "tapwire has nothing on record"
diag "suite: $(( $(date +%s) - start )) s"

done_testing
