# AppArmor rules that let libvirt's confined daemon run tapwire-bridge-helper
# (apparmor/tapwire-libvirtd.in says how they are included). Installed as an
# abstraction; the Debian package adds the include line to libvirt's local
# files, `make install` does not touch them.
apparmordir = $(sysconfdir)/apparmor.d/abstractions
apparmor_DATA = apparmor/tapwire-libvirtd
EXTRA_DIST += apparmor/tapwire-libvirtd.in
CLEANFILES += apparmor/tapwire-libvirtd
apparmor/tapwire-libvirtd: $(srcdir)/apparmor/tapwire-libvirtd.in Makefile
	$(AM_V_GEN)$(MKDIR_P) apparmor && \
	sed -e 's|@LIBEXECDIR[@]|$(libexecdir)|g' -e 's|@SYSCONFDIR[@]|$(sysconfdir)|g' \
		$(srcdir)/apparmor/tapwire-libvirtd.in > $@.tmp && mv $@.tmp $@

# Parsed (never loaded) by apparmor_parser inside a stand-in of libvirt's
# profile, and inside libvirt's own when it is installed.
TESTS += tests/apparmor.sh
EXTRA_DIST += tests/apparmor.sh
