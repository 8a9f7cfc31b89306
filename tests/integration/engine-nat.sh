#!/bin/sh
# NAT, DHCP and DNS on a bridge (contract section 7), against the real
# kernel, real nftables and a real dnsmasq, all inside this test's network
# namespace:
#
#   c1 (netns, eth0: DHCP) --veth-- br0 10.0.5.1/24 (NAT, dnsmasq)
#        this namespace: default route via uplink0 203.0.113.1/24
#        --veth-- wan (netns, 203.0.113.2/24, no route back to 10.0.5.0/24)
#
# c1 leases an address with busybox udhcpc, resolves a static host's name
# against the bridge's dnsmasq, and pings wan, which can only answer the
# masqueraded address. A killed dnsmasq comes back with the next up; down
# leaves no table of tapwire's, no dnsmasq, no file, and ip_forward as it
# was. Another table's forward chain that drops (Docker's) is named by up.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

. "$top_srcdir/tests/integration/nat-lib.sh"
nat_need_tools
trap 'nat_stop_dnsmasqs; tw_cleanup' EXIT

lease() { nat_lease "$@"; }
nat_dnsmasq_log
dnsmasq_pid() { nat_dnsmasq_pid br0; }
dnsmasqs() { nat_dnsmasqs; }

# The outside: wan answers 203.0.113.1 only (no route to 10.0.5.0/24).
nat_wan_up
echo 0 > /proc/sys/net/ipv4/ip_forward

cat > "$TW_TMP/nat.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="lab">
  <tw:namespace name="c1"/>
  <tw:namespace name="c2"/>
  <tw:bridge name="br0" address="10.0.5.1/24">
    <tw:nat/>
    <tw:dhcp range="10.0.5.100,10.0.5.199" lease="2h">
      <tw:host mac="02:00:00:00:05:02" ip="10.0.5.10" name="static1"/>
    </tw:dhcp>
  </tw:bridge>
  <tw:veth>
    <tw:end namespace="c1" name="eth0"/>
    <tw:end name="br0-c1" bridge="br0"/>
  </tw:veth>
  <tw:veth>
    <tw:end namespace="c2" name="eth0" mac="02:00:00:00:05:02"/>
    <tw:end name="br0-c2" bridge="br0"/>
  </tw:veth>
</tw:net>
EOF

run check "$TW_TMP/nat.xml"
is "$rc" 0 "check exits 0"
like "$out" '^\+ nat br0: masquerade 10.0.5.0/24 out of uplink0' "check: NAT out of the default route's device"
like "$out" '^\+ sysctl ip_forward 0 -> 1$' "check: IPv4 forwarding on"
like "$out" '^\+ dhcp br0: dnsmasq, range 10.0.5.100-10.0.5.199, lease 2h, 1 host, DNS on$' "check: one dnsmasq"

run up "$TW_TMP/nat.xml"
is "$rc" 0 "up exits 0"
diag "$out" "$err"
is "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "ip_forward is on"
check "table ip tapwire exists" nft list table ip tapwire
like "$(nft list table ip tapwire 2>&1)" 'oifname "uplink0" masquerade' "it masquerades out of uplink0"
pid=$(dnsmasq_pid)
check "dnsmasq runs, per its pid file" test -n "$pid" -a -d "/proc/$pid"
like "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" "^dnsmasq --conf-file=$TAPWIRE_RUNDIR/dnsmasq/br0.conf" \
	"it reads tapwire's config"
is "$(readlink "/proc/$pid/ns/net")" "$(readlink /proc/self/ns/net)" "it runs in the bridge's namespace"

got=$(lease c1)
like "$got" '^10\.0\.5\.1[0-9][0-9]$' "c1 leases an address in the range ($got)"
diag "$(cat "$TW_TMP/udhcpc.out")"
like "$(cat "$TAPWIRE_RUNDIR/dnsmasq/br0.leases" 2>/dev/null)" " $got " "the lease is in dnsmasq's lease file"
is "$(lease c2)" 10.0.5.10 "c2 gets its fixed address by MAC"
check "c1 pings wan through NAT" pings c1 203.0.113.2
like "$(ip netns exec c1 busybox nslookup static1 10.0.5.1 2>&1)" 'Address:? *(1: )?10\.0\.5\.10' \
	"c1 resolves static1 against the bridge's dnsmasq"

