#!/bin/sh
# The Debian package, built and installed as a user would: dpkg-buildpackage
# from the files of a clean checkout, lintian, then `apt-get install
# ./tapwire_*.deb` into a throwaway root (an overlay over / whose changes
# live in a tmpfs, in a private mount and network namespace, chrooted): the
# host's files and dpkg database are never touched. There, the helper and
# hook suites run against the installed files, tapwire@.service's commands
# run, and purge must leave the file system as it found it.
# tools/check runs it once (not in make check: it builds the whole tree
# again); by hand: make check TESTS=tests/package.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

HELPER=/usr/libexec/tapwire-bridge-helper
HOOK=/etc/libvirt/hooks/qemu.d/tapwire
UNITS=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
# What the throwaway root holds that the host's does not: its overlay's
# upper layer (bound at /run/tw-upper), one "PATH TYPE" a line, TYPE as
# find's %y (a whiteout, a host file deleted, is a "c"), but what apt and
# dpkg keep about themselves (it changes with any install) and the mount
# points. Host processes that change / meanwhile change nothing here.
upper() {
	(cd /run/tw-upper && find . \( -path ./var/log -o -path ./var/cache -o -path ./var/lib/apt \
		-o -path ./var/lib/dpkg -o -path ./tmp -o -path ./run -o -path ./proc -o -path ./sys \
		-o -path ./dev \) -prune -o -printf '/%P %y\n' | sort)
}

# A suite, its own TAP counted into one line of ours.
suite() { # suite NAME ENV... (the suite reads the installed paths from ENV)
	name=$1; shift
	log=/tmp/$name.log
	env "$@" sh "$top_srcdir/tests/integration/$name.sh" > "$log" 2>&1
	rc=$?
	n_ok=$(grep -c '^ok ' "$log")
	n_bad=$(grep -c '^not ok ' "$log")
	if [ "$rc" = 0 ] && [ "$n_bad" = 0 ] && [ "$n_ok" -gt 0 ]; then
		ok "$name.sh against the installed files: $n_ok passed"
	else
		not_ok "$name.sh against the installed files: $n_ok passed, $n_bad failed, exit $rc"
		diag "$(grep -E '^not ok|^#|Bail' "$log" | head -n 20)"
	fi
}

