check_PROGRAMS += tests/tw-helper-driver tests/tw-tap-open
tests_tw_helper_driver_SOURCES = tests/helper-driver.c
tests_tw_helper_driver_LDADD = lib/libtwcore.a
tests_tw_tap_open_SOURCES = tests/tap-open.c
# A user who makes a helper's tap persistent and leaves it (helper-gc.sh).
check_PROGRAMS += tests/tw-tap-persist
tests_tw_tap_persist_SOURCES = tests/tap-persist.c
tests_tw_tap_persist_LDADD = lib/libtwcore.a

# tw_state_prune and the state file's name (engine-netns-state.sh).
check_PROGRAMS += tests/tw-state-prune
tests_tw_state_prune_SOURCES = tests/tw-state-prune.c
tests_tw_state_prune_LDADD = $(TW_ENGINE_LIBS)

# A stand-in syslogd on a private /dev/log (helper-syslog.sh).
check_PROGRAMS += tests/tw-syslog-sink
tests_tw_syslog_sink_SOURCES = tests/syslog-sink.c

# A preload library that makes a forbidden system call inside the helper's
# sandbox (helper-sandbox.sh).
check_PROGRAMS += tests/tw-forbidden.so
tests_tw_forbidden_so_SOURCES = tests/forbidden-syscall.c
tests_tw_forbidden_so_CFLAGS = -fPIC $(TW_STD_CFLAGS) -Wall -Wextra
tests_tw_forbidden_so_LDFLAGS = -shared
tests_tw_forbidden_so_LDADD = -ldl

TW_INTEGRATION_TESTS = \
	tests/integration/helper.sh \
	tests/integration/helper-unpriv.sh \
	tests/integration/helper-qemu.sh \
	tests/integration/helper-sandbox.sh \
	tests/integration/hook-hostile.sh \
	tests/integration/valgrind.sh \
	tests/integration/helper-load.sh \
	tests/integration/helper-syslog.sh \
	tests/integration/helper-audit.sh \
	tests/integration/helper-gc.sh \
	tests/integration/engine-examples.sh \
	tests/integration/engine-fail.sh \
	tests/integration/engine-json.sh \
	tests/integration/engine-faults.sh \
	tests/integration/engine-attach.sh \
	tests/integration/engine-share.sh \
	tests/integration/engine-netns-state.sh \
	tests/integration/engine-load.sh \
	tests/integration/engine-converge.sh \
	tests/integration/overlay-vxlan.sh \
	tests/integration/overlay-mtu.sh \
	tests/integration/overlay-ovs.sh
# NAT, DHCP and DNS on a bridge (contract section 7).
TW_INTEGRATION_TESTS += tests/integration/engine-nat.sh
EXTRA_DIST += tests/integration/nat-lib.sh
TW_INTEGRATION_TESTS += tests/integration/engine-move.sh
EXTRA_DIST += tests/integration/snap.jq
# The libvirt hook: hook-ops.sh feeds it what libvirt 9.0 passed (recorded
# in hook-data/ by hook-data/record); libvirt-*.sh run a private libvirtd.
TW_HOOK_TESTS = tests/integration/hook-ops.sh tests/integration/hook-faults.sh \
	tests/integration/hook-release.sh \
	tests/integration/libvirt-hook.sh \
	tests/integration/libvirt-attach.sh
TESTS += $(TW_HOOK_TESTS)
EXTRA_DIST += $(TW_HOOK_TESTS) $(TW_HOOK_FILES) tests/integration/libvirt-env.sh
TW_HOOK_FILES = \
	tests/integration/hook-data/record \
	tests/integration/hook-data/plaindom.define.xml \
	tests/integration/hook-data/plaindom.prepare-begin.argv \
	tests/integration/hook-data/plaindom.prepare-begin.xml \
	tests/integration/hook-data/plaindom.reconnect-begin.argv \
	tests/integration/hook-data/plaindom.reconnect-begin.xml \
	tests/integration/hook-data/plaindom.release-end.argv \
	tests/integration/hook-data/plaindom.release-end.xml \
	tests/integration/hook-data/plaindom.restore-begin.argv \
	tests/integration/hook-data/plaindom.restore-begin.xml \
	tests/integration/hook-data/plaindom.start-begin.argv \
	tests/integration/hook-data/plaindom.start-begin.xml \
	tests/integration/hook-data/plaindom.started-begin.argv \
	tests/integration/hook-data/plaindom.started-begin.xml \
	tests/integration/hook-data/plaindom.stopped-end.argv \
	tests/integration/hook-data/plaindom.stopped-end.xml \
	tests/integration/hook-data/twdom.define.xml \
	tests/integration/hook-data/twdom.prepare-begin.argv \
	tests/integration/hook-data/twdom.prepare-begin.xml \
	tests/integration/hook-data/twdom.reconnect-begin.argv \
	tests/integration/hook-data/twdom.reconnect-begin.xml \
	tests/integration/hook-data/twdom.release-end.argv \
	tests/integration/hook-data/twdom.release-end.xml \
	tests/integration/hook-data/twdom.start-begin.argv \
	tests/integration/hook-data/twdom.start-begin.xml \
	tests/integration/hook-data/twdom.started-begin.argv \
	tests/integration/hook-data/twdom.started-begin.xml \
	tests/integration/hook-data/twdom.stopped-end.argv \
	tests/integration/hook-data/twdom.stopped-end.xml
