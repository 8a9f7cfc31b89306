#!/bin/sh
# The hook killed with SIGKILL at random moments of `prepare begin` (as
# libvirtd's timeout or an OOM kill would), then run again: it converges,
# and `release end` leaves nothing. Bounded: 8 rounds, each kill 2-42 ms in.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

H=$top_builddir/hooks/tapwire-hook
export TAPWIRE_HOOK_CONF=$TW_TMP/tapwire.conf
export TAPWIRE_QEMU_CONF=$TW_TMP/qemu.conf
export TAPWIRE_RUNDIR=$TW_TMP/state
: > "$TAPWIRE_HOOK_CONF"
chmod 0644 "$TAPWIRE_HOOK_CONF"
printf 'user = "root"\n' > "$TAPWIRE_QEMU_CONF"

N=24
xml=$TW_TMP/dom.xml
{
	echo "<domain type='qemu'><name>killme</name><metadata>"
	echo "<tw:net xmlns:tw='urn:tapwire:1'><tw:bridge name='kbr'/>"
	i=1
	while [ $i -le $N ]; do
		echo "<tw:namespace name='k$i'/><tw:veth><tw:end namespace='k$i' name='eth0' address='10.9.$i.1/24'/>"
		echo "<tw:end name='kp$i' bridge='kbr'/></tw:veth>"
		i=$((i + 1))
	done
	echo "</tw:net></metadata><devices><interface type='bridge'><mac address='52:54:00:99:00:01'/>"
	echo "<source bridge='kbr'/><model type='virtio'/></interface></devices></domain>"
} > "$xml"

hook() { "$H" killme "$1" "$2" - < "$xml" > "$TW_TMP/out" 2>&1; }
nns() { ls /run/netns 2>/dev/null | grep -c '^k' || true; }
ports() { ls /sys/class/net/kbr/brif 2>/dev/null | wc -l | tr -d ' '; }

round=1
awk 'BEGIN { srand(99); for (i = 0; i < 8; i++) printf "%.3f\n", 0.002 + rand() * 0.04 }' > "$TW_TMP/delays"
while read -r d; do
	"$H" killme prepare begin - < "$xml" > /dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	diag "round $round: killed after ${d}s with $(nns) namespaces and $(ports) ports made"
	hook prepare begin
	is "$?" 0 "round $round: prepare again exits 0"
	is "$(nns):$(ports)" "$N:$N" "round $round: all $N namespaces and ports exist"
	hook release end
	is "$?" 0 "round $round: release exits 0"
	is "$(nns):$(ls /sys/class/net | grep -vc '^lo$')" "0:0" "round $round: nothing is left"
	round=$((round + 1))
done < "$TW_TMP/delays"

done_testing
