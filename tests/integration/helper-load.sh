#!/bin/sh
# The helper under load and under fire: 64 calls in parallel on one bridge,
# 500 calls each killed with SIGKILL at a random moment, and every failure
# path exiting promptly (QEMU waits for the helper). Bounded in count and
# time; all inside this test's private namespace.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

HELPER=$top_builddir/helper/tapwire-bridge-helper
DRIVER=$top_builddir/tests/tw-helper-driver
export TAPWIRE_BRIDGE_CONF=$TW_TMP/bridge.conf
printf 'allow br0\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
ip link add br0 type bridge && ip link set br0 up
BR_IFINDEX=$(sys_attr br0 ifindex)
ntaps() { ls /sys/class/net | grep -c '^tw' || true; }

# --- 64 in parallel, each holding its tap until all are counted
rm -f "$TW_TMP/release"
i=0
while [ $i -lt 64 ]; do
	"$DRIVER" --hold "$TW_TMP/release" --timeout 60 "$HELPER" --use-vnet --fd=N --br=br0 \
		> "$TW_TMP/p$i.out" 2> "$TW_TMP/p$i.err" &
	i=$((i + 1))
done
n=0
while [ $n -lt 600 ] && [ "$(cat "$TW_TMP"/p*.out 2>/dev/null | grep -c '^tap=')" -lt 64 ]; do
	sleep 0.1; n=$((n + 1))
done
is "$(cat "$TW_TMP"/p*.out | grep -c '^tap=')" 64 "64 parallel calls all receive a tap"
is "$(cat "$TW_TMP"/p*.out | sort -u | wc -l | tr -d ' ')" 64 "the 64 taps are distinct"
is "$(bridge_ports br0 | grep -c '^tw')" 64 "the kernel shows 64 taps on br0"
touch "$TW_TMP/release"
wait
is "$(cat "$TW_TMP"/p*.err | wc -c | tr -d ' ')" 0 "no call printed an error"
is "$(ntaps)" 0 "all 64 taps are gone once their fds close"

# --- 500 calls, each killed with SIGKILL at a random moment between its
# start and ~1.5 ms later (a whole call takes about 1 ms here), so the kills
# land in every stage: before the tap, between tap and bridge, before the
# fd is sent, after.
killed=0
i=0
awk 'BEGIN { srand(4242); for (i = 0; i < 500; i++) printf "%d\n", rand() * 1500 }' > "$TW_TMP/delays"
while read -r us; do
	"$DRIVER" --kill-after "$us" --timeout 10 "$HELPER" --fd=N --br=br0 > /dev/null 2>&1
	[ $? -eq $((128 + 9)) ] && killed=$((killed + 1))
	i=$((i + 1))
done < "$TW_TMP/delays"
diag "calls killed before they finished: $killed of 500"
check "most calls were killed mid-call ($killed)" test "$killed" -gt 100
is "$(ntaps)" 0 "no tap survives a killed helper"
is "$(sys_attr br0 ifindex)" "$BR_IFINDEX" "the bridge is intact (same device)"
check "the bridge is still up" dev_is_up br0
"$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br0 > "$TW_TMP/after" 2>&1
is "$?" 0 "the helper still works afterwards"

# --- every failure path exits promptly
prompt() { # prompt NAME ARGS...: exits non-zero within 5 s
	name=$1; shift
	start=$(date +%s)
	timeout 10 sh -c 'ulimit -n "$0" && exec "$@"' "${NOFILE:-1024}" \
		"$DRIVER" --timeout 10 "$HELPER" "$@" > /dev/null 2>&1
	code=$?
	took=$(( $(date +%s) - start ))
	check "$name: fails (exit $code) within 5 s (${took}s)" test "$code" -ne 0 -a "$code" -ne 124 -a "$took" -le 5
}
prompt "policy denies" --fd=N --br=br7
printf 'allow all\n' > "$TAPWIRE_BRIDGE_CONF"
prompt "bridge missing" --fd=N --br=br7
mkfifo "$TW_TMP/fifo"
chmod 0644 "$TW_TMP/fifo"
TAPWIRE_BRIDGE_CONF=$TW_TMP/fifo prompt "policy file is a FIFO" --fd=N --br=br0
# A full fd table: the helper cannot open /dev/net/tun or a socket.
NOFILE=5 prompt "only 5 file descriptors allowed" --fd=N --br=br0
is "$(ntaps)" 0 "none of them left a tap"

done_testing
