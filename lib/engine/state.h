/* What tapwire made or uses, for whom: /run/tapwire/state.
 *
 * A record per kernel object (or per change to one): its key, whether
 * tapwire created it (then it goes away with its last owner) or found it
 * (then it is never deleted), and its owners. The file is a journal: each
 * change appends one line, so a run that handles N objects writes O(N)
 * bytes, and a run killed midway leaves every step it took on record. A
 * creation is journaled as pending before the kernel call and committed
 * after, so the next run can tell what a dead run left behind. The file is
 * rewritten compactly when a run ends. Runs are serialised by flock.
 *
 * The host's network namespace keeps rundir/state and rundir/lock; any
 * other keeps state-nc<COOKIE> and lock-nc<COOKIE>, after the namespace's
 * cookie, which the kernel never reuses (its inode number it does), and its
 * lock file says which namespace it is for (tw_state_prune reads that). */
#ifndef TW_STATE_H
#define TW_STATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "kinds/record.h"

struct tw_state;

/* Lock (mode 1: exclusive, 0: shared) and load the state in rundir,
 * creating the directory and the lock if needed; TW_STATE_PEEK: shared, and
 * creates nothing on disk (a dry run, check): without them, nothing is on
 * record. The file is per network namespace, because "" in a key means
 * "where tapwire runs". */
#define TW_STATE_PEEK 2
int tw_state_open(const char *rundir, int mode, struct tw_state **out, char *err, size_t errlen);
/* Compact (if anything changed), unlock and free. */
int tw_state_close(struct tw_state *st);

size_t tw_state_count(const struct tw_state *st);
struct tw_rec *tw_state_at(struct tw_state *st, size_t i); /* NULL for a dropped one */
struct tw_rec *tw_state_find(struct tw_state *st, const struct tw_key *key);
bool tw_rec_has_owner(const struct tw_rec *r, const char *owner);

/* Each of these changes the record and appends one journal line. */
int tw_state_pending(struct tw_state *st, const struct tw_key *key, const char *data,
		     const char *owner);
int tw_state_add(struct tw_state *st, const struct tw_key *key, bool created, const char *data,
		 const char *owner);
int tw_state_drop(struct tw_state *st, const struct tw_key *key, const char *owner);
/* Forget a record whatever its owners (repair of a pending one, or an
 * object that vanished). */
int tw_state_forget(struct tw_state *st, const struct tw_key *key);

/* Where owner's description came from (a file's absolute path, a domain,
 * an interface file), as the last `up` for it recorded; NULL when unknown
 * (nothing on record, or records written before sources were). Kept while
 * the owner holds a record. */
#define TW_SOURCE_MAX 512
const char *tw_state_source(const struct tw_state *st, const char *owner);
int tw_state_set_source(struct tw_state *st, const char *owner, const char *source);
/* Why owner's record r stays although owner released it (the hook's
 * release keeps what another VM still uses): "bridge br0 still has port
 * vnet3 (held by pid 4242 qemu-system-x86, libvirt domain web)"; NULL when
 * it was not kept. A "k" journal line, which versions before it skip; it
 * goes when owner adds or drops the record again. */
#define TW_KEPT_MAX 512
const char *tw_state_kept(const struct tw_rec *r, const char *owner);
int tw_state_set_kept(struct tw_state *st, const struct tw_key *key, const char *owner,
		      const char *why);
/* Whether owner holds any record. O(records). */
bool tw_state_owner_known(const struct tw_state *st, const char *owner);
/* The position of r (from tw_state_find or tw_state_at): 0 to count - 1. */
size_t tw_state_index(const struct tw_state *st, const struct tw_rec *r);

/* The state file of the namespace the calling thread is in, without
 * opening it. 0 or -errno. */
int tw_state_file(const char *rundir, char *path, size_t len);

/* Remove the state and lock files (state-nc<COOKIE>, lock-nc<COOKIE>) of
 * network namespaces that no longer exist. A namespace is alive if some
 * namespace that a bind mount (this mount namespace's), a thread or an open
 * fd holds has the inode its lock file records and, entered (by a short-lived
 * child), that cookie; one that cannot be entered counts as alive. Files
 * whose lock someone holds are skipped; the host's (state, lock), this
 * namespace's and any other name are never touched, nor the state-net<INODE>
 * files of earlier versions, which are no longer read. Returns the number of
 * files removed (dry_run: that would be, nothing is), or -errno with a
 * message in err. */
int tw_state_prune(const char *rundir, bool dry_run, char *err, size_t errlen);

/* "rundir/state" path in use, for messages. */
const char *tw_state_path(const struct tw_state *st);

void tw_key_format(const struct tw_key *k, char *buf, size_t len);

#endif
