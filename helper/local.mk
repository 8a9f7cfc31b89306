libexec_PROGRAMS += helper/tapwire-bridge-helper

# The seccomp filter is compiled from its rules with libseccomp at build
# time; the helper only loads the resulting BPF program.
noinst_PROGRAMS += helper/tw-seccomp-gen
helper_tw_seccomp_gen_SOURCES = helper/seccomp-gen.c
helper_tw_seccomp_gen_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
helper_tw_seccomp_gen_LDADD = $(SECCOMP_LIBS)
helper/seccomp-bpf.h: helper/tw-seccomp-gen$(EXEEXT)
	$(AM_V_GEN)./helper/tw-seccomp-gen > $@.tmp && mv $@.tmp $@
BUILT_SOURCES = helper/seccomp-bpf.h
CLEANFILES += helper/seccomp-bpf.h
nodist_helper_tapwire_bridge_helper_SOURCES = helper/seccomp-bpf.h
helper_tapwire_bridge_helper_SOURCES = \
	helper/main.c \
	helper/args.c helper/args.h \
	helper/policy.c helper/policy.h \
	helper/priv.c helper/priv.h \
	helper/sandbox.c helper/sandbox.h
helper_tapwire_bridge_helper_CPPFLAGS = $(AM_CPPFLAGS) -DTW_BRIDGE_CONF='"$(sysconfdir)/tapwire/bridge.conf"'
helper_tapwire_bridge_helper_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(CAPNG_CFLAGS) -I$(top_builddir)/helper
# Only libnl-3 core is used (never libnl-route); see TW_HELPER_LIBS in configure.ac.
helper_tapwire_bridge_helper_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed -Wl,--gc-sections -Wl,-z,relro,-z,now -pie \
	$(TW_HELPER_LDFLAGS)
helper_tapwire_bridge_helper_LDADD = lib/libtwnet.a lib/libtwcore.a $(TW_HELPER_LIBS)

# The helper must run with CAP_NET_ADMIN: setuid root by default, or file
# capabilities with --enable-file-caps (cap_dac_override too, because
# /dev/net/tun is mode 0600 on some hosts; the helper drops it right after
# opening that file). Not root (packaging): warn and leave it to the package.
if FILE_CAPS
TW_HELPER_PRIV = filecaps
else
TW_HELPER_PRIV = setuid
endif
install_exec_hooks += install-helper-privileges
install-helper-privileges:
if INSTALL_HOOKS
	@h='$(DESTDIR)$(libexecdir)/tapwire-bridge-helper'; \
	if test "`id -u`" != 0; then \
		echo "WARNING: not root: $$h installed without privileges;" \
		     "make it setuid root (chown root:root; chmod 4755) to use it" >&2; \
	elif test "$(TW_HELPER_PRIV)" = filecaps; then \
		echo "  SETCAP   $$h"; \
		chown root:root "$$h" && chmod 0755 "$$h" && \
		$(SETCAP) cap_net_admin,cap_dac_override+ep "$$h"; \
	else \
		echo "  SETUID   $$h"; \
		chown root:root "$$h" && chmod 4755 "$$h"; \
	fi
endif

# A deny-all sample policy, installed only where none exists yet, and
# removed on uninstall only while it is still the untouched sample.
EXTRA_DIST += helper/bridge.conf
install_data_hooks += install-helper-policy
install-helper-policy:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)/tapwire'
	@c='$(DESTDIR)$(sysconfdir)/tapwire/bridge.conf'; \
	if test -e "$$c"; then echo "  KEEP     $$c"; \
	else $(INSTALL_DATA) -m 0644 '$(srcdir)/helper/bridge.conf' "$$c"; fi
uninstall-local: uninstall-helper-policy
uninstall-helper-policy:
	@c='$(DESTDIR)$(sysconfdir)/tapwire/bridge.conf'; \
	if cmp -s "$$c" '$(srcdir)/helper/bridge.conf'; then rm -f "$$c"; fi
.PHONY: install-helper-privileges install-helper-policy uninstall-helper-policy
