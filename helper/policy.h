/* The helper's policy (ACL): which callers may put taps on which bridges.
 *
 * Syntax (QEMU's bridge.conf, extended):
 *   # comment
 *   allow NAME|all [user:U ...] [group:G ...]
 *   deny  NAME|all [user:U ...] [group:G ...]
 *   include PATH
 * NAME may be a shell glob (fnmatch, no FNM_PATHNAME). A rule with
 * qualifiers applies only when the caller's real uid matches one of the
 * user: qualifiers or one of its groups matches one of the group: ones; U
 * and G are names or numeric ids. Default deny; any matching deny wins over
 * every allow; rule order does not matter (as in QEMU).
 *
 * Every file read (the main one and each include) must be a regular file
 * owned by root and not writable by group or others, reached through
 * directories with the same properties; includes nest at most
 * TW_POLICY_MAX_DEPTH deep. Any error names file:line and the whole policy
 * denies (fail closed). */
#ifndef TW_HELPER_POLICY_H
#define TW_HELPER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TW_POLICY_MAX_DEPTH 8
#define TW_POLICY_MAX_LINE 1024

struct tw_policy;

struct tw_caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups */
	size_t n_groups;
};

/* Load path and its includes. 0 or -errno (-EINVAL for syntax, -EPERM for
 * ownership/mode); on failure err holds "file:line: reason". */
int tw_policy_load(const char *path, struct tw_policy **out, char *err, size_t errlen);

/* Parse text already in memory (name is used in messages). Includes are
 * still read from disk with the same checks. For tests and fuzzing. */
int tw_policy_parse(const char *name, const char *text, size_t len, struct tw_policy **out,
		    char *err, size_t errlen);

void tw_policy_free(struct tw_policy *p);

/* true when caller may use bridge. why gets a short reason either way,
 * e.g. "allowed by /etc/tapwire/bridge.conf:3" or "no allow rule matches". */
bool tw_policy_allows(const struct tw_policy *p, const char *bridge, const struct tw_caller *c,
		      char *why, size_t whylen);

/* For a refusal with reason why (from tw_policy_allows) of bridge to uid,
 * under the policy file conf: what the administrator would change, e.g.
 * add "allow br0 user:1000" (this user) or "allow br0" (everyone) to
 * /etc/tapwire/bridge.conf. Empty when there is nothing to say. */
void tw_policy_hint(const char *conf, const char *bridge, uid_t uid, const char *why, char *hint,
		    size_t hintlen);

#endif
