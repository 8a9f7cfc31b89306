check_PROGRAMS += tests/tw-helper-driver
tests_tw_helper_driver_SOURCES = tests/helper-driver.c

TESTS += \
	tests/integration/helper.sh
EXTRA_DIST += \
	tests/integration/helper.sh
