libexec_PROGRAMS += helper/tapwire-bridge-helper
helper_tapwire_bridge_helper_SOURCES = \
	helper/main.c \
	helper/args.c helper/args.h \
	helper/policy.c helper/policy.h \
	helper/priv.c helper/priv.h
helper_tapwire_bridge_helper_CPPFLAGS = $(AM_CPPFLAGS) -DTW_BRIDGE_CONF='"$(sysconfdir)/tapwire/bridge.conf"'
helper_tapwire_bridge_helper_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(CAPNG_CFLAGS)
# --as-needed: only libnl-3 core ends up NEEDED, never libnl-route.
helper_tapwire_bridge_helper_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed -Wl,-z,relro,-z,now -pie
helper_tapwire_bridge_helper_LDADD = lib/libtwnet.a lib/libtwcore.a $(LIBNL_LIBS) $(CAPNG_LIBS)
include helper/policy.mk
