# Unit tests: C programs that print TAP, each built from the modules it
# tests (not from a program's objects), so they can be built with other
# flags too. They find their data through $top_srcdir (exported by
# tests/local.mk), or TW_SRCDIR when run by hand.

# The XML reader: valid documents field by field (tests/xml/), one case per
# rule, and the hostile corpus (tests/bad/).
xml_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DTW_SRCDIR='"$(abs_top_srcdir)"'
xml_test_ldadd = xml/libtwxml.a lib/libtwcore.a $(LIBXML_LIBS)
check_PROGRAMS += tests/unit/test-xml tests/unit/test-xml-rules tests/unit/test-xml-bad
TESTS += tests/unit/test-xml tests/unit/test-xml-rules tests/unit/test-xml-bad
tests_unit_test_xml_SOURCES = tests/unit/test-xml.c tests/unit/xmltest.h
tests_unit_test_xml_CPPFLAGS = $(xml_test_cppflags)
tests_unit_test_xml_LDADD = $(xml_test_ldadd)
tests_unit_test_xml_rules_SOURCES = tests/unit/test-xml-rules.c tests/unit/xmltest.h
tests_unit_test_xml_rules_CPPFLAGS = $(xml_test_cppflags)
tests_unit_test_xml_rules_LDADD = $(xml_test_ldadd)
tests_unit_test_xml_bad_SOURCES = tests/unit/test-xml-bad.c tests/unit/xmltest.h
tests_unit_test_xml_bad_CPPFLAGS = $(xml_test_cppflags)
tests_unit_test_xml_bad_LDADD = $(xml_test_ldadd)

# The helper's policy and argv.
helper_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/helper -I$(top_srcdir)/tests/unit
check_PROGRAMS += tests/unit/test-policy tests/unit/test-args
TESTS += tests/unit/test-policy tests/unit/test-args
tests_unit_test_policy_SOURCES = tests/unit/test-policy.c helper/policy.c helper/policy.h
tests_unit_test_policy_CPPFLAGS = $(helper_test_cppflags)
tests_unit_test_policy_LDADD = lib/libtwcore.a
tests_unit_test_args_SOURCES = tests/unit/test-args.c helper/args.c helper/args.h
tests_unit_test_args_CPPFLAGS = $(helper_test_cppflags)
tests_unit_test_args_LDADD = lib/libtwcore.a

# The hook's policy (tapwire.conf) and qemu.conf readers.
check_PROGRAMS += tests/unit/test-hook-conf
TESTS += tests/unit/test-hook-conf
tests_unit_test_hook_conf_SOURCES = tests/unit/test-hook-conf.c hooks/conf.c hooks/conf.h
tests_unit_test_hook_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hooks -I$(top_srcdir)/tests/unit
tests_unit_test_hook_conf_LDADD = lib/libtwcore.a

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
# Other tools' forward chains in a bridge's way (NAT, contract section 7).
check_PROGRAMS += tests/unit/test-fwdrop
TESTS += tests/unit/test-fwdrop
tests_unit_test_fwdrop_SOURCES = tests/unit/test-fwdrop.c
tests_unit_test_fwdrop_CPPFLAGS = $(lib_test_cppflags)
tests_unit_test_fwdrop_LDADD = $(TW_ENGINE_LIBS)
# The files of a change waiting for confirmation, and the text form of what
# a move of addresses keeps.
check_PROGRAMS += tests/unit/test-pending
TESTS += tests/unit/test-pending
tests_unit_test_pending_SOURCES = tests/unit/test-pending.c
tests_unit_test_pending_CPPFLAGS = $(lib_test_cppflags) $(LIBNL_CFLAGS)
tests_unit_test_pending_LDADD = $(TW_ENGINE_LIBS)
