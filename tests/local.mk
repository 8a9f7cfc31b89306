# Every suite speaks TAP, so automake counts test cases, not programs.
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = /bin/sh
AM_TESTS_ENVIRONMENT = \
	top_builddir='$(abs_top_builddir)'; top_srcdir='$(abs_top_srcdir)'; \
	QEMU_SYSTEM='$(QEMU_SYSTEM)'; sysconfdir='$(sysconfdir)'; \
	TW_SANITIZERS='$(enable_sanitizers)'; \
	export top_builddir top_srcdir QEMU_SYSTEM sysconfdir TW_SANITIZERS;

EXTRA_DIST += tests/lib.sh tests/unit/tap-protocol.h

# Unit tests: C programs in tests/unit/ (TAP on stdout), and their data.
include tests/unit/local.mk
include tests/xml/local.mk
include tests/bad/local.mk
# Integration and end-to-end suites: shell scripts, each isolated in its own
# network and mount namespace (tests/lib.sh).
include tests/integration/local.mk
# libFuzzer targets.
include tests/fuzz/local.mk

# systemd-analyze verify of the units as they are installed.
TESTS += tests/systemd-verify.sh
EXTRA_DIST += tests/systemd-verify.sh
# configure's install paths and its warnings (tools/paths-check).
TESTS += tests/paths-check.sh
EXTRA_DIST += tests/paths-check.sh

# The code's shape on the compiled objects: arrows point down, no import
# circles, no source file over 600 lines.
TESTS += tests/layout.sh
EXTRA_DIST += tests/layout.sh
# bash completion: what each command line is offered (no network, no root).
TESTS += tests/completion.sh
EXTRA_DIST += tests/completion.sh
