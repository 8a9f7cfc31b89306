# Sourced, after tw_isolate, by the suites that feed the libvirt hook
# directly, without a daemon (hook-ops.sh, hook-release.sh): H is the hook,
# D the argv and domain XML libvirt 9.0 really passed (recorded by
# hook-data/record), X where a suite writes its own XML. The hook's view of
# the world is pointed into the test (it would otherwise read $sysconfdir;
# libvirt passes hooks no environment, so only a hand-run hook sees these).
# TW_HOOK: the hook where a package installed it (tests/package.sh).
H=${TW_HOOK:-$top_builddir/hooks/tapwire-hook}
D=$top_srcdir/tests/integration/hook-data
X=$TW_TMP/xml
mkdir -p "$X"
export TAPWIRE_HOOK_CONF=$TW_TMP/tapwire.conf
export TAPWIRE_QEMU_CONF=$TW_TMP/qemu.conf
export TAPWIRE_RUNDIR=$TW_TMP/state
unset TAPWIRE_HOOK_DEBUG
rm -rf "$TAPWIRE_RUNDIR"

# The kernel's view: devices with their master, and namespaces.
world() {
	for d in $(ls /sys/class/net | sort); do printf '%s>%s ' "$d" "$(dev_master "$d")"; done
	ls /run/netns | sort | tr '\n' ' '
}
# The state of this namespace: state-nc<COOKIE> (the host's alone is "state").
state_sum() { cat "$TAPWIRE_RUNDIR"/state* 2>/dev/null | md5sum; }
