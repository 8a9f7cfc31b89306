# The libvirt qemu hook. libvirt (>= 6.5) runs every executable in
# hooks/qemu.d/, so it installs there under the name tapwire; libvirt must
# be told nothing else. It links the engine and the XML reader, never
# libvirt: libvirtd waits on the hook, and a call back would deadlock.
# In the build tree it is hooks/tapwire-hook, so that it is never taken for
# cli/tapwire, the command.
libvirthookdir = $(sysconfdir)/libvirt/hooks/qemu.d
libvirthook_PROGRAMS = hooks/tapwire-hook
hooks_tapwire_hook_SOURCES = hooks/tapwire-hook.c hooks/conf.c hooks/conf.h \
	hooks/owners.c hooks/owners.h
hooks_tapwire_hook_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBXML_CFLAGS)
hooks_tapwire_hook_LDADD = xml/libtwxml.a $(TW_ENGINE_LIBS) $(LIBXML_LIBS)
# A program in a directory not named *exec* installs with the data, so the
# renaming is a data hook.
install_data_hooks += install-hook-name
install-hook-name:
	mv -f '$(DESTDIR)$(libvirthookdir)/tapwire-hook$(EXEEXT)' '$(DESTDIR)$(libvirthookdir)/tapwire'
uninstall-local: uninstall-hook-name
uninstall-hook-name:
	rm -f '$(DESTDIR)$(libvirthookdir)/tapwire'
.PHONY: install-hook-name uninstall-hook-name

dist_man_MANS += doc/tapwire-hook.8
