#!/bin/sh
# MTU over VXLAN: on a 1400-byte underlay the bridge, the vxlan and the
# guests' veths get 1400 less the encapsulation (50 bytes over IPv4, 70 over
# IPv6), so the largest ping that fits passes and a larger one is refused
# at once by the guest (ping -M do: "message too long") instead of being
# lost in the tunnel. A declared MTU wins.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"

ov_hosts 2 1400

# ping_df NS ADDR SIZE: one echo of SIZE payload bytes, don't fragment;
# output in $TW_TMP/ping.
ping_df() {
	ip netns exec "$1" ping -M do -c 1 -W 2 -s "$3" "$2" > "$TW_TMP/ping" 2>&1
}

# the_mtu_case FAMILY MODE OVERHEAD
mtu_case() {
	fam=$1 mode=$2 over=$3
	mtu=$((1400 - over))
	ov_xml 1 2 "$mode" > /dev/null
	ov_xml 2 2 "$mode" > /dev/null
	tw_on 1 check "$TW_TMP/h1.xml"
	like "$out" "\\+ bridge br0 mtu $mtu \\(underlay eth1 mtu 1400 - $over for VXLAN over $fam\\)" \
		"$fam underlay: check's plan gives br0 1400 - $over = $mtu and says why"
	ov_up 1
	ov_up 2
	is "$(h_attr 1 br0 mtu):$(h_attr 1 vx42 mtu):$(h_attr 1 g1-br mtu):$(g_attr 1 eth0 mtu)" \
		"$mtu:$mtu:$mtu:$mtu" "$fam underlay: br0, vx42 and the guest's veth have MTU $mtu"
	# An IPv4 echo is 20 + 8 bytes of headers around its payload.
	max=$((mtu - 28))
	pings g1 10.42.0.2 > /dev/null # ARP first
	if ping_df g1 10.42.0.2 "$max"; then ok "$fam underlay: ping -M do -s $max (a $mtu-byte packet) passes"
	else not_ok "$fam underlay: ping -M do -s $max (a $mtu-byte packet) passes"; diag "$(cat "$TW_TMP/ping")"; fi
	if ping_df g2 10.42.0.1 "$max"; then ok "$fam underlay: and back"
	else not_ok "$fam underlay: and back"; diag "$(cat "$TW_TMP/ping")"; fi
	ping_df g1 10.42.0.2 $((max + 1))
	code=$?
	check "$fam underlay: ping -M do -s $((max + 1)) fails (exit $code)" test "$code" -ne 0
	like "$(cat "$TW_TMP/ping")" "message too long, mtu=$mtu" \
		"$fam underlay: and is refused as too long by the guest, not lost in the tunnel"
	ov_down 1
	ov_down 2
}

mtu_case IPv4 unicast 50
# Over IPv6, without dev=: the route to the remote names the underlay.
mtu_case IPv6 unicast6 70

# A declared MTU wins over the derived one, and the plan says nothing more.
ov_xml 1 2 unicast > /dev/null
sed -i 's/<tw:bridge name="br0"\/>/<tw:bridge name="br0" mtu="1200"\/>/' "$TW_TMP/h1.xml"
tw_on 1 check "$TW_TMP/h1.xml"
like "$out" "^\\+ bridge br0 mtu 1200\$" "a declared bridge MTU is kept as declared"
ov_up 1
is "$(h_attr 1 br0 mtu):$(h_attr 1 vx42 mtu):$(g_attr 1 eth0 mtu)" "1200:1200:1200" \
	"br0, vx42 and the guest follow the declared 1200"
ov_down 1
ov_xml 1 2 unicast ' mtu="1300"' > /dev/null
tw_on 1 check "$TW_TMP/h1.xml"
like "$out" "\\+ bridge br0 mtu 1300 \\(as vxlan vx42\\)" "a declared vxlan MTU sets its bridge's"

# Without a usable underlay yet (the vxlan's namespace is made by this run),
# the plan says what it assumes.
cat > "$TW_TMP/fresh.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="fresh">
  <tw:namespace name="h9"/>
  <tw:bridge name="br0" namespace="h9"/>
  <tw:vxlan name="vx42" namespace="h9" id="42" remote="192.0.2.2" bridge="br0"/>
</tw:net>
XML
run check "$TW_TMP/fresh.xml"
like "$out" "\\+ bridge \\[h9\\] br0 mtu 1450 \\(underlay mtu unknown, 1500 assumed, - 50 for VXLAN over IPv4\\)" \
	"an underlay that cannot be asked yet: 1500 assumed, and said so"

is "$(h_devs 1):$(h_devs 2)" ":" "nothing is left on the hosts"
done_testing
