/* Undoing what tapwire did, fast: devices are deleted in one batch per
 * namespace, namespaces last, and nothing is undone inside a namespace that
 * is about to go anyway (its devices, addresses and settings go with it). A
 * veth with one end in a dying namespace is deleted from its other end, so
 * both ends are gone when this returns. */
#ifndef TW_TEARDOWN_H
#define TW_TEARDOWN_H

#include <stdio.h>

#include "kinds/ctx.h"
#include "engine/state.h"

/* recs: what to undo in the kernel (removal order is decided here).
 * Returns 0, or the first error with why set (the rest is still tried). */
int tw_teardown(struct tw_ctx *c, struct tw_rec *const *recs, size_t n, char *why, size_t len);

#endif
