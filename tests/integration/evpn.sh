#!/bin/sh
# BGP EVPN with real FRR (contract section 9). Hosts are namespaces on one
# underlay bridge (overlay-lib.sh), each with its own zebra + bgpd
# (evpn-lib.sh: host 1 the route reflector of examples/evpn/frr-rr.conf,
# the others examples/evpn/frr-host.conf) and its own `tapwire --netns hN
# up` of a file with a control="evpn" vxlan and a guest namespace gN.
#
#   three hosts' guests ping each other: the remotes came from BGP;
#   a fourth host joins and reaches all, with no other host's file or FRR
#   configuration changed; tapwire doctor's check (tw_evpn_served) says so;
#   a QEMU guest behind the helper on host 1 pings a namespace on host 3;
#   `down` on host 2 removes its vxlan and the others keep working.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
if [ -z "${TW_ISOLATED:-}" ] && { [ ! -x /usr/lib/frr/bgpd ] || ! command -v vtysh > /dev/null; }; then
	skip_all "FRR is not installed (Debian frr; tools/deps test installs it)"
fi
e2e_init "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"
. "$top_srcdir/tests/integration/evpn-lib.sh"
trap 'evpn_stop_all; e2e_cleanup' EXIT
trap 'exit 1' HUP INT TERM
SERVED=$top_builddir/tests/tw-evpn-served

# Host 3's guest namespace also holds the QEMU guest's peer address.
ov_hosts 3
for n in 1 2 3; do
	evpn_xml "$n"
	check "host $n: zebra and bgpd answer (pathspace h$n)" evpn_frr "$n"
done
sed -i "s|address=\"10.42.0.3/24\"|address=\"10.42.0.3/24,$E2E_PEER/24\"|" "$TW_TMP/h3.xml"
for n in 1 2 3; do ov_up "$n"; done
for n in 1 2 3; do
	is "$(evpn_flags "$n")" "false false true" \
		"host $n: vx42 learning off, its port learning off, neigh_suppress on (ip/bridge -d -j)"
done

t0=$(e2e_now_ms)
check "guest 1 reaches guest 3 once BGP has converged (30 s at most)" evpn_reach 1 3 30
diag "first reach after $(($(e2e_now_ms) - t0)) ms"
for pair in "1 2" "2 1" "2 3" "3 1" "3 2"; do
	set -- $pair
	check "guest $1 pings guest $2" evpn_reach "$1" "$2" 10
done
is "$(ov_heads 1)" "192.0.2.2 192.0.2.3" "host 1: zebra put hosts 2 and 3 in vx42's flood list"
mac2=$(g_attr 2 eth0 address)
check "host 1: guest 2's MAC is in vx42's FDB behind 192.0.2.2, from BGP (extern_learn)" \
	sh -c "bridge -n h1 fdb show dev vx42 | grep -qi '^$mac2 .*dst 192.0.2.2.*extern_learn'"
like "$("$SERVED" h1 vx42)" "^1 VNI 42 of vx42 advertised by BGP EVPN" \
	"tw_evpn_served h1 vx42: served (what tapwire doctor asks)"

# ---- a fourth host joins: its own file and the hosts' common FRR file
sums() { cat "$TW_TMP"/h[123].xml "$TW_TMP"/frr/h[123].conf | md5sum; }
before=$(sums)
ov_host 4
evpn_xml 4
check "host 4: zebra and bgpd answer" evpn_frr 4
check "host 4's FRR configuration is the same file as host 2's and 3's" \
	sh -c "cmp -s '$TW_TMP/frr/h4.conf' '$TW_TMP/frr/h2.conf' && cmp -s '$TW_TMP/frr/h4.conf' '$TW_TMP/frr/h3.conf'"
t0=$(e2e_now_ms)
ov_up 4
for n in 1 2 3; do
	check "guest $n reaches guest 4 (30 s at most)" evpn_reach "$n" 4 30
done
diag "host 4: up to every guest reaching it: $(($(e2e_now_ms) - t0)) ms"
check "guest 4 pings guest 1" evpn_reach 4 1 10
is "$(sums)" "$before" "no file of hosts 1-3 changed, tapwire's nor FRR's"
is "$(ov_heads 4)" "192.0.2.1 192.0.2.2 192.0.2.3" "host 4's flood list has the three others"
each() { TAPWIRE_RUNDIR=$TW_TMP/run-h$1 nsenter --net="/run/netns/h$1" "$SERVED" --each "h$1"; }
is "$(each 4)" "h4/vx42 1 VNI 42 of vx42 advertised by BGP EVPN" \
	"doctor's walk on host 4 (tw_evpn_each): its one control='evpn' vxlan, served by its FRR"

# ---- the QEMU guest behind the helper on host 1, a namespace on host 3
export TAPWIRE_BRIDGE_CONF="$TW_TMP/bridge.conf"
printf 'allow br0\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
cat > "$TW_TMP/boot-on-h1" <<EOF
#!/bin/sh
exec nsenter --net=/run/netns/h1 "$BOOT" "\$@"
EOF
chmod +x "$TW_TMP/boot-on-h1"
BOOT=$TW_TMP/boot-on-h1
if e2e_guest_start "$TW_TMP/guest" "" -- \
	-netdev "bridge,id=n0,br=br0,helper=$HELPER" -device "virtio-net-pci,netdev=n0,mac=$E2E_MAC"; then
	diag "(net0 is g3 on host 3: $E2E_PEER)"
fi
if ip netns exec g3 ping -c 3 -i 0.2 -W 2 "$E2E_GUEST" > "$TW_TMP/ping" 2>&1; then
	ok "g3 on host 3 pings the QEMU guest on host 1 ($E2E_PEER -> $E2E_GUEST)"
else
	not_ok "g3 on host 3 pings the QEMU guest on host 1 ($E2E_PEER -> $E2E_GUEST)"
fi
check "host 3's vx42 has the guest's MAC behind 192.0.2.1" \
	sh -c "bridge -n h3 fdb show dev vx42 | grep -qi '^$E2E_MAC dst 192.0.2.1'"
e2e_guest_stop

# ---- down on host 2
ov_down 2
check "host 2: vx42 is gone" sh -c '! ip -n h2 link show dev vx42 > /dev/null 2>&1'
i=0
while [ "$(ov_heads 1)" != "192.0.2.3 192.0.2.4" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(ov_heads 1)" "192.0.2.3 192.0.2.4" "host 1: BGP withdrew host 2 from vx42's flood list"
for pair in "1 3" "3 4" "4 1"; do
	set -- $pair
	check "guest $1 still pings guest $2" evpn_reach "$1" "$2" 10
done

# ---- what tapwire doctor says when something is missing
like "$("$SERVED" h2 vx42)" "^0 zebra knows no VNI on vx42" "tw_evpn_served h2 vx42 after down: zebra knows no VNI there"
evpn_frr_stop 4 bgpd
like "$("$SERVED" h4 vx42)" "^0 no bgpd runs \\(pathspace h4\\)" "host 4 without bgpd: says no bgpd runs"
evpn_frr_stop 4 zebra
like "$("$SERVED" h4 vx42)" "^0 no zebra runs \\(pathspace h4\\)" "host 4 without zebra: says no zebra runs"
like "$(TAPWIRE_VTYSH=/nonexistent/vtysh "$SERVED" h1 vx42)" "^0 FRR is not installed" \
	"no vtysh: says FRR is not installed"

for n in 1 3 4; do ov_down "$n"; done
is "$(h_devs 1):$(h_devs 3):$(h_devs 4)" "::" "down on hosts 1, 3, 4: only lo and eth1 are left"
e2e_done
