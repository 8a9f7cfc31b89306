# libtwcore: pure helpers and the model (no netlink, no XML): used everywhere.
noinst_LIBRARIES += lib/libtwcore.a
lib_libtwcore_a_SOURCES = lib/util.c lib/util.h lib/model.c lib/model.h lib/fdpass.c lib/fdpass.h \
	lib/trusted.c lib/trusted.h

# libtwnet: the kernel layer that needs only libnl-3 core (raw rtnetlink
# messages, tun/tap ioctls, namespaces). The setuid helper links this and
# nothing above it; -ffunction-sections lets it drop what it does not call.
noinst_LIBRARIES += lib/libtwnet.a
lib_libtwnet_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) -ffunction-sections -fdata-sections
lib_libtwnet_a_SOURCES = \
	lib/nl.c lib/nl.h \
	lib/link.c lib/link.h \
	lib/bridge.c lib/bridge.h \
	lib/tap.c lib/tap.h \
	lib/ctx.c lib/ctx.h \
	lib/netns.c lib/netns.h \
	lib/obj.c lib/obj.h

# libtwengine: plan/apply, the state file, and the kinds built with
# libnl-route (veth, vxlan, addresses, fdb). Used by tapwire and the hook.
noinst_LIBRARIES += lib/libtwengine.a
lib_libtwengine_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
lib_libtwengine_a_SOURCES = \
	lib/link-create.c \
	lib/veth.c lib/vxlan.c lib/fdb.c lib/addr.c lib/addr.h \
	lib/port.c lib/attr.c \
	lib/ovs.c lib/ovs.h \
	lib/state.c lib/state.h \
	lib/plan.c lib/plan.h \
	lib/teardown.c lib/teardown.h \
	lib/engine.c lib/engine.h \
	lib/domain.c lib/domain.h
# tapwire gc: orphaned persistent taps of tapwire-bridge-helper.
lib_libtwengine_a_SOURCES += lib/gc.c lib/gc.h
TW_ENGINE_LIBS = lib/libtwengine.a lib/libtwnet.a lib/libtwcore.a $(LIBNL_LIBS)