# End to end: a real guest (tests/guest) boots under QEMU behind tapwire.
# Each suite builds the guest once into tests/guest/cache (apt, outside its
# namespace), then boots it once; e2e-libvirt.sh boots it under a private
# libvirtd (libvirt-env.sh) with the hook installed.
TW_E2E_TESTS = \
	tests/integration/e2e-helper.sh \
	tests/integration/e2e-unpriv.sh \
	tests/integration/e2e-attach.sh \
	tests/integration/e2e-libvirt.sh \
	tests/integration/overlay-qemu.sh
# Refusals while a VM uses what down/detach would remove (one guest boot).
TW_E2E_TESTS += tests/integration/engine-busy.sh
# A guest leases by DHCP and reaches wan through NAT (one guest boot).
TW_E2E_TESTS += tests/integration/e2e-nat.sh
TESTS += $(TW_INTEGRATION_TESTS) $(TW_E2E_TESTS)
EXTRA_DIST += $(TW_INTEGRATION_TESTS) $(TW_E2E_TESTS) tests/integration/e2e-lib.sh
# Sourced by the engine-*.sh suites, and (with overlay-lib.sh) the overlay-*.sh ones.
EXTRA_DIST += tests/integration/engine-lib.sh tests/integration/overlay-lib.sh \
	tests/integration/hook-lib.sh

# The test guest: its builder, boot script and /init ship with the sources.
EXTRA_DIST += tests/guest/build tests/guest/boot tests/guest/init tests/guest/selftest.sh
# The guest build is a download cache, kept by `make clean` (a rebuild costs
# a download); distclean removes it.
distclean-local: distclean-e2e
distclean-e2e:
	rm -rf tests/guest/cache tests/guest/build-*.log
.PHONY: distclean-e2e
# The seed's other devices (issue 13): tun, macvlan, macvtap, type='direct'.
# devices.sh needs no guest; devices-qemu.sh boots one.
check_PROGRAMS += tests/tw-tun-echo tests/tw-kind-known
tests_tw_tun_echo_SOURCES = tests/tun-echo.c
tests_tw_tun_echo_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
tests_tw_tun_echo_LDADD = lib/libtwnet.a lib/libtwcore.a $(LIBNL_LIBS)
tests_tw_kind_known_SOURCES = tests/kind-known.c
tests_tw_kind_known_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
tests_tw_kind_known_LDADD = lib/libtwnet.a lib/libtwcore.a $(LIBNL_LIBS)
TW_DEVICES_TESTS = tests/integration/devices.sh tests/integration/devices-qemu.sh \
	tests/integration/devices-libvirt.sh
TESTS += $(TW_DEVICES_TESTS)
EXTRA_DIST += $(TW_DEVICES_TESTS)

# attach --owner / owner=: a warning when the user cannot open /dev/net/tun
# (issue 16); the examples' libvirt domains defined and started (issue 16).
TESTS += tests/integration/engine-tun-access.sh tests/integration/libvirt-examples.sh
EXTRA_DIST += tests/integration/engine-tun-access.sh tests/integration/libvirt-examples.sh
# tw_evpn_served, doctor's FRR check, on its own (evpn.sh).
check_PROGRAMS += tests/tw-evpn-served
tests_tw_evpn_served_SOURCES = tests/evpn-served.c
tests_tw_evpn_served_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
tests_tw_evpn_served_LDADD = $(TW_ENGINE_LIBS)
# BGP EVPN (contract section 9): control="evpn" in the kernel without FRR,
# then hosts with their own zebra + bgpd (Debian frr), a QEMU guest among them.
TW_EVPN_TESTS = tests/integration/evpn-flags.sh tests/integration/evpn.sh
TESTS += $(TW_EVPN_TESTS)
EXTRA_DIST += $(TW_EVPN_TESTS) tests/integration/evpn-lib.sh
# OVN binds the ports tapwire attaches (private northd, databases and one
# ovn-controller per host namespace, Open vSwitch's userspace datapath).
TESTS += tests/integration/ovn.sh
EXTRA_DIST += tests/integration/ovn.sh
# tapwire doctor, each check with its fault planted in a private mount
# namespace; tapwire show --dot through Graphviz's dot.
TW_DOCTOR_TESTS = tests/integration/doctor.sh tests/integration/show.sh
TESTS += $(TW_DOCTOR_TESTS)
EXTRA_DIST += $(TW_DOCTOR_TESTS)
# A changed owner=/group= of a tap, tun or macvtap tapwire made converges.
TESTS += tests/integration/engine-owner.sh
EXTRA_DIST += tests/integration/engine-owner.sh
