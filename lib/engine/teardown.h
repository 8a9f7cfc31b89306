/* Undoing what tapwire did, fast: devices are deleted in one batch per
 * namespace, namespaces last, and nothing is undone inside a namespace that
 * is about to go anyway (its devices, addresses and settings go with it). A
 * veth with one end in a dying namespace is deleted from its other end, so
 * both ends are gone when this returns. */
#ifndef TW_TEARDOWN_H
#define TW_TEARDOWN_H

#include <stdio.h>

#include "engine/holders.h"
#include "kinds/ctx.h"
#include "engine/state.h"

/* recs: what to undo in the kernel (removal order is decided here).
 * Returns 0, or the first error with why set (the rest is still tried). */
int tw_teardown(struct tw_ctx *c, struct tw_rec *const *recs, size_t n, char *why, size_t len);

/* Something a release would remove that someone else still uses: a port of
 * a bridge to delete that is not the releasing owner's (a QEMU tap of the
 * bridge helper, libvirt's vnetN, a device enslaved by hand, another
 * owner's), or a tap to delete that a process holds. */
struct tw_busy {
	size_t rec;              /* index, in the recs given, of the bridge or tap */
	char port[IFNAMSIZ];     /* the port in the way; "" for a held tap */
	char kind[16];           /* the port's kind: "tun", "veth", ... ("" plain) */
	char other[64];          /* the tapwire owner of the port; "" for none */
	char peer[IFNAMSIZ + 8]; /* a veth port's peer, "" when unknown */
	bool held;               /* a tap (the port, or the tap to delete) is held */
	struct tw_holder holder; /* who holds it (pid 0: no process shows it) */
};

/* What among recs (the records owner would remove) is in use. The kernel
 * is asked: the ports of each bridge, the carrier of each tap, and /proc
 * for the holders (read once, only when there is a tap to name). *busy:
 * free() it. Returns how many, or -errno with why set. */
int tw_teardown_busy(struct tw_ctx *c, struct tw_state *st, const char *owner,
		     struct tw_rec *const *recs, size_t n, struct tw_busy **busy, char *why,
		     size_t len);

/* The record, whoever owns it, of device name in ns as a port: a tap, a
 * vxlan, either end of a veth, a device tapwire enslaved. NULL for none. */
const struct tw_rec *tw_teardown_dev_rec(struct tw_state *st, const char *ns, const char *name);

/* "bridge br0 still has port tw1a2b3c4d (held by pid 4242 qemu-system-x86)",
 * "tap tw1a2b3c4d is held by pid 77 sleep". */
void tw_busy_format(const struct tw_busy *b, const struct tw_rec *r, char *buf, size_t len);

#endif
