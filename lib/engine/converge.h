/* `up FILE` converges the owner to FILE (contract section 5): besides
 * what the planner creates and uses, a setting that differs on a device
 * tapwire made is changed in place, an address that moved is replaced, and
 * what the owner's records hold but FILE no longer declares goes, as
 * `down` would take it (a shared object loses only this owner's
 * reference). The owner's records also say which source described it, so
 * that a second file reusing its name cannot take its objects over. */
#ifndef TW_CONVERGE_H
#define TW_CONVERGE_H

#include <stdbool.h>

#include "engine/plan.h"

/* A source as the state records it: a file by its absolute path, so
 * lab.xml and ./lab.xml are one source; anything else (the hook's domain
 * name) as it is. */
void tw_source_name(const char *src, char *out, size_t len);

/* Fill p->source (a file's absolute path, or the source as given: a
 * domain's name) and refuse, with exit 2, an owner already on record for
 * another source unless owner_explicit. Records without a source (written
 * before sources were) are adopted by the first `up`. */
int tw_converge_source(struct tw_state *st, const struct tw_net *net, bool owner_explicit,
		       struct tw_plan *p, struct tw_err *e);

/* After the planner: mark the settings of devices tapwire made as changes
 * (TW_ACT_CHANGE), pair a new address with the one it replaces on the same
 * device, and append a TW_ACT_REMOVE step per record of p->owner that no
 * step names, in the order `down` takes them; the early removals (above)
 * go first. O(steps + records). */
int tw_converge_plan(struct tw_state *st, struct tw_plan *p, struct tw_err *e);

/* Before the planner probes anything: the devices of p->owner's records
 * (made by tapwire for this owner alone) whose name p->net now declares
 * as another kind, or as a veth end with another peer. They are removed
 * first, so the planner takes their names as free (tw_converge_frees);
 * tw_converge_plan puts their removals, and those of what is on them,
 * at the head of the plan (p->n_early steps). O(records + devices). */
int tw_converge_early(struct tw_state *st, struct tw_plan *p);
bool tw_converge_frees(const struct tw_plan *p, const char *ns, const char *name);
void tw_converge_free(struct tw_plan *p);

#endif
