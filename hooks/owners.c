/* The owners a release takes; see owners.h. */
#include "owners.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/state.h"

struct owner *tw_owners_find(const struct owners *o, const char *name)
{
	for (size_t k = 0; k < o->n; k++)
		if (!strcmp(o->v[k].name, name))
			return &o->v[k];
	return NULL;
}

static struct owner *owners_add(struct owners *o, const char *name)
{
	struct owner *v = tw_grow(o->v, &o->cap, o->n + 1, sizeof(*v));
	if (!v)
		return NULL;
	o->v = v;
	memset(&v[o->n], 0, sizeof(v[o->n]));
	tw_strscpy(v[o->n].name, name, sizeof(v->name));
	return &v[o->n++];
}

int tw_owners_scan(const char *rundir, const char *source, const char *const hints[2],
		   struct owners *o, char *err, size_t len)
{
	char path[700];
	struct tw_state *st;
	int r = tw_state_file(rundir, path, sizeof(path));
	if (r < 0) {
		snprintf(err, len, "%s: %s", rundir, strerror(-r));
		return r;
	}
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return -ENOENT;
	if ((r = tw_state_open(rundir, false, &st, err, len)) < 0)
		return r;
	/* Owners seen and not taken, so that each is judged once. */
	struct owners other = { .v = NULL };
	for (size_t i = 0; r == 0 && i < tw_state_count(st); i++) {
		const struct tw_rec *rec = tw_state_at(st, i);
		for (size_t k = 0; rec && r == 0 && k < rec->n_owners; k++) {
			const char *name = rec->owners[k];
			struct owner *w = tw_owners_find(o, name);
			if (!w && tw_owners_find(&other, name))
				continue;
			if (!w) {
				const char *src = tw_state_source(st, name);
				bool hint = !strcmp(name, hints[0]) || !strcmp(name, hints[1]);
				bool ours = src ? !strcmp(src, source) : hint;
				if (!ours && !hint) {
					r = owners_add(&other, name) ? 0 : -ENOMEM;
					continue;
				}
				if (!(w = owners_add(o, name))) {
					r = -ENOMEM;
					continue;
				}
				w->foreign = !ours;
			}
			w->recs++;
		}
	}
	free(other.v);
	tw_state_close(st);
	if (r < 0)
		snprintf(err, len, "out of memory");
	return r;
}

bool tw_owners_released_some(const char *rundir, const char *source, const char *const hints[2],
			     const struct owners *o)
{
	struct owners after = { .v = NULL };
	char err[600];
	int r = tw_owners_scan(rundir, source, hints, &after, err, sizeof(err));
	bool some = false;
	for (size_t k = 0; k < o->n && r != -ENOMEM; k++) {
		const struct owner *w = &o->v[k], *now = tw_owners_find(&after, w->name);
		size_t left = r == -ENOENT ? 0 : r < 0 ? w->recs : now ? now->recs : 0;
		some |= !w->foreign && (!w->failed || left < w->recs);
	}
	free(after.v);
	return some;
}