# Idempotent: a second up changes nothing, the same dnsmasq stays.
run up "$TW_TMP/nat.xml"
like "$out" 'lab: nothing to do' "a second up changes nothing"
is "$(dnsmasq_pid)" "$pid" "the same dnsmasq runs"

run status --json
printf '%s\n' "$out" > "$TW_TMP/status.json"
json_summary "$TW_TMP/status.json" | grep -E '^(nat|dhcp|sysctl)\|' | sort > "$TW_TMP/svc.sum"
is "$(cat "$TW_TMP/svc.sum")" "dhcp||br0||true|true|lab
nat||br0|uplink0 10.0.5.0/24|true|true|lab
sysctl||ip_forward||true|true|lab" "status --json: nat, dhcp and ip_forward, live"

# A dead dnsmasq: status says so, up brings it back.
kill "$pid"
i=0
while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
run status
like "$out" 'dhcp br0 +created +MISSING' "status: the dead dnsmasq is MISSING"
run up "$TW_TMP/nat.xml"
like "$out" '^\+ dhcp br0' "up starts it again"
new=$(dnsmasq_pid)
check "a new dnsmasq runs" test -n "$new" -a "$new" != "$pid" -a -d "/proc/$new"
nat_lease_like c1 '^10\.0\.5\.1[0-9][0-9]$' "c1 leases again"

# The bridge deleted behind tapwire's back: its dnsmasq, bound to the old
# device, starts again with the new one.
ip link del br0
run up "$TW_TMP/nat.xml"
is "$rc" 0 "a bridge made again: up exits 0"; [ "$rc" = 0 ] || diag "$out" "$err"
like "$out" '^\+ dhcp br0' "a bridge made again: its dnsmasq starts again"
check "the dnsmasq bound to the old bridge is gone" nat_gone "$new"
new=$(dnsmasq_pid)
nat_lease_like c1 '^10\.0\.5\.1[0-9][0-9]$' "c1 leases on the new bridge"

# Converging: a new range restarts dnsmasq with it; no <tw:dhcp> stops it.
# (The same file changed: another file for the owner would be refused.)
cp "$TW_TMP/nat.xml" "$TW_TMP/nat-a.xml"
sed 's/range="10.0.5.100,10.0.5.199"/range="10.0.5.150,10.0.5.160"/' "$TW_TMP/nat-a.xml" > "$TW_TMP/nat.xml"
run up "$TW_TMP/nat.xml"
is "$rc" 0 "a new range: up exits 0"; [ "$rc" = 0 ] || diag "$out" "$err"
like "$out" '^\+ dhcp br0: dnsmasq, range 10.0.5.150-10.0.5.160' "a new range: dnsmasq again"
if nat_gone "$new"; then ok "the old dnsmasq is gone"; else
	not_ok "the old dnsmasq is gone"
	diag "old: '$new'${new:+, $(tr '\0' ' ' < "/proc/$new/cmdline" 2>&1)}" "$out" "$err"
	nat_diag c1
fi
nat_lease_like c1 '^10\.0\.5\.1(5[0-9]|60)$' "c1 leases from the new range"
grep -v '<tw:dhcp\|</tw:dhcp>\|<tw:host' "$TW_TMP/nat-a.xml" > "$TW_TMP/nat.xml"
run up "$TW_TMP/nat.xml"
like "$out" '^- dhcp br0$' "no <tw:dhcp>: its record goes"
is "$(dnsmasqs)" 0 "and its dnsmasq with it"
cp "$TW_TMP/nat-a.xml" "$TW_TMP/nat.xml"
run up "$TW_TMP/nat.xml"
is "$rc" 0 "up of the first file again"

# Another table's forward chain with policy drop (what Docker sets up):
# up names it and the fix; the fix lets the traffic through again.
nft -f - <<'EOF'
table ip filter {
	chain FORWARD { type filter hook forward priority 0; policy drop; }
	chain DOCKER-USER { return; }
}
EOF
run up "$TW_TMP/nat.xml"
like "$err" '^tapwire: warning: bridge br0: table ip filter chain FORWARD \(hook forward\): policy drop drops its forwarded traffic; fix: iptables -I DOCKER-USER -i br0 -j ACCEPT' \
	"up warns about the forward drop, with the fix"
