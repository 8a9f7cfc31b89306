check_PROGRAMS += tests/tw-helper-driver tests/tw-tap-open
tests_tw_helper_driver_SOURCES = tests/helper-driver.c
tests_tw_tap_open_SOURCES = tests/tap-open.c

TW_INTEGRATION_TESTS = \
	tests/integration/helper.sh \
	tests/integration/helper-unpriv.sh \
	tests/integration/helper-qemu.sh \
	tests/integration/engine-examples.sh \
	tests/integration/engine-fail.sh \
	tests/integration/engine-faults.sh \
	tests/integration/engine-attach.sh \
	tests/integration/engine-share.sh
TESTS += $(TW_INTEGRATION_TESTS)
# Sourced by the engine-*.sh suites.
EXTRA_DIST += $(TW_INTEGRATION_TESTS) tests/integration/engine-lib.sh
