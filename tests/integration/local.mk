check_PROGRAMS += tests/tw-helper-driver
tests_tw_helper_driver_SOURCES = tests/helper-driver.c

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
	tests/integration/helper-load.sh
TESTS += $(TW_INTEGRATION_TESTS)
EXTRA_DIST += $(TW_INTEGRATION_TESTS)
