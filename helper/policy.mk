# policy module: unit tests
# The tests build the modules themselves (not the helper's objects), so
# they can also be built with other flags later (fuzzing, coverage).
check_PROGRAMS += tests/unit/test-policy tests/unit/test-args
TESTS += tests/unit/test-policy tests/unit/test-args

tests_unit_test_policy_SOURCES = tests/unit/test-policy.c helper/policy.c helper/policy.h
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/helper -I$(top_srcdir)/tests/unit
tests_unit_test_policy_LDADD = lib/libtwcore.a

tests_unit_test_args_SOURCES = tests/unit/test-args.c helper/args.c helper/args.h
tests_unit_test_args_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/helper -I$(top_srcdir)/tests/unit
tests_unit_test_args_LDADD = lib/libtwcore.a
