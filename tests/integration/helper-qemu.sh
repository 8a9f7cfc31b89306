#!/bin/sh
# Real QEMU (TCG, -machine none: no guest needed) calling the built helper
# through both of its front ends, -netdev tap,helper= and -netdev bridge.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

QEMU=${QEMU_SYSTEM:-$(command -v qemu-system-x86_64)}
[ -x "$QEMU" ] || skip_all "qemu-system-x86_64 is missing (tools/deps test installs qemu-system-x86)"
HELPER=$top_builddir/helper/tapwire-bridge-helper
export TAPWIRE_BRIDGE_CONF=$TW_TMP/bridge.conf
printf 'allow br0\nallow br1\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
for b in br0 br1 br2; do ip link add $b type bridge && ip link set $b up; done

qemu_pid=
stop_qemu() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null; qemu_pid=; }
trap 'stop_qemu' EXIT

# start_qemu LOG NETDEV: start QEMU, wait until a port shows up on a bridge
# or QEMU exits; the tap's name goes to $tap. Not for $(...): qemu_pid must
# stay this shell's.
start_qemu() {
	tap=""
	log=$1; netdev=$2
	"$QEMU" -machine none -nodefaults -display none -monitor none -netdev "$netdev" > "$log" 2>&1 &
	qemu_pid=$!
	i=0
	while [ $i -lt 200 ]; do
		t=$(ls /sys/class/net/br0/brif /sys/class/net/br1/brif 2>/dev/null | grep '^tw' | head -n 1)
		[ -n "$t" ] && { tap=$t; return 0; }
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

start_qemu "$TW_TMP/q1.log" "tap,id=n0,helper=$HELPER"
like "$tap" '^tw[0-9a-f]{8}$' "-netdev tap,helper=: a tap appears ($tap)"
is "$(dev_master "$tap")" br0 "-netdev tap,helper=: QEMU's default bridge br0 is its master"
check "-netdev tap,helper=: the tap is up" dev_is_up "$tap"
flags=$(dev_tun_flags "$tap"); flags=${flags:-0}
is "$(( flags & 0x4000 ))" "$((0x4000))" "QEMU asked for vnet_hdr (--use-vnet) and got it"
stop_qemu
check "the tap is gone when QEMU exits" sh -c "! test -e /sys/class/net/$tap"

start_qemu "$TW_TMP/q2.log" "bridge,id=n0,br=br1,helper=$HELPER"
is "$(dev_master "$tap")" br1 "-netdev bridge,br=br1: the tap is on br1"
like "$(dev_mac "$tap")" '^fe:' "its MAC starts with fe:"
stop_qemu

# Denied by the policy: QEMU gives up promptly and shows the helper's line.
start=$(date +%s)
timeout 30 "$QEMU" -machine none -nodefaults -display none -monitor none \
	-netdev "bridge,id=n0,br=br2,helper=$HELPER" > "$TW_TMP/q3.log" 2>&1
code=$?
elapsed=$(( $(date +%s) - start ))
check "a denied bridge makes QEMU fail (exit $code)" test "$code" -ne 0 -a "$code" -ne 124
check "and promptly (${elapsed}s)" test "$elapsed" -lt 10
like "$(cat "$TW_TMP/q3.log")" "tapwire-bridge-helper: access denied: uid 0 may not use bridge 'br2'" \
	"QEMU shows the helper's reason"
diag "QEMU said: $(tr '\n' ' ' < "$TW_TMP/q3.log")"
is "$(ls /sys/class/net | grep -c '^tw')" 0 "no tap is left"

done_testing
