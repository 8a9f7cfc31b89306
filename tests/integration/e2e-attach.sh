#!/bin/sh
# End to end with a persistent tap: `tapwire attach iface.xml --owner twuser`
# makes it from a libvirt <interface type='bridge'> element, QEMU run by
# twuser opens it by name (-netdev tap,ifname=...,script=no), and
# `tapwire detach` removes it again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
e2e_init "$@"

tw_add_user twuser 4242
# QEMU opens /dev/net/tun itself for ifname=. Debian's udev makes the node
# 0666; where it is not (some containers), a 0666 node of the same device is
# bound over it in this test's mount namespace only.
if ! tw_as_user 4242 sh -c 'exec 3<>/dev/net/tun' 2>/dev/null; then
	diag "/dev/net/tun is $(stat -c %A /dev/net/tun) here: using a private 0666 node in this namespace"
	mknod -m 0666 "$TW_TMP/tun" c 10 200 && mount --bind "$TW_TMP/tun" /dev/net/tun
fi

e2e_topology_up

# The seed's interface, as a libvirt domain would have it. No <target dev>:
# tapwire names the tap after the MAC, twXXXXXXXX.
cat >"$TW_TMP/iface.xml" <<XML
<interface type='bridge'>
  <mac address='$E2E_MAC'/>
  <source bridge='$E2E_BRIDGE'/>
  <model type='virtio'/>
</interface>
XML
want_tap=tw$(echo "$E2E_MAC" | cut -d: -f3-6 | tr -d :)
"$TAPWIRE" attach "$TW_TMP/iface.xml" --owner twuser >"$TW_TMP/attach.out" 2>&1
is "$?" 0 "tapwire attach iface.xml --owner twuser"
sed 's/^/#   /' "$TW_TMP/attach.out"

tap=$(bridge_ports "$E2E_BRIDGE" | grep '^tw' | head -n 1)
is "$tap" "$want_tap" "the tap is a port of $E2E_BRIDGE, named after the MAC"
diag "ip link: $(ip -br link show dev "${tap:-$want_tap}" 2>&1)"
if [ -n "$tap" ]; then
	flags=$(dev_tun_flags "$tap")
	is "$(( ${flags:-0} & 0x0800 ))" "$((0x0800))" "it is persistent (tun_flags ${flags:-?})"
	is "$(sys_attr "$tap" owner)" 4242 "twuser owns it"
	is "$(dev_mac "$tap")" "fe:$(echo "$E2E_MAC" | cut -d: -f2-)" "its MAC is the guest's with byte 0 fe"
	e2e_guest_start "$TW_TMP/guest" 4242 -- \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$E2E_MAC"
	e2e_both_ways "$tap"
	e2e_guest_stop
	check "the persistent tap outlives QEMU" dev_exists "$tap"
fi

e2e_run "tapwire detach iface.xml" "$TAPWIRE" detach "$TW_TMP/iface.xml"
check "tapwire detach removes the tap" e2e_gone "$want_tap"
is "$(bridge_ports "$E2E_BRIDGE" | tr '\n' ' ')" "br-net0 " "$E2E_BRIDGE has only the veth left"

e2e_topology_down
e2e_done
