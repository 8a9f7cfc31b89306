#!/bin/sh
# VXLAN between "hosts" on one machine (tests/integration/overlay-lib.sh):
# each host a network namespace with its own underlay and its own
# `tapwire --netns hN up`, a guest namespace on each host's bridge. Two
# hosts with a unicast remote, four with head-end replication (<tw:remote>),
# two with a multicast group; guests ping across, `down` on one host leaves
# the others working, and a VXLAN shared by two owners on one host stays
# until the last of them goes, FDB entries and all.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
. "$top_srcdir/tests/integration/overlay-lib.sh"

# ---- two hosts, one remote each
ov_hosts 4
ov_xml 1 2 unicast > /dev/null
ov_xml 2 2 unicast > /dev/null

tw_on 1 check "$TW_TMP/h1.xml"
is "$rc" 0 "check h1.xml exits 0"
like "$out" "\\+ bridge br0 mtu 1450 \\(underlay eth1 mtu 1500 - 50 for VXLAN over IPv4\\)" \
	"check's plan says the bridge gets the underlay's MTU less VXLAN's 50 bytes"
like "$out" "\\+ vxlan vx42 id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789 dev eth1 master br0 mtu 1450" \
	"check's plan shows the vxlan with its default port 4789 and that MTU"
is "$(h_devs 1)" "" "check changed nothing on host 1"

ov_up 1
ov_up 2
for n in 1 2; do
	d=$(ip -n "h$n" -d -o link show dev vx42 2>/dev/null)
	like "$d" "vxlan id 42 remote 192.0.2.$((3 - n)) local 192.0.2.$n dev eth1 .*dstport 4789" \
		"host $n: the kernel has vx42 with VNI 42, remote, local, dev and port 4789"
	is "$(ip netns exec "h$n" sh -c 'basename $(readlink /sys/class/net/vx42/master)' 2>/dev/null)" br0 \
		"host $n: vx42 is a port of br0"
	is "$(h_attr "$n" br0 mtu):$(h_attr "$n" vx42 mtu):$(h_attr "$n" "g$n-br" mtu):$(g_attr "$n" eth0 mtu)" \
		"1450:1450:1450:1450" "host $n: br0, vx42 and both ends of the guest's veth have MTU 1450"
done
check "guest 1 pings guest 2 across the tunnel" ov_pings 1 2
check "guest 2 pings guest 1" ov_pings 2 1
check "state is per host: host 1's names overlay-h1 only" \
	sh -c "TAPWIRE_RUNDIR='$TW_TMP/run-h1' '$TW' --netns h1 status | grep '^owner' | tr '\n' ' ' | grep -qx 'owner overlay-h1 '"
is "$(TAPWIRE_RUNDIR=$TW_TMP/run-h1 "$TW" status)" "nothing on record" \
	"nothing is on record for the test's own namespace"

before1=$(kdevs h1) before2=$(kdevs h2)
tw_on 1 up "$TW_TMP/h1.xml"
is "$rc:$out" "0:overlay-h1: nothing to do" "a second up on host 1: nothing to do"
is "$(kdevs h1)" "$before1" "and the kernel of host 1 is as it was"

ov_down 1
is "$(h_devs 1)" "" "down on host 1: only lo and eth1 are left there"
check "guest namespace g1 is gone" sh -c '! ip netns list | grep -q "^g1\b"'
is "$(kdevs h2)" "$before2" "host 2 is untouched"
check "guest namespace g2 is still there" sh -c 'ip netns list | grep -q "^g2\b"'
is "$(TAPWIRE_RUNDIR=$TW_TMP/run-h2 "$TW" --netns h2 status | grep -c MISSING)" 0 \
	"host 2's record has everything live"
ov_up 1
check "up again on host 1: guest 1 pings guest 2 again" ov_pings 1 2
ov_down 1
ov_down 2
is "$(h_devs 2)" "" "down on host 2: only lo and eth1 are left there"

