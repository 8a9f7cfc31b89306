# Shared by the shell test suites. Each suite prints TAP ("ok N - ...").
#
# Isolation: tw_isolate re-runs the calling script inside a new network and
# mount namespace (unshare --net --mount), with its own sysfs, an empty
# /run/netns and a private state directory. Everything a test makes in the
# kernel lives in namespaces that vanish when the script exits, even if it
# crashes; the host's interfaces are never seen, let alone touched.

TW_TESTS_DIR=${TW_TESTS_DIR:-$(cd "$(dirname "$0")" && pwd)}
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$TW_TESTS_DIR/.." && pwd)}"
export top_builddir top_srcdir

tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
check() { # check "name" command...: ok when the command succeeds
	name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
is() { # is GOT WANT NAME
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3"; diag "  got '$1', want '$2'"; fi
}
like() { # like GOT PATTERN NAME  (grep -E pattern)
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok "$3"; else not_ok "$3"; diag "  '$1' does not match /$2/"; fi
}
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; exit $?; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# Build (or find cached) the test guest while the host's network is still
# ours: apt needs it. Call before tw_isolate; a failure shows later, as a
# missing guest.
tw_prebuild_guest() {
	[ -n "${TW_ISOLATED:-}" ] && return 0
	"$top_srcdir/tests/guest/build" "${TW_GUEST_CACHE:-$top_builddir/tests/guest/cache}" \
		> /dev/null 2>&1 || true
}

tw_isolate() {
	if [ -z "${TW_ISOLATED:-}" ]; then
		[ "$(id -u)" = 0 ] || skip_all "needs root for network namespaces"
		command -v unshare >/dev/null || skip_all "unshare (util-linux) is missing"
		TW_ISOLATED=1 exec unshare --net --mount --propagation private -- /bin/sh "$0" "$@"
	fi
	mount -t sysfs sysfs /sys || { echo "Bail out! cannot mount sysfs in the test namespace"; exit 1; }
	# A private /run: /run/netns and /run/tapwire start empty, and TW_TMP is
	# root-owned with no group/world-writable ancestor (unlike /tmp), as
	# policy files and setuid binaries require.
	mount -t tmpfs -o mode=0755 tmpfs /run
	mkdir -p /run/netns /run/tapwire /run/tw-test
	ip link set lo up
	TW_TMP=$(mktemp -d /run/tw-test/t.XXXXXX)
	chmod 0755 "$TW_TMP"
	export TW_TMP
	export TAPWIRE_RUNDIR="$TW_TMP/run"
	mkdir -p "$TAPWIRE_RUNDIR"
	trap 'tw_cleanup' EXIT
}

tw_cleanup() {
	# Namespaces, devices and the private /run die with this process.
	return 0
}

# A throwaway user that exists only in this test's mount namespace: the
# host's /etc/passwd and /etc/group are untouched.
tw_add_user() { # tw_add_user NAME UID
	[ -f "$TW_TMP/passwd" ] || { cp /etc/passwd "$TW_TMP/passwd"; cp /etc/group "$TW_TMP/group"
		mount --bind "$TW_TMP/passwd" /etc/passwd; mount --bind "$TW_TMP/group" /etc/group; }
	echo "$1:x:$2:$2:tapwire test:/nonexistent:/usr/sbin/nologin" >> "$TW_TMP/passwd"
	echo "$1:x:$2:" >> "$TW_TMP/group"
}
# Make DIR writable for this test only: an overlay on DIR (or on its nearest
# existing ancestor) whose changes live in TW_TMP and vanish with the test.
tw_private_dir() { # tw_private_dir DIR
	anc=$1
	while [ ! -d "$anc" ]; do anc=$(dirname "$anc"); done
	ov=$TW_TMP/overlay$(printf '%s' "$anc" | tr / _)
	mkdir -p "$ov/up" "$ov/work"
	mount -t overlay overlay -o "lowerdir=$anc,upperdir=$ov/up,workdir=$ov/work" "$anc"
	mkdir -p "$1"
}

# Run a command as that user (real and effective ids, its groups only).
tw_as_user() { # tw_as_user UID CMD...
	u=$1; shift
	setpriv --reuid="$u" --regid="$u" --clear-groups --inh-caps=-all -- "$@"
}

# What the kernel says about a device (sysfs of this test's namespace).
sys_attr() { cat "/sys/class/net/$1/$2" 2>/dev/null; }
dev_exists() { [ -e "/sys/class/net/$1" ]; }
dev_master() { basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)" 2>/dev/null; }
dev_mtu() { sys_attr "$1" mtu; }
dev_mac() { sys_attr "$1" address; }
dev_is_up() { f=$(sys_attr "$1" flags); [ -n "$f" ] && [ $(( f & 1 )) -eq 1 ]; }
dev_tun_flags() { sys_attr "$1" tun_flags; }
bridge_ports() { ls "/sys/class/net/$1/brif" 2>/dev/null; }
# Devices other than lo in this namespace.
devs_other_than_lo() { ls /sys/class/net | grep -vx lo || true; }

# A stand-in syslogd on a private /dev/log (an overlay of /dev in this
# test's mount namespace: the host's /dev is untouched), writing what it
# receives to $TW_TMP/syslog; $tw_sink is its pid. It exits 0 once it has
# COUNT messages, 1 after SECONDS.
tw_syslog_sink() { # tw_syslog_sink COUNT SECONDS
	mkdir -p "$TW_TMP/dev/up" "$TW_TMP/dev/work"
	mount -t overlay overlay -o "lowerdir=/dev,upperdir=$TW_TMP/dev/up,workdir=$TW_TMP/dev/work" /dev ||
		skip_all "cannot overlay /dev here (needed for a private /dev/log)"
	"$top_builddir/tests/tw-syslog-sink" /dev/log "$1" "$2" > "$TW_TMP/syslog" 2> "$TW_TMP/sink.err" &
	tw_sink=$!
	_i=0
	while [ $_i -lt 100 ] && ! grep -q '^ready$' "$TW_TMP/syslog" 2>/dev/null; do
		sleep 0.05; _i=$((_i + 1))
	done
}

# The pid of a process running PROGRAM that a tracer holds inside sendmsg
# (strace -e inject=sendmsg:delay_enter=...), waiting at most 5 s; fails
# when none shows up. While held, its /proc entries can be read.
tw_held_in_sendmsg() { # tw_held_in_sendmsg PROGRAM
	_i=0
	while [ $_i -lt 100 ]; do
		for _p in $(pgrep -f "^$1 "); do
			# 46 = sendmsg on x86_64
			if [ "$(cut -d' ' -f1 "/proc/$_p/syscall" 2>/dev/null)" = 46 ] &&
				grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$_p/status"; then
				echo "$_p"
				return 0
			fi
		done
		sleep 0.05; _i=$((_i + 1))
	done
	return 1
}

# A process that holds tap NAME open (tests/tw-tap-persist --open) until
# $TW_TMP/release exists, at most 60 s; its pid in $hpid, and what it said
# (`held NAME` once it holds it, waited for at most 5 s) in $TW_TMP/hold.out.
tw_hold_tap() { # tw_hold_tap NAME
	"$top_builddir/tests/tw-tap-persist" --open "$1" --hold "$TW_TMP/release" --timeout 60 \
		>"$TW_TMP/hold.out" 2>&1 &
	hpid=$!
	_i=0
	while ! grep -q '^held' "$TW_TMP/hold.out" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
