/* The hook's release: which owners on the state are the domain's. */
#ifndef TW_HOOK_OWNERS_H
#define TW_HOOK_OWNERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

/* The owners a release takes: every owner the state records this domain as
 * the source of (an owner <tw:net name> named, even if the XML no longer
 * says so), and the domain's name and the XML's <tw:net name> when they
 * hold records with no source on record (written before sources were, or
 * by a prepare that did not finish). An owner recorded for another source
 * (another domain, a file) is never taken. */
struct owner {
	char name[TW_OWNER_MAX];
	size_t recs;  /* records it holds */
	bool foreign; /* a hint whose records are another source's: left */
	bool failed;
};
struct owners {
	struct owner *v;
	size_t n, cap;
};

/* Find the owners (above) for the domain whose source on record is source,
 * and count their records, reading the state in rundir under a shared lock:
 * no netlink, nothing written, no directory made. hints: the domain's name
 * and the XML's owner ("" for none). 0; -ENOENT when there is no state
 * file, so no record at all; other -errno with err set. o->v is the
 * caller's to free. */
int tw_owners_scan(const char *rundir, const char *source, const char *const hints[2],
		   struct owners *o, char *err, size_t len);
struct owner *tw_owners_find(const struct owners *o, const char *name);
/* After a release in which some tw_down failed (their owner->failed set):
 * whether it removed anything at all, judged by what the state now holds. */
bool tw_owners_released_some(const char *rundir, const char *source, const char *const hints[2],
			     const struct owners *o);

#endif
