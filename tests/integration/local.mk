check_PROGRAMS += tests/tw-helper-driver tests/tw-tap-open
tests_tw_helper_driver_SOURCES = tests/helper-driver.c
tests_tw_tap_open_SOURCES = tests/tap-open.c

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
	tests/integration/valgrind.sh \
	tests/integration/helper-load.sh \
	tests/integration/engine-examples.sh \
	tests/integration/engine-fail.sh \
	tests/integration/engine-faults.sh \
	tests/integration/engine-attach.sh \
	tests/integration/engine-share.sh
TESTS += $(TW_INTEGRATION_TESTS)
# Sourced by the engine-*.sh suites.
EXTRA_DIST += $(TW_INTEGRATION_TESTS) tests/integration/engine-lib.sh
