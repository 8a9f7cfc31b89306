/* A change that waits for confirmation (`tapwire up FILE --confirm
 * SECONDS`): one small file per owner beside the state, so that `status`
 * shows it, `tapwire confirm` keeps the change and the timer (or `tapwire
 * revert`) takes it back. Whoever renames or removes the file first wins:
 * a confirmation and a revert never both happen.
 *
 * The files live in the run directory (/run: a reboot forgets them with the
 * state), named after the state file of the network namespace, so that each
 * namespace has its own: rundir/confirm<SUFFIX>-<HASH> where state<SUFFIX> is
 * the state file and HASH the owner's (names are free text). */
#ifndef TW_ENGINE_PENDING_H
#define TW_ENGINE_PENDING_H

#include <stdbool.h>
#include <stdio.h>

#include "core/util.h"
#include "engine/state.h"

struct tw_pending {
	char owner[TW_OWNER_MAX];
	long long deadline;        /* seconds since the epoch */
	unsigned seconds;          /* as asked */
	char file[TW_SOURCE_MAX];  /* what was applied */
	char prev[640];            /* a copy of what was applied before it; "": release */
	char source[TW_SOURCE_MAX]; /* where that came from, as the state said */
	long pid;                  /* the timer process, 0: none */
	char unit[96];             /* or the systemd transient timer, "" */
	char path[640];            /* the file this was read from */
};

/* "rundir/WHAT<SUFFIX>-TAIL" beside state file statepath ("rundir/state<SUFFIX>"). */
int tw_run_file(const char *statepath, const char *what, const char *tail, char *buf, size_t len);
/* The same with the owner's hash as TAIL, and ext after it (".xml", ""). */
int tw_owner_file(const char *statepath, const char *what, const char *owner, const char *ext,
		  char *buf, size_t len);

int tw_pending_write(const char *statepath, struct tw_pending *p);
/* Every pending change of this state file; *out is malloc'd. */
int tw_pending_list(const char *statepath, struct tw_pending **out, size_t *n);
/* Take p for a revert: its file is renamed out of the way, so a
 * confirmation that comes later finds nothing (-ENOENT: it came first). */
int tw_pending_claim(struct tw_pending *p);
/* A revert that failed: p waits again, for another revert (or confirm). */
int tw_pending_unclaim(struct tw_pending *p);
/* Take p for a confirmation: its file goes (-ENOENT: reverted already). */
int tw_pending_drop(struct tw_pending *p);
/* The files beside the state file state<SUFFIX> of a network namespace
 * that is gone (tw_state_prune): what moved there, what waited there, the
 * copies of what was applied there. Not counted: they go with the state. */
void tw_run_files_prune(const char *rundir, const char *suffix, bool dry_run);
/* status: one line per pending change, or ",\"pending\":[...]" in JSON. */
void tw_pending_status(FILE *out, const char *statepath, bool json);

#endif
