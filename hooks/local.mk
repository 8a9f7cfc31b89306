# The libvirt qemu hook. libvirt (>= 6.5) runs every executable in
# hooks/qemu.d/, so it installs there under the name tapwire; libvirt must
# be told nothing else. It links the engine and the XML reader, never
# libvirt: libvirtd waits on the hook, and a call back would deadlock.
# In the build tree it is hooks/tapwire-hook, so that it is never taken for
# cli/tapwire, the command.
libvirthookdir = $(sysconfdir)/libvirt/hooks/qemu.d
libvirthook_PROGRAMS = hooks/tapwire-hook
hooks_tapwire_hook_SOURCES = hooks/tapwire-hook.c hooks/conf.c hooks/conf.h
hooks_tapwire_hook_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBXML_CFLAGS)
hooks_tapwire_hook_LDADD = xml/libtwxml.a $(TW_ENGINE_LIBS) $(LIBXML_LIBS)
install_exec_hooks += install-hook-name
install-hook-name:
	mv -f '$(DESTDIR)$(libvirthookdir)/tapwire-hook$(EXEEXT)' '$(DESTDIR)$(libvirthookdir)/tapwire'
uninstall-local: uninstall-hook-name
uninstall-hook-name:
	rm -f '$(DESTDIR)$(libvirthookdir)/tapwire'
.PHONY: install-hook-name uninstall-hook-name

dist_man_MANS += doc/tapwire-hook.8

# Its tests: hook-ops.sh feeds it what libvirt 9.0 passed (recorded in
# hook-data/ by hook-data/record); libvirt-*.sh run a private libvirtd.
TW_HOOK_TESTS = tests/integration/hook-ops.sh tests/integration/hook-faults.sh \
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

# The policy and qemu.conf readers, unit by unit.
check_PROGRAMS += tests/unit/test-hook-conf
TESTS += tests/unit/test-hook-conf
tests_unit_test_hook_conf_SOURCES = tests/unit/test-hook-conf.c hooks/conf.c hooks/conf.h
tests_unit_test_hook_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hooks -I$(top_srcdir)/tests/unit
tests_unit_test_hook_conf_LDADD = lib/libtwcore.a
