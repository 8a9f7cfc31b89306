check_PROGRAMS += tests/tw-helper-driver
tests_tw_helper_driver_SOURCES = tests/helper-driver.c

TW_INTEGRATION_TESTS = \
	tests/integration/helper.sh \
	tests/integration/helper-unpriv.sh \
	tests/integration/helper-qemu.sh
TESTS += $(TW_INTEGRATION_TESTS)
EXTRA_DIST += $(TW_INTEGRATION_TESTS)
