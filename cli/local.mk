sbin_PROGRAMS += cli/tapwire
cli_tapwire_SOURCES = cli/tapwire.c cli/fail.c cli/fail.h cli/libvirt.c cli/libvirt.h
cli_tapwire_SOURCES += cli/tun-access.c cli/tun-access.h
cli_tapwire_SOURCES += cli/confirm.c cli/confirm.h
cli_tapwire_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBXML_CFLAGS) $(LIBVIRT_CFLAGS)
cli_tapwire_LDADD = xml/libtwxml.a $(TW_ENGINE_LIBS) $(LIBXML_LIBS) $(LIBVIRT_LIBS)
# doctor and show. doctor reads the helper's policy with the helper's own
# parser, compiled in as it is ...
cli_tapwire_SOURCES += cli/doctor.c cli/doctor.h cli/doctor-policy.c cli/show.c \
	helper/policy.c helper/policy.h
# ... and the hook's policy with the hook's own reader.
cli_tapwire_SOURCES += cli/doctor-hook-conf.c hooks/conf.c hooks/conf.h
cli_tapwire_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/helper -I$(top_srcdir)/hooks
