/* One run of the engine: the state, locked, and the kernel's view, opened
 * together and closed together (engine.c); status.c reads through it too. */
#ifndef TW_ENGINE_RUN_H
#define TW_ENGINE_RUN_H

#include <stdbool.h>

#include "core/err.h"
#include "engine/engine.h"
#include "engine/state.h"
#include "kinds/ctx.h"

struct tw_run {
	struct tw_state *st;
	struct tw_ctx *ctx;
};

/* Lock and load the state (exclusively when write: then a run killed
 * midway is repaired first) and open a context. -1 with e set. */
int tw_run_open(struct tw_run *run, const struct tw_run_opts *o, bool write, struct tw_err *e);
/* Save and unlock the state; rc, or -1 with e set when saving failed. */
int tw_run_close(struct tw_run *run, int rc, struct tw_err *e);

/* Is the object of a record in the kernel? */
bool tw_rec_live(struct tw_ctx *c, const struct tw_rec *r);

#endif
