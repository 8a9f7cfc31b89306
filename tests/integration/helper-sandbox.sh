#!/bin/sh
# The helper's seccomp filter, seen working: a system call outside its list,
# made inside the act stage, kills the helper with SIGSYS and leaves no tap.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ "${TW_SANITIZERS:-no}" = yes ] &&
	skip_all "sanitizer builds run the helper without its seccomp filter (their runtime needs more system calls)"
tw_isolate "$@"

HELPER=$top_builddir/helper/tapwire-bridge-helper
DRIVER=$top_builddir/tests/tw-helper-driver
PRELOAD=$top_builddir/tests/tw-forbidden.so
export TAPWIRE_BRIDGE_CONF=$TW_TMP/bridge.conf
printf 'allow br0\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
ip link add br0 type bridge && ip link set br0 up

LD_PRELOAD=$PRELOAD "$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br0 > "$TW_TMP/a" 2>&1
is "$?" 0 "with the probe library loaded but idle, the helper works"

LD_PRELOAD=$PRELOAD TW_FORBID=1 "$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br0 > "$TW_TMP/b" 2>&1
code=$?
is "$code" $((128 + 31)) "a forbidden system call inside the sandbox kills the helper with SIGSYS"
check "the forbidden call did nothing" test ! -e /tmp/tw-forbidden
is "$(ls /sys/class/net | grep -c '^tw')" 0 "no tap is left behind"

# The filter is in place when the helper hands the fd over (the kernel
# says so: Seccomp: 2 in /proc/PID/status) -- see helper-unpriv.sh for the
# credentials; here only the mode.
strace -f -qq -e trace=sendmsg -e inject=sendmsg:delay_enter=2000000:when=4 -o /dev/null \
	"$DRIVER" --timeout 20 "$HELPER" --fd=N --br=br0 > /dev/null 2>&1 &
spid=$!
mode=
i=0
while [ $i -lt 80 ] && [ -z "$mode" ]; do
	for p in $(pgrep -f "^$HELPER "); do
		[ "$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)" = 46 ] &&
			mode=$(awk '/^Seccomp:/ {print $2}' "/proc/$p/status")
	done
	sleep 0.05; i=$((i + 1))
done
wait $spid
is "$mode" 2 "the helper runs under a seccomp filter (mode 2) when it sends the fd"

done_testing
