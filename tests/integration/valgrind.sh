#!/bin/sh
# tapwire-bridge-helper and tapwire under valgrind memcheck, on their good
# and their failing paths: no memory errors and no leaks (definite or
# indirect). A valgrind finding makes the run exit 99.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ "${TW_SANITIZERS:-no}" = yes ] && skip_all "valgrind does not run sanitized binaries; this runs in the plain build"
command -v valgrind >/dev/null || skip_all "valgrind is missing (tools/deps test installs it)"
tw_isolate "$@"

VG="$(command -v valgrind) --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-fds=no"
HELPER=$top_builddir/helper/tapwire-bridge-helper
DRIVER=$top_builddir/tests/tw-helper-driver
TAPWIRE=$top_builddir/cli/tapwire
export TAPWIRE_BRIDGE_CONF=$TW_TMP/bridge.conf
printf 'allow br0\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
ip link add br0 type bridge && ip link set br0 up
ip link add notbr type dummy 2>/dev/null || ip link add notbr type veth peer name notbr1

helper() { # helper WANT NAME ARGS...
	want=$1 name=$2; shift 2
	# shellcheck disable=SC2086
	"$DRIVER" --timeout 60 $VG "$HELPER" "$@" > "$TW_TMP/h.out" 2> "$TW_TMP/h.err"
	got=$?
	is "$got" "$want" "helper under valgrind: $name"
	[ "$got" = 99 ] && diag "$(cat "$TW_TMP/h.err")"
}
helper 0 "a tap on br0" --use-vnet --fd=N --br=br0
helper 1 "policy denies" --fd=N --br=br9
helper 1 "not a bridge" --fd=N --br=notbr
helper 1 "bad name" --fd=N --br=aaaaaaaaaaaaaaaaaaaaa
printf 'allow all\n' > "$TAPWIRE_BRIDGE_CONF"
helper 1 "bridge missing" --fd=N --br=br9
printf 'allow br0\nbogus\n' > "$TAPWIRE_BRIDGE_CONF"
helper 1 "broken policy" --fd=N --br=br0

tw() { # tw WANT NAME ARGS...
	want=$1 name=$2; shift 2
	# shellcheck disable=SC2086
	$VG "$TAPWIRE" "$@" > "$TW_TMP/t.out" 2> "$TW_TMP/t.err"
	got=$?
	is "$got" "$want" "tapwire under valgrind: $name"
	[ "$got" = 99 ] && diag "$(cat "$TW_TMP/t.err")"
}
ex=$top_srcdir/examples
tw 0 "check" check "$ex/seed-bridge.xml"
tw 0 "up" up "$ex/seed-bridge.xml"
tw 0 "up again (nothing to do)" up "$ex/seed-bridge.xml"
tw 0 "status --json" status --json
tw 0 "down" down "$ex/seed-bridge.xml"
tw 2 "broken XML" up "$top_srcdir/tests/bad/$(ls "$top_srcdir/tests/bad" | head -n 1)"
ip link add br-net0 type bridge
tw 1 "a failing up rolls back" up "$ex/seed-tap.xml"
is "$(ip netns list | wc -l)" 0 "the rollback left no namespace"

done_testing
