/* Privilege handling for the setuid helper, one stage at a time. */
#ifndef TW_HELPER_PRIV_H
#define TW_HELPER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "policy.h"

/* Who called us: real ids and supplementary groups, read before any drop. */
struct tw_caller_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* as many as the caller has (up to NGROUPS_MAX, 65536) */
	size_t n_groups;
};

/* Before anything else, while still privileged: the caller chose our
 * signal dispositions' defaults and our resource limits, and must not be
 * able to make us die without the audit line (SIGPIPE from a stderr pipe
 * nobody reads, SIGXFSZ from RLIMIT_FSIZE=0, SIGSEGV from a tiny
 * RLIMIT_STACK, EMFILE before the syslog socket exists). Ignores SIGPIPE and
 * SIGXFSZ and raises the limits the helper relies on to sane minimums, as
 * far as our privileges allow. Never fails: what it cannot fix is caught
 * later as an ordinary error. */
void tw_priv_harden(void);

/* Calls fn(argc, argv) and exits with what it returns, on a stack of the
 * helper's own (mmap'd, with a guard page) when the caller left less than
 * TW_PRIV_STACK of stack (RLIMIT_STACK) and it could not be raised: the
 * size of the main thread's stack is the caller's choice, an mmap'd one is
 * not. */
#define TW_PRIV_STACK (256 * 1024)
__attribute__((noreturn)) void tw_priv_run(int (*fn)(int, char **), int argc, char **argv);

/* Make sure 0, 1, 2 are open (so no later fd lands there) and close every
 * other descriptor except keep. Returns 0 or -errno. */
int tw_priv_close_fds(int keep);

/* Reads the caller's ids; c->groups is malloc'd (free it). 0 or -errno. */
int tw_priv_read_caller(struct tw_caller_ids *c);

/* Keep only CAP_NET_ADMIN, become the caller's real uid/gid (keeping its
 * groups), clear the bounding set and set no-new-privs. */
int tw_priv_drop(const struct tw_caller_ids *c, char *err, size_t errlen);

#endif
