#!/bin/sh
# configure's last words (tools/paths-check): the install paths, expanded,
# and a warning where the helper or libvirt would never use what lands
# there. Each case is a tree of directories made here, with the modes and
# owners that decide.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

PC=$top_srcdir/tools/paths-check
like "$(grep -c 'tools/paths-check' "$top_srcdir/configure")" '^[1-9]' "configure runs tools/paths-check"

run() { # run SYSCONFDIR: stdout in $out, stderr in $err
	out=$(TW_PATHS_QUIET=${quiet:-} sh "$PC" /usr/sbin /usr/libexec "$1" /run /lib/systemd/system 2> "$tmp/err")
	err=$(cat "$tmp/err")
}
tmp=$(mktemp -d /run/tw-paths.XXXXXX 2>/dev/null || mktemp -d "${TMPDIR:-/tmp}/tw-paths.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

run /etc
like "$out" "tapwire-bridge-helper: /usr/libexec/tapwire-bridge-helper" "the helper's path"
like "$out" "its policy: +/etc/tapwire/bridge.conf" "the policy's path"
like "$out" "libvirt hook: +/etc/libvirt/hooks/qemu.d/tapwire" "the hook's path"
is "$err" "" "--sysconfdir=/etc: no warning"
quiet=yes run /etc
is "$out" "" "configure -q: no listing"

# A prefix under /tmp: sticky, world-writable.
mkdir -p "$tmp/sticky" && chmod 1777 "$tmp/sticky"
run "$tmp/sticky/prefix/etc"
like "$err" "WARNING: tapwire-bridge-helper will refuse its policy $tmp/sticky/prefix/etc/tapwire/bridge.conf: $tmp/sticky is owned by [a-z]+, mode 1777" \
	"a world-writable directory on the way: the helper would refuse the policy"
like "$err" "WARNING: libvirt runs hooks only from /etc/libvirt/hooks/qemu.d: the hook installed as $tmp/sticky/prefix/etc/libvirt/hooks/qemu.d/tapwire will never run" \
	"a sysconfdir other than /etc: libvirt would never run the hook"
is "$(printf '%s\n' "$err" | wc -l)" 2 "one line per warning"

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$tmp/home/etc" && chmod 0755 "$tmp" "$tmp/home" && chown 65534 "$tmp/home"
	run "$tmp/home/etc"
	like "$err" "refuse its policy .*: $tmp/home is owned by [a-z0-9]+, mode 755" "a directory a user owns: refused too"
else
	skip "needs root to make a directory another user owns"
fi
mkdir -p "$tmp/ok/etc/tapwire" && chmod 0755 "$tmp/ok" "$tmp/ok/etc" "$tmp/ok/etc/tapwire"
run "$tmp/ok/etc"
if [ -z "$(find "$tmp" /run /tmp -maxdepth 0 \( ! -user 0 -o -perm /022 \) 2>/dev/null | grep -Fx "$tmp")" ] && [ "$(id -u)" = 0 ] &&
	[ "$(dirname "$tmp")" = /run ]; then
	is "$(printf '%s\n' "$err" | grep -c 'refuse its policy')" 0 "root-owned 0755 directories all the way: no policy warning"
else
	skip "this test's directory is not under a trusted /run"
fi
done_testing
