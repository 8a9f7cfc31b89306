# libtwcore: pure helpers and the model (no netlink, no XML): used everywhere.
noinst_LIBRARIES += lib/libtwcore.a
lib_libtwcore_a_SOURCES = lib/util.c lib/util.h lib/model.c lib/model.h

# libtwnet: the kernel layer (netlink through libnl, tun/tap ioctls).
# The setuid helper links only what it uses from here: link.c, bridge.c,
# tap.c and nl.c need libnl-3 core, not libnl-route.
noinst_LIBRARIES += lib/libtwnet.a
lib_libtwnet_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
lib_libtwnet_a_SOURCES = \
	lib/nl.c lib/nl.h \
	lib/link.c lib/link.h lib/link-create.c \
	lib/bridge.c lib/bridge.h \
	lib/tap.c lib/tap.h
