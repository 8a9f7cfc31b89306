/* A change that must prove itself (contract section 8): `up FILE --confirm
 * SECONDS` reverts unless `tapwire confirm` comes in time, `up FILE --probe
 * ADDR` reverts at once unless ADDR answers; `tapwire revert` takes a
 * pending change back now. */
#ifndef TW_CLI_CONFIRM_H
#define TW_CLI_CONFIRM_H

#include "core/err.h"
#include "core/model.h"
#include "engine/engine.h"

struct tw_guard {
	const char *file;  /* FILE as given: a copy of it is what a later revert goes back to */
	unsigned confirm;  /* --confirm SECONDS; 0: none */
	const char *probe; /* --probe ADDR; NULL: none */
	const char *netns; /* --netns NAME: where a systemd timer runs the revert */
};

/* --confirm SECONDS: 1 to 86400. 0, or an exit code after a message. */
int tw_guard_seconds(const char *arg, unsigned *out);

/* up, and with --confirm or --probe, what makes it revertible: a copy of
 * the description applied before (none: the revert releases the owner),
 * the probe, the timer. Every successful up keeps a copy of FILE for the
 * next one. 0, or -1 with e set. */
int tw_guarded_up(const struct tw_net *net, const struct tw_run_opts *o, const struct tw_guard *g,
		  struct tw_err *e);

/* tapwire confirm [OWNER], tapwire revert [OWNER]: an exit code; the
 * outcome as rep's summary (a line, or the JSON document's). */
int tw_cli_confirm(const char *owner, struct tw_report *rep);
int tw_cli_revert(const char *owner, struct tw_report *rep);

#endif
