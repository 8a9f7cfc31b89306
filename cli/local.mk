sbin_PROGRAMS += cli/tapwire
cli_tapwire_SOURCES = cli/tapwire.c cli/fail.c cli/fail.h cli/libvirt.c cli/libvirt.h
cli_tapwire_SOURCES += cli/tun-access.c cli/tun-access.h
cli_tapwire_SOURCES += cli/confirm.c cli/confirm.h
cli_tapwire_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBXML_CFLAGS) $(LIBVIRT_CFLAGS)
cli_tapwire_LDADD = xml/libtwxml.a $(TW_ENGINE_LIBS) $(LIBXML_LIBS) $(LIBVIRT_LIBS)
