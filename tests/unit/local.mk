# unit tests

# lib/ without a kernel: util and the index (core), the state journal, the
# VXLAN MTU arithmetic (engine).
lib_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
check_PROGRAMS += tests/unit/test-util
TESTS += tests/unit/test-util
tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_CPPFLAGS = $(lib_test_cppflags)
tests_unit_test_util_LDADD = lib/libtwcore.a
check_PROGRAMS += tests/unit/test-state
TESTS += tests/unit/test-state
tests_unit_test_state_SOURCES = tests/unit/test-state.c
tests_unit_test_state_CPPFLAGS = $(lib_test_cppflags)
tests_unit_test_state_LDADD = $(TW_ENGINE_LIBS)
check_PROGRAMS += tests/unit/test-mtu
TESTS += tests/unit/test-mtu
tests_unit_test_mtu_SOURCES = tests/unit/test-mtu.c
tests_unit_test_mtu_CPPFLAGS = $(lib_test_cppflags) $(LIBNL_CFLAGS)
tests_unit_test_mtu_LDADD = $(TW_ENGINE_LIBS)