check "the drop is real: c1 cannot reach wan" sh -c '! ip netns exec c1 ping -c 1 -W 1 -q 203.0.113.2 > /dev/null 2>&1'
nft delete table ip filter
check "c1 reaches wan once the drop is gone" pings c1 203.0.113.2

# A second NAT bridge shares the table; the first one's down keeps it.
cat > "$TW_TMP/nat2.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="lab2">
  <tw:bridge name="br1" address="10.0.6.1/24"><tw:nat uplink="uplink0"/></tw:bridge>
</tw:net>
EOF
run up "$TW_TMP/nat2.xml"
is "$rc" 0 "a second owner's NAT bridge: up exits 0"
like "$out" '^= sysctl ip_forward' "it shares the ip_forward record"
is "$(nft list table ip tapwire | grep -c 'hook postrouting')" 2 "one table, a postrouting chain per bridge"

run down "$TW_TMP/nat.xml"
is "$rc" 0 "down exits 0"
is "$(dnsmasqs)" 0 "no dnsmasq is left"
is "$(ls -A "$TAPWIRE_RUNDIR/dnsmasq" 2>/dev/null)" "" "no dnsmasq file is left"
is "$(nft list table ip tapwire | grep -c 'hook postrouting')" 1 "lab2's chain stays"
is "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "ip_forward stays on for lab2"
run down "$TW_TMP/nat2.xml"
is "$rc" 0 "lab2: down exits 0"
check "no table of tapwire's is left" sh -c '! nft list table ip tapwire > /dev/null 2>&1'
is "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "ip_forward is off again, as it was"
is "$(records)" 0 "nothing is on record"

# A dnsmasq that cannot start: up fails and undoes all it made.
export TAPWIRE_DNSMASQ=/bin/false
run up "$TW_TMP/nat.xml"
nat_dnsmasq_log
is "$rc" 1 "dnsmasq fails: exit 1"
like "$err" "nat.xml:6: dhcp br0: .*dnsmasq failed" "the error names the dhcp element"
is "$(netns_names | tr '\n' ' ')" "wan " "the namespaces made are gone again"
check "no table of tapwire's is left" sh -c '! nft list table ip tapwire > /dev/null 2>&1'
is "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "ip_forward is back off"
is "$(records)" 0 "nothing is on record"

# DHCP without DNS on a bridge in a namespace: dnsmasq runs there, and a
# down that deletes the namespace stops it all the same.
cat > "$TW_TMP/ns.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="lab3">
  <tw:namespace name="r1"/>
  <tw:bridge name="br9" namespace="r1" address="10.0.9.1/24">
    <tw:dhcp range="10.0.9.10,10.0.9.20" dns="no"/>
  </tw:bridge>
</tw:net>
EOF
run up "$TW_TMP/ns.xml"
is "$rc" 0 "a bridge in namespace r1 with DHCP: up exits 0"
pid=$(nat_dnsmasq_pid r1+br9)
is "$(readlink "/proc/$pid/ns/net" 2>&1)" "$(ip netns exec r1 readlink /proc/self/ns/net)" "its dnsmasq runs in r1"
is "$(ip netns exec r1 ss -H -lnu 'sport = :53' | wc -l)" 0 "dns=no: nothing listens on port 53"
is "$(ip netns exec r1 ss -H -lnu 'sport = :67' | wc -l)" 1 "DHCP listens on port 67"
run down "$TW_TMP/ns.xml"
is "$rc" 0 "down exits 0"
check "the dnsmasq in the deleted namespace is stopped" nat_gone "$pid"
is "$(ls -A "$TAPWIRE_RUNDIR/dnsmasq" 2>/dev/null)" "" "its files are gone"

# NAT without a way out: a runtime fact, bad input all the same.
ip route del default
run up "$TW_TMP/nat.xml"
is "$rc" 2 "NAT without a default route or uplink: exit 2"
like "$err" "nat.xml:5: bridge br0: NAT has no way out" "the error names file:line"
is "$(netns_names | tr '\n' ' ')" "wan " "nothing was made"
check "no table was made" sh -c '! nft list table ip tapwire > /dev/null 2>&1'

done_testing