# --- Stage 3: inside the throwaway root ------------------------------------
if [ "${TW_PKG_STAGE:-}" = inside ]; then
	tap_n=$TW_PKG_N
	# A stand-in for libvirt's AppArmor profile, with a site rule of the
	# administrator's own in its local file, which purge must give back
	# unchanged.
	mkdir -p /etc/apparmor.d/local
	printf '#include <tunables/global>\nprofile libvirtd /usr/sbin/libvirtd {\n  #include <abstractions/base>\n  #include <local/usr.sbin.libvirtd>\n}\n' \
		> /etc/apparmor.d/usr.sbin.libvirtd
	echo '  /srv/site/** r,' > /etc/apparmor.d/local/usr.sbin.libvirtd
	local_sum=$(md5sum < /etc/apparmor.d/local/usr.sbin.libvirtd)
	upper > /tmp/upper-before
	find / -xdev -type d 2>/dev/null | sort > /tmp/dirs-before

	# The host's dpkg database shows through the overlay until apt here
	# writes it: let a host dpkg run that is under way finish first (its
	# half-done state would read as "dpkg was interrupted").
	i=0
	while { [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ] ||
		lslocks -n -o PATH 2>/dev/null | grep -q '^/var/lib/dpkg/lock'; } && [ $i -lt 360 ]; do
		sleep 0.5; i=$((i + 1))
	done
	[ $i -eq 0 ] || diag "waited $((i / 2)) s for the host's dpkg to finish"
	deb=$(echo /tmp/pkg/tapwire_*.deb) # tapwire-dbgsym_* does not match
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" > /tmp/apt.log 2>&1; then
		ok "apt-get install ./$(basename "$deb")"
	else
		not_ok "apt-get install ./$(basename "$deb")"
		diag "$(tail -n 20 /tmp/apt.log)"
		echo "TW_PKG_N=$tap_n TW_PKG_FAILED=1"
		exit 1
	fi

	is "$(stat -c '%a %U:%G' "$HELPER")" "4755 root:root" "$HELPER is setuid root"
	is "$(readlink -f "$HOOK")" /usr/libexec/tapwire/tapwire-hook "$HOOK is the hook, through a symlink"
	check "the hook is executable (libvirt skips it otherwise)" test -x "$HOOK"
	conffiles=$(dpkg-query -W -f='${Conffiles}' tapwire | awk '{print $1}' | sort | tr '\n' ' ')
	is "$conffiles" "/etc/apparmor.d/abstractions/tapwire-libvirtd /etc/tapwire/bridge.conf " "the conffiles: the policy and the AppArmor rules"
	is "$(stat -c '%a %U' /etc/tapwire/bridge.conf)" "644 root" "the policy is root's, not writable by others (the helper requires it)"
	missing=""
	for f in /usr/sbin/tapwire /usr/share/man/man8/tapwire.8.gz /usr/share/man/man8/tapwire-bridge-helper.8.gz \
		/usr/share/man/man8/tapwire-hook.8.gz /usr/share/man/man5/tapwire.xml.5.gz \
		"$UNITS/tapwire@.service" "$UNITS/tapwire-gc.service" "$UNITS/tapwire-gc.timer" \
		/usr/share/bash-completion/completions/tapwire /etc/tapwire/net.d; do
		[ -e "$f" ] || missing="$missing $f"
	done
	is "$missing" "" "the command, the man pages, the units, the completion and net.d are installed"
	check "tapwire-gc.timer is enabled" test -L /etc/systemd/system/timers.target.wants/tapwire-gc.timer
	if command -v systemd-analyze >/dev/null; then
		v=$(systemd-analyze verify --man=no "$UNITS/tapwire@lab.service" "$UNITS/tapwire-gc.timer" 2>&1)
		is "$v" "" "systemd-analyze verify of the installed tapwire@lab.service and tapwire-gc.timer"
	else
		skip "systemd-analyze is missing (package systemd)"
	fi
	words=$(bash -c '. /usr/share/bash-completion/completions/tapwire
		COMP_WORDS=(tapwire ""); COMP_CWORD=1; _tapwire; echo "${COMPREPLY[*]}"')
	is "$words" "up down check status attach detach gc doctor show confirm revert" "bash completes every command"
	words=$(bash -c '. /usr/share/bash-completion/completions/tapwire
		COMP_WORDS=(tapwire attach x.xml --d); COMP_CWORD=3; _tapwire; echo "${COMPREPLY[*]}"')
	is "$words" "--dry-run --domain" "bash completes attach's options"

	# dpkg-statoverride: the postinst leaves an administrator's choice alone.
	postinst() { DPKG_MAINTSCRIPT_PACKAGE=tapwire DPKG_MAINTSCRIPT_NAME=postinst \
		/var/lib/dpkg/info/tapwire.postinst configure 0.1.0; }
	dpkg-statoverride --add root root 0755 "$HELPER" && chmod 0755 "$HELPER"
	postinst
	is "$(stat -c '%a' "$HELPER")" 755 "with a dpkg-statoverride the postinst leaves the helper's mode alone"
	dpkg-statoverride --remove "$HELPER"
	postinst
	is "$(stat -c '%a' "$HELPER")" 4755 "without one it makes it setuid root again"

	# AppArmor: the postinst included the rules in libvirt's local file, and
	# the profile parses with them.
	like "$(cat /etc/apparmor.d/local/usr.sbin.libvirtd)" '^#include <abstractions/tapwire-libvirtd>$' \
		"the postinst includes the rules in libvirt's local AppArmor file"
	if command -v apparmor_parser >/dev/null; then
		check "libvirtd's profile parses with them (apparmor_parser -QK)" \
			sh -c "apparmor_parser -QK /etc/apparmor.d/usr.sbin.libvirtd 2>/dev/null"
	else
		skip "apparmor_parser is missing (package apparmor)"
	fi

	# The installed files, run by the suites that test them.
	common="top_srcdir=$top_srcdir top_builddir=$top_builddir QEMU_SYSTEM=${QEMU_SYSTEM:-} TW_SANITIZERS=no"
	# shellcheck disable=SC2086 # one word per variable
	suite helper $common sysconfdir=/etc TW_HELPER=$HELPER
	# shellcheck disable=SC2086
	suite helper-unpriv $common sysconfdir=/etc TW_HELPER=$HELPER
	# shellcheck disable=SC2086
	suite hook-ops $common sysconfdir=/etc TW_HOOK=$HOOK
	# shellcheck disable=SC2086
	suite hook-release $common sysconfdir=/etc TW_HOOK=$HOOK
	# A private libvirtd that finds the hook through the package's symlink.
	# shellcheck disable=SC2086
	suite libvirt-hook $common sysconfdir=/etc TW_HOOK=$HOOK

	# tapwire@lab.service's own commands, as systemd would run them (this
	# is a private network namespace).
	printf '<tw:net xmlns:tw="urn:tapwire:1" name="lab">\n  <tw:bridge name="twlab0"/>\n</tw:net>\n' \
		> /etc/tapwire/net.d/lab.xml
	start=$(sed -n 's/^ExecStart=//p' "$UNITS/tapwire@.service" | sed 's/%i/lab/g')
	stop=$(sed -n 's/^ExecStop=//p' "$UNITS/tapwire@.service" | sed 's/%i/lab/g')
	$start > /tmp/start.log 2>&1
	is "$?" 0 "tapwire@lab: ExecStart ($start)"
	check "tapwire@lab: the kernel has bridge twlab0" test -d /sys/class/net/twlab0/bridge
	$stop > /tmp/stop.log 2>&1
	is "$?" 0 "tapwire@lab: ExecStop ($stop)"
	check "tapwire@lab: twlab0 is gone" test ! -e /sys/class/net/twlab0
	# Leave a record behind for purge to remove.
	$start > /dev/null 2>&1
	check "tapwire keeps its records in /run/tapwire" test -d /run/tapwire

	if DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tapwire > /tmp/purge.log 2>&1; then
		ok "apt-get purge tapwire"
	else
		not_ok "apt-get purge tapwire"
		diag "$(tail -n 20 /tmp/purge.log)"
	fi
	# What install and purge left in the upper layer: anything but a
	# directory that was there before (a directory a file went into is
	# copied up, and stays there, empty of changes).
	upper > /tmp/upper-after
	left=$(comm -13 /tmp/upper-before /tmp/upper-after |
		awk 'NR == FNR { dir[$0] = 1; next } !($2 == "d" && ($1 in dir))' /tmp/dirs-before -)
	is "$left" "" "after purge, the file system is as before ($(wc -l < /tmp/upper-after) entries of the overlay's upper layer checked)"
	check "purge removes /run/tapwire" test ! -e /run/tapwire
	is "$(find /var/lib/dpkg/info -name 'tapwire.*' | wc -l)" 0 "dpkg forgets tapwire"
	is "$(md5sum < /etc/apparmor.d/local/usr.sbin.libvirtd)" "$local_sum" "libvirt's local AppArmor file is as the administrator left it"
	check "the kernel objects stay: twlab0 (running VMs keep their network)" test -d /sys/class/net/twlab0
	echo "TW_PKG_N=$tap_n TW_PKG_FAILED=$tap_failed"
	exit 0
fi

# --- Stage 2: a private mount and network namespace: the throwaway root ----
if [ "${TW_PKG_STAGE:-}" = root ]; then
	w=$TW_PKG_TMP
	mount -t tmpfs -o mode=0755 tmpfs "$w/ovl" || exit 1
	mkdir -p "$w/ovl/upper" "$w/ovl/work"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$w/ovl/upper,workdir=$w/ovl/work" "$w/root" || exit 1
	r=$w/root
	mount -t proc proc "$r/proc"
	mount -t sysfs sysfs "$r/sys"
	mount --rbind /dev "$r/dev"
	mount -t tmpfs -o mode=0755 tmpfs "$r/run"
	mkdir -p "$r/run/lock" "$r/run/tw-upper"
	mount --bind "$w/ovl/upper" "$r/run/tw-upper" && mount -o remount,bind,ro "$r/run/tw-upper"
	mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
	mkdir -p "$r/tmp/pkg" && cp "$w"/out/*.deb "$r/tmp/pkg/"
	# The source and build trees, read-only, where the suites expect them.
	for d in "$top_srcdir" "$top_builddir"; do
		mkdir -p "$r$d" && mount --bind "$d" "$r$d" && mount -o remount,bind,ro "$r$d"
	done
	exec chroot "$r" /usr/bin/env TW_PKG_STAGE=inside TW_PKG_N="$TW_PKG_N" \
		top_srcdir="$top_srcdir" top_builddir="$top_builddir" QEMU_SYSTEM="${QEMU_SYSTEM:-}" \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/sh "$top_srcdir/tests/package.sh"
fi

# --- Stage 1: build the package ---------------------------------------------
[ "$(id -u)" = 0 ] || skip_all "needs root (a private mount namespace, chroot)"
for c in dpkg-buildpackage dh lintian unshare chroot apt-get; do
	command -v $c >/dev/null || skip_all "$c is missing (tools/deps package installs it)"
done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip_all "the kernel has no overlayfs"

tmp=$(mktemp -d /var/tmp/tw-package.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build/src" "$tmp/out" "$tmp/ovl" "$tmp/root"
chmod 0755 "$tmp"

# The files of a clean checkout: git's when this is one, else the release
# tarball's.
if git -C "$top_srcdir" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$top_srcdir" && { git ls-files; git ls-files --others --exclude-standard; } | sort -u |
		while read -r f; do [ -e "$f" ] && cp --parents -P "$f" "$tmp/build/src/"; done)
else
	make -C "$top_builddir" -s distdir distdir="$tmp/build/src" > /dev/null
fi
t0=$(date +%s)
if (cd "$tmp/build/src" && dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b from a clean checkout"
else
	not_ok "dpkg-buildpackage -us -uc -b from a clean checkout"
	diag "$(tail -n 30 "$tmp/build.log")"
	done_testing
fi
mv "$tmp"/build/*.deb "$tmp"/build/*.changes "$tmp"/build/*.buildinfo "$tmp/out/"
deb=$(echo "$tmp"/out/tapwire_*.deb)
like "$(basename "$deb")" '^tapwire_[0-9.]+_[a-z0-9]+\.deb$' "it builds $(basename "$deb")"
# Errors fail; warnings are shown.
lintian --fail-on error "$tmp"/out/*.changes > "$tmp/lintian.log" 2>&1
is "$?" 0 "lintian: no error"
grep -E '^[EW]:' "$tmp/lintian.log" | while read -r l; do diag "$l"; done
rm -rf "$tmp/build"
t1=$(date +%s)

# The rest in the throwaway root; its results come back on stdout.
TW_PKG_STAGE=root TW_PKG_TMP=$tmp TW_PKG_N=$tap_n \
	unshare --mount --net --propagation private -- /bin/sh "$0" > "$tmp/inside" 2>&1
cat "$tmp/inside" | grep -v '^TW_PKG_N='
eval "$(grep '^TW_PKG_N=' "$tmp/inside" | tail -n 1)"
if [ -z "${TW_PKG_N:-}" ]; then
	not_ok "the throwaway root ran to its end"
	diag "$(tail -n 20 "$tmp/inside")"
else
	tap_n=$TW_PKG_N
	tap_failed=$((tap_failed + TW_PKG_FAILED))
fi
diag "build and lintian $((t1 - t0)) s, install, suites and purge $(($(date +%s) - t1)) s"
done_testing