# ---- four hosts, head-end replication: one all-zero FDB entry per remote
t0=$(date +%s%N)
for n in 1 2 3 4; do ov_xml "$n" 4 heads > /dev/null; ov_up "$n"; done
diag "4 hosts up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
for n in 1 2 3 4; do
	want=$(for k in 1 2 3 4; do [ "$k" = "$n" ] || echo "192.0.2.$k"; done | tr '\n' ' ' | sed 's/ $//')
	is "$(ov_heads "$n")" "$want" "host $n: vx42 floods to the other three (00:00:00:00:00:00 dst ...)"
done
like "$(ip -n h1 -d -o link show dev vx42)" "vxlan id 42 local 192.0.2.1 dev eth1" \
	"host 1: vx42 has no default remote (the FDB has them)"

# Broadcast reaches every host: the first ping's ARP request floods, and
# each bridge learns guest 1's MAC on its vx42 port from it.
mac1=$(g_attr 1 eth0 address)
check "guest 1 pings guest 4" ov_pings 1 4
for n in 2 3 4; do
	check "host $n's br0 learnt guest 1's MAC from the broadcast (on vx42)" \
		sh -c "bridge -n h$n fdb show br br0 | grep -qi '^$mac1 dev vx42 master br0'"
done
bad=""
for a in 1 2 3 4; do
	for b in 1 2 3 4; do
		[ "$a" = "$b" ] || ov_pings "$a" "$b" || bad="$bad $a->$b"
	done
done
is "$bad" "" "every guest pings every other (12 pairs)"

# A second owner on host 2 shares vx42 and br0: the first down keeps them.
sed 's/name="overlay-h2"/name="overlay-h2-extra"/; /<tw:namespace/d; /<tw:veth>/,/<\/tw:veth>/d' \
	"$TW_TMP/h2.xml" > "$TW_TMP/h2-extra.xml"
TAPWIRE_RUNDIR=$TW_TMP/run-h2 run --netns h2 up "$TW_TMP/h2-extra.xml"
is "$rc" 0 "host 2: a second owner declares the same br0 and vx42"
ov_down 2
like "$out" "= vxlan vx42 \\(kept: still used by overlay-h2-extra\\)" "down of the first owner keeps vx42"
is "$(h_devs 2)" "br0 vx42" "host 2 keeps br0 and vx42, the guest's veth is gone"
is "$(ov_heads 2)" "192.0.2.1 192.0.2.3 192.0.2.4" "and vx42 keeps its head-end entries"
bad=""
for a in 1 3 4; do
	for b in 1 3 4; do
		[ "$a" = "$b" ] || ov_pings "$a" "$b" || bad="$bad $a->$b"
	done
done
is "$bad" "" "guests 1, 3 and 4 still ping each other"
TAPWIRE_RUNDIR=$TW_TMP/run-h2 run --netns h2 down "$TW_TMP/h2-extra.xml"
is "$rc" 0 "host 2: down of the last owner"
like "$out" "- fdb 00:00:00:00:00:00 dev vx42 dst 192.0.2.4" "it removes the head-end entries"
like "$out" "- vxlan vx42" "and the vxlan"
is "$(h_devs 2)" "" "host 2 is back to lo and eth1"
is "$(bridge -n h2 fdb show 2>/dev/null | grep -c 'dst 192.0.2')" 0 "no FDB entry towards the underlay is left on host 2"
for n in 1 3 4; do ov_down "$n"; done

# ---- two hosts on a multicast group
ov_xml 1 2 group > /dev/null
ov_xml 2 2 group > /dev/null
ov_up 1
ov_up 2
like "$(ip -n h1 -d -o link show dev vx42)" "vxlan id 42 group 239.1.1.42 local 192.0.2.1 dev eth1" \
	"host 1: vx42 joins group 239.1.1.42 on eth1"
check "guest 1 pings guest 2 over the multicast group" ov_pings 1 2
ov_down 1
ov_down 2

# ---- nothing of ours is left
for n in 1 2 3 4; do
	[ -z "$(h_devs "$n")" ] || not_ok "host $n still has $(h_devs "$n")"
done
is "$(ip netns list | awk '{ print $1 }' | sort | tr '\n' ' ')" "h1 h2 h3 h4 " "only the hosts' namespaces are left"
for n in 1 2 3 4; do
	is "$(TAPWIRE_RUNDIR=$TW_TMP/run-h$n "$TW" --netns "h$n" status)" "nothing on record" "host $n: nothing on record"
done
done_testing
