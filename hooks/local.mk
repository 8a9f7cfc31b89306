# The libvirt qemu hook. libvirt (>= 6.5) runs every executable in
# hooks/qemu.d/, so it installs there under the name tapwire; libvirt must
# be told nothing else. It links the engine and the XML reader, never
# libvirt: libvirtd waits on the hook, and a call back would deadlock.
libvirthookdir = $(sysconfdir)/libvirt/hooks/qemu.d
libvirthook_PROGRAMS = hooks/tapwire
hooks_tapwire_SOURCES = hooks/tapwire-hook.c hooks/conf.c hooks/conf.h
hooks_tapwire_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBXML_CFLAGS)
hooks_tapwire_LDADD = xml/libtwxml.a $(TW_ENGINE_LIBS) $(LIBXML_LIBS)

dist_man_MANS += doc/tapwire-hook.8
