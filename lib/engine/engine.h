/* The engine as the tapwire command and the libvirt hook use it. */
#ifndef TW_ENGINE_H
#define TW_ENGINE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/model.h"
#include "engine/plan.h"
#include "engine/report.h"

struct tw_run_opts {
	const char *rundir; /* NULL: tw_default_rundir() */
	bool dry_run;       /* print the plan, change nothing */
	FILE *out;          /* one line per step; NULL: quiet */
	struct tw_report *report; /* the steps go here instead of out (--json) */
	bool progress;      /* a step counter on stderr for long runs */
	/* down: a bridge to delete with ports that are not this owner's, or a
	 * tap to delete that a process holds, is in use by someone else. */
	bool force;         /* remove it anyway (and say what was cut off) */
	bool keep_busy;     /* keep it and its records, remove the rest, never
	                     * refuse: the hook's release (libvirt cannot act on
	                     * a refusal); a later down or release removes it */
	const char *cmd;    /* how a refusal names the command: "down" (NULL), "detach" */
	FILE *err;          /* a refusal's lines, one per object in use; NULL: stderr */
	bool owner_explicit; /* the owner was named by the caller (--owner), not by the file: up
			      * may take over an owner on record for another source */
};

/* /run/tapwire, or $TAPWIRE_RUNDIR when not running with elevated
 * privileges (for tests). */
const char *tw_default_rundir(void);

/* Make the kernel look like net, for net->owner. 0, or -1 with e set. */
int tw_up(const struct tw_net *net, const struct tw_run_opts *o, struct tw_err *e);
/* Release everything on record for owner. Unless o->force or o->keep_busy,
 * refuses (-1, exit 1, nothing changed) when something to remove is in use:
 * one "tapwire: ..." line per object on o->err, the summary in e. */
int tw_down(const char *owner, const struct tw_run_opts *o, struct tw_err *e);
/* tapwire gc: for every owner, the records a release kept because they were
 * in use (tw_state_kept) and that nobody uses any more (no foreign port on
 * the bridge, no holder of the tap) go as down would remove them, with what
 * was kept with them (addresses, settings, their namespace); nothing else
 * of any owner is touched. *freed (free() it) lists what was removed (a
 * dry run: would be), n of them. 0, or -1 with e set. */
struct tw_gc_freed {
	char what[200];           /* "bridge br0" (tw_key_format) */
	char owner[TW_OWNER_MAX]; /* it was kept for */
};
int tw_gc_kept(const struct tw_run_opts *o, struct tw_gc_freed **freed, size_t *n,
	       struct tw_err *e);
/* What is on record, per owner, and whether it is live; every port of each
 * bridge on record (foreign ones too) and the process holding each tap. */
int tw_status(FILE *out, bool json, const struct tw_run_opts *o, struct tw_err *e);

#endif
