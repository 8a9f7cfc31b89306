/* Why a release kept a record (engine/state.h): "k KIND NS NAME ARG OWNER
 * WHY" journal lines. Versions before them read such a line as an unknown
 * operation on a key, and skip it, so either version reads the other's file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/state-int.h"

void tw_rec_unkeep(struct tw_rec *r, const char *owner)
{
	if (!r->kept_by || (owner && strcmp(owner, r->kept_by)))
		return;
	free(r->kept_by);
	free(r->kept);
	r->kept_by = r->kept = NULL;
}

int tw_rec_keep(struct tw_rec *r, const char *owner, const char *why)
{
	bool has = false;
	for (size_t i = 0; i < r->n_owners && !has; i++)
		has = !strcmp(r->owners[i], owner);
	if (!has)
		return 0;
	tw_rec_unkeep(r, NULL);
	if (!why[0])
		return 0;
	r->kept_by = strdup(owner);
	r->kept = strdup(why);
	if (!r->kept_by || !r->kept) {
		free(r->kept_by);
		free(r->kept);
		r->kept_by = r->kept = NULL;
		return -ENOMEM;
	}
	return 0;
}

void tw_state_kept_put(FILE *f, const struct tw_rec *r)
{
	if (r->kept_by && !r->gone)
		tw_state_line_put(f, 'k', &r->key, NULL, r->kept_by, r->kept);
}

const char *tw_state_kept(const struct tw_rec *r, const char *owner)
{
	return r->kept_by && (!owner || !strcmp(owner, r->kept_by)) ? r->kept : NULL;
}
