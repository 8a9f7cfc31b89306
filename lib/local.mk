# lib/ in four rooms; each may include only from itself and the rooms below
# it (tests/layout.sh checks that, with no circle and no file over 600 lines):
#
#   engine/  plan, apply, the state journal, teardown, up/down/status, gc
#   kinds/   one file per kind of object, each ending in its ops table;
#            kind.h (the ops, steps, records), registry.c, the run context
#   net/     netlink, ioctl and ovs-vsctl primitives: all the helper links
#   core/    plain C: the model, util, fd passing, trusted files, errors
#
# xml/ may use only core/; the setuid helper links core/ and net/ only.

noinst_LIBRARIES += lib/libtwcore.a
lib_libtwcore_a_SOURCES = \
	lib/core/util.c lib/core/util.h \
	lib/core/model.c lib/core/model.h \
	lib/core/err.c lib/core/err.h \
	lib/core/fdpass.c lib/core/fdpass.h \
	lib/core/trusted.c lib/core/trusted.h \
	lib/core/index.c lib/core/index.h

# The kernel layer. The helper links this with -ffunction-sections and
# --gc-sections, so it carries only what it calls (never libnl-route:
# link-create.c and addr.c are not pulled in).
noinst_LIBRARIES += lib/libtwnet.a
lib_libtwnet_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) -ffunction-sections -fdata-sections
lib_libtwnet_a_SOURCES = \
	lib/net/nl.c lib/net/nl.h \
	lib/net/link.c lib/net/link.h lib/net/link-create.c \
	lib/net/bridge.c lib/net/bridge.h \
	lib/net/tap.c lib/net/tap.h \
	lib/net/netns.c lib/net/netns.h \
	lib/net/addr.c lib/net/addr.h \
	lib/net/ovs.c lib/net/ovs.h
lib_libtwnet_a_SOURCES += lib/net/macvlan.c lib/net/macvlan.h
lib_libtwnet_a_SOURCES += lib/net/addr-move.c lib/net/addr-move.h lib/net/ping.c lib/net/ping.h

noinst_LIBRARIES += lib/libtwkinds.a
lib_libtwkinds_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(NFT_CFLAGS)
lib_libtwkinds_a_SOURCES = \
	lib/kinds/kind.h lib/kinds/record.h lib/kinds/registry.c \
	lib/kinds/ctx.c lib/kinds/ctx.h lib/kinds/dev.c \
	lib/kinds/netns.c lib/kinds/bridge.c lib/kinds/ovs-bridge.c lib/kinds/vxlan.c \
	lib/kinds/veth.c lib/kinds/tap.c lib/kinds/port.c lib/kinds/ovs-port.c \
	lib/kinds/setting.c lib/kinds/addr.c lib/kinds/fdb.c
lib_libtwkinds_a_SOURCES += lib/kinds/tun.c lib/kinds/macvlan.c lib/kinds/macvtap.c
lib_libtwkinds_a_SOURCES += lib/kinds/move.c

noinst_LIBRARIES += lib/libtwengine.a
lib_libtwengine_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
lib_libtwengine_a_SOURCES = \
	lib/engine/state.c lib/engine/state.h lib/engine/state-int.h \
	lib/engine/state-kept.c lib/engine/state-line.c \
	lib/engine/netns-id.c lib/engine/netns-id.h lib/engine/state-prune.c \
	lib/engine/plan.c lib/engine/plan.h lib/engine/apply.c \
	lib/engine/plan-needs.c lib/engine/converge.c lib/engine/converge.h lib/engine/key.c \
	lib/engine/mtu.c lib/engine/mtu.h lib/engine/ovs-ports.c lib/engine/ovs-ports.h \
	lib/engine/teardown.c lib/engine/teardown.h \
	lib/engine/engine.c lib/engine/engine.h lib/engine/run.h lib/engine/status.c \
	lib/engine/report.c lib/engine/report.h \
	lib/engine/domain-net.c lib/engine/domain-net.h \
	lib/engine/gc.c lib/engine/gc.h
# Who holds a tap, what is on a bridge (gc, down, detach, status).
lib_libtwengine_a_SOURCES += lib/engine/holders.c lib/engine/holders.h
lib_libtwengine_a_SOURCES += lib/engine/holders-node.c
lib_libtwengine_a_SOURCES += lib/engine/plan-devices.c lib/engine/plan-int.h lib/engine/plan-steps.c
# NAT, DHCP and DNS on a bridge (contract section 7); libnftables stays out
# of the helper.
lib_libtwkinds_a_SOURCES += lib/kinds/nft.c lib/kinds/nft.h lib/kinds/nat.c \
	lib/kinds/sysctl.c lib/kinds/sysctl.h lib/kinds/dhcp.c
lib_libtwengine_a_SOURCES += lib/engine/plan-svc.c lib/engine/plan-step.c lib/engine/forward-drop.c \
	lib/engine/forward-drop.h
# A port's addresses moved to its bridge; a change confirmed or reverted.
lib_libtwengine_a_SOURCES += lib/engine/plan-move.c lib/engine/plan-move.h \
	lib/engine/pending.c lib/engine/pending.h
TW_ENGINE_LIBS = lib/libtwengine.a lib/libtwkinds.a lib/libtwnet.a lib/libtwcore.a $(LIBNL_LIBS) \
	$(NFT_LIBS)
# BGP EVPN (contract section 9): a vxlan's and its bridge port's flags;
# whether an FRR serves a control="evpn" vxlan (tapwire doctor).
lib_libtwnet_a_SOURCES += lib/net/brport.c lib/net/brport.h
lib_libtwengine_a_SOURCES += lib/engine/plan-evpn.c lib/engine/evpn-check.c lib/engine/evpn-check.h
# tapwire doctor's checks (their table is in cli/doctor.c) and tapwire
# show's Graphviz; a libvirt conf setting (qemu.conf) for doctor and the hook.
lib_libtwcore_a_SOURCES += lib/core/libvirt-conf.c lib/core/libvirt-conf.h
lib_libtwengine_a_SOURCES += lib/engine/doctor.c lib/engine/doctor.h \
	lib/engine/doctor-helper.c lib/engine/doctor-devices.c lib/engine/doctor-hook.c \
	lib/engine/doctor-qemu-conf.c lib/engine/doctor-forward.c lib/engine/doctor-frr.c \
	lib/engine/dot.c lib/engine/dot.h lib/engine/show-owner.c
# tapwire show --json: the graph dot.c walks, as JSON.
lib_libtwengine_a_SOURCES += lib/engine/dot-json.c lib/engine/dot-int.h
# A changed owner=/group= of a tun, tap or macvtap tapwire made (contract section 5).
lib_libtwkinds_a_SOURCES += lib/kinds/owner.c
lib_libtwengine_a_SOURCES += lib/engine/plan-owner.c
