#!/bin/sh
# tapwire-bridge-helper installed setuid root and run by unprivileged users,
# as on a real host. The users and the policy file exist only in this test's
# mount namespace.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

command -v strace >/dev/null || skip_all "strace is missing (tools/deps test installs it)"

DRIVER=$top_builddir/tests/tw-helper-driver
BIN=$TW_TMP/bin
mkdir -p "$BIN"
# TW_HELPER: the helper as a package installed it, setuid by the package
# (tests/package.sh), used where it is; else the built one, made setuid here.
BUILT=$top_builddir/helper/tapwire-bridge-helper
if [ -n "${TW_HELPER:-}" ]; then
	HELPER=$TW_HELPER BUILT=$TW_HELPER
else
	install -o root -g root -m 4755 "$BUILT" "$BIN/"
	HELPER=$BIN/tapwire-bridge-helper
fi
cp "$DRIVER" "$BIN/" && DRIVER=$BIN/tw-helper-driver

tw_add_user twuser 4242
tw_add_user twother 4243
# The policy must sit where the helper was built to look: a privileged run
# ignores TAPWIRE_BRIDGE_CONF. That directory is a private overlay here.
tw_private_dir "$sysconfdir/tapwire"
printf 'allow br0 user:twuser\nallow br1\n' > "$sysconfdir/tapwire/bridge.conf"
chmod 0644 "$sysconfdir/tapwire/bridge.conf"
# A policy that would allow everything, for the environment to point at.
printf 'allow all\n' > "$TW_TMP/evil.conf"
chmod 0644 "$TW_TMP/evil.conf"

for b in br0 br1 br9; do ip link add $b type bridge && ip link set $b up; done
before=$(devs_other_than_lo | sort | tr '\n' ' ')

as_user() { # as_user UID OUT ARGS... -> exit status of the driver
	u=$1; out=$2; shift 2
	tw_as_user "$u" "$DRIVER" --timeout 10 "$HELPER" "$@" > "$out" 2> "$out.err"
}

as_user 4242 "$TW_TMP/a" --use-vnet --fd=N --br=br0
is "$?" 0 "twuser may use br0 (user:twuser)"
like "$(cat "$TW_TMP/a")" '^tap=tw[0-9a-f]{8} ' "twuser receives a tap fd"
as_user 4242 "$TW_TMP/b" --fd=N --br=br1
is "$?" 0 "twuser may use br1 (allowed for everyone)"
as_user 4243 "$TW_TMP/c" --fd=N --br=br1
is "$?" 0 "twother may use br1"
as_user 4243 "$TW_TMP/d" --fd=N --br=br0
is "$?" 1 "twother may not use br0"
like "$(cat "$TW_TMP/d.err")" "access denied: uid 4243 may not use bridge 'br0'" "twother is told why"
like "$(cat "$TW_TMP/d.err")" "add \"allow br0 user:4243\" \\(this user\\) or \"allow br0\" \\(everyone\\) to $sysconfdir/tapwire/bridge.conf\$" \
	"... and which line in which file would allow it"
as_user 4242 "$TW_TMP/e" --fd=N --br=br9
is "$?" 1 "twuser may not use br9"
TAPWIRE_BRIDGE_CONF=$TW_TMP/evil.conf as_user 4242 "$TW_TMP/f" --fd=N --br=br9
is "$?" 1 "TAPWIRE_BRIDGE_CONF is ignored when setuid"
like "$(cat "$TW_TMP/f.err")" "access denied: uid 4242" "the built-in policy decided"
is "$(devs_other_than_lo | sort | tr '\n' ' ')" "$before" "every tap went away with its fd"

# The environment steers nothing in a privileged run: the loader ignores
# LD_PRELOAD (a library that would make the helper die of SIGSYS if it were
# loaded), and locale, PATH, TMPDIR and TAPWIRE_* change nothing.
mkdir -p "$TW_TMP/u" && cp "$top_builddir/tests/tw-forbidden.so" "$TW_TMP/u/" && chown -R 4242 "$TW_TMP/u"
# LD_PRELOAD is given to the helper alone (through env(1), which the driver
# runs in its place): the sanitized driver itself would refuse to start.
preload="/usr/bin/env LD_PRELOAD=$TW_TMP/u/tw-forbidden.so TW_FORBID=1"
hostile="LD_LIBRARY_PATH=$TW_TMP/u
	LOCPATH=$TW_TMP/u LC_ALL=de_DE.UTF-8 LANGUAGE=de PATH=$TW_TMP/u TMPDIR=$TW_TMP/u
	TAPWIRE_BRIDGE_CONF=$TW_TMP/evil.conf TAPWIRE_RUNDIR=$TW_TMP/u MALLOC_CHECK_=3 GCONV_PATH=$TW_TMP/u"
# shellcheck disable=SC2086
env $hostile /usr/bin/setpriv --reuid=4242 --regid=4242 --clear-groups --inh-caps=-all -- \
	"$DRIVER" --timeout 10 $preload "$HELPER" --use-vnet --fd=N --br=br0 > "$TW_TMP/h1" 2> "$TW_TMP/h1.err"
is "$?" 0 "a hostile environment changes nothing: twuser still gets br0 (no SIGSYS: LD_PRELOAD ignored)"
# shellcheck disable=SC2086
env $hostile /usr/bin/setpriv --reuid=4242 --regid=4242 --clear-groups --inh-caps=-all -- \
	"$DRIVER" --timeout 10 $preload "$HELPER" --fd=N --br=br9 > "$TW_TMP/h2" 2> "$TW_TMP/h2.err"
is "$?" 1 "a hostile environment changes nothing: br9 is still refused"
is "$(grep '^tapwire-bridge-helper:' "$TW_TMP/h2.err")" "$(cat "$TW_TMP/e.err")" "with the same message, in English"

# Not setuid, not root: refused before anything happens.
cp "$BUILT" "$BIN/plain-helper" && chmod 0755 "$BIN/plain-helper"
tw_as_user 4242 "$DRIVER" --timeout 10 "$BIN/plain-helper" --fd=N --br=br1 > /dev/null 2> "$TW_TMP/g.err"
is "$?" 1 "a helper without privileges exits 1"
like "$(cat "$TW_TMP/g.err")" "cannot open /dev/net/tun|no CAP_NET_ADMIN" "and says what is missing"

# Seen from outside: stop the helper as it passes the fd to QEMU (its fourth
# sendmsg: three netlink requests come first) and read its credentials from
# /proc while it waits. strace -u runs the driver as twuser and honours the
# setuid bit, as a login would.
# LeakSanitizer cannot run under ptrace: in the sanitized build it would
# fail the traced call at exit.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
strace -f -qq -u twuser -e trace=sendmsg -e inject=sendmsg:delay_enter=3000000:when=4 \
	-o "$TW_TMP/strace.log" "$DRIVER" --timeout 20 "$HELPER" --fd=N --br=br0 > "$TW_TMP/s.out" 2>&1 &
spid=$!
status=
if p=$(tw_held_in_sendmsg "$HELPER"); then
	status=$(cat "/proc/$p/status")
	fd=$(tr '\0' '\n' < "/proc/$p/cmdline" | sed -n 's/^--fd=//p')
	sockarg=$(cut -d' ' -f2 "/proc/$p/syscall")
fi
wait $spid
is "$?" 0 "the traced call still succeeds"
if [ -n "$status" ]; then
	ok "caught the helper inside sendmsg"
	is "$(printf '%d' "$sockarg")" "$fd" "the sendmsg it is held in is the one to QEMU's socket (fd $fd)"
	is "$(printf '%s\n' "$status" | awk '/^Uid:/ {print $2, $3, $4, $5}')" "4242 4242 4242 4242" \
		"real, effective, saved and fs uid are the caller's"
	is "$(printf '%s\n' "$status" | awk '/^Gid:/ {print $2, $3, $4, $5}')" "4242 4242 4242 4242" \
		"all gids are the caller's"
	is "$(printf '%s\n' "$status" | awk '/^CapEff:/ {print $2}')" 0000000000001000 "effective: CAP_NET_ADMIN only"
	is "$(printf '%s\n' "$status" | awk '/^CapPrm:/ {print $2}')" 0000000000001000 "permitted: CAP_NET_ADMIN only"
	is "$(printf '%s\n' "$status" | awk '/^CapInh:/ {print $2}')" 0000000000000000 "inheritable: none"
	is "$(printf '%s\n' "$status" | awk '/^CapAmb:/ {print $2}')" 0000000000000000 "ambient: none"
	like "$(printf '%s\n' "$status" | awk '/^CapBnd:/ {print $2}')" '^0000000000001000$|^0000000000000000$' \
		"bounding set: at most CAP_NET_ADMIN"
	is "$(printf '%s\n' "$status" | awk '/^NoNewPrivs:/ {print $2}')" 1 "no-new-privs is set"
else
	not_ok "caught the helper inside sendmsg"
	diag "$(cat "$TW_TMP/strace.log" "$TW_TMP/s.out" 2>/dev/null)"
fi

done_testing
