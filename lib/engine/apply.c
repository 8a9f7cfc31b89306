/* Taking a plan's steps in order, each journaled (pending before a
 * creation, committed after), and undoing this run's steps when one fails. */
#include "engine/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/teardown.h"

size_t tw_plan_changes(const struct tw_plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += !p->v[i].recorded;
	return n;
}

void tw_step_print(FILE *out, const struct tw_step *s, const char *prefix)
{
	char desc[320];
	tw_kind_ops(s->key.kind)->describe(s, desc, sizeof(desc));
	const char *mark = s->action == TW_ACT_CREATE ? "+" : s->action == TW_ACT_SET ? "~" : "=";
	const char *note = s->action == TW_ACT_CREATE && s->note[0] ? s->note : NULL;
	fprintf(out, "%s%s %s%s%s%s%s\n", prefix, mark, desc,
		s->action == TW_ACT_USE ? " (exists: use it)" : "", note ? " (" : "", note ? note : "",
		note ? ")" : "");
}

/* ---- apply and roll back */

static void progress(const struct tw_apply_opts *o, size_t i, size_t n, bool done)
{
	if (!o->progress || n < 200)
		return;
	if (done || i % 50 == 0)
		fprintf(stderr, "\rtapwire: %zu/%zu steps%s", i, n, done ? "\n" : "");
}

/* Undo steps [0, upto) of this run: the kernel first (in one teardown,
 * which also removes namespaces this run made), then the records. */
static void rollback(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p, size_t upto)
{
	struct tw_rec *recs = calloc(upto + 1, sizeof(*recs));
	struct tw_rec **ptrs = calloc(upto + 1, sizeof(*ptrs));
	size_t n = 0;
	char why[256];
	for (size_t i = 0; recs && ptrs && i < upto; i++) {
		const struct tw_step *s = &p->v[i];
		if (s->recorded || s->action == TW_ACT_USE)
			continue;
		recs[n].key = s->key;
		tw_strscpy(recs[n].data, s->data, sizeof(recs[n].data));
		ptrs[n] = &recs[n];
		n++;
	}
	tw_teardown(c, ptrs, n, why, sizeof(why));
	for (size_t i = upto; i-- > 0;)
		if (!p->v[i].recorded)
			tw_state_drop(st, &p->v[i].key, p->owner);
	free(recs);
	free(ptrs);
}

int tw_plan_apply(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p,
		  const struct tw_apply_opts *o, struct tw_err *e)
{
	size_t todo = tw_plan_changes(p), done = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct tw_step *s = &p->v[i];
		if (s->recorded)
			continue;
		if (o->out)
			tw_step_print(o->out, s, "");
		progress(o, done++, todo, false);
		int r = 0;
		char why[256] = "";
		const struct tw_rec *old = tw_state_find(st, &s->key);
		bool was_created = old && old->created;
		switch (s->action) {
		case TW_ACT_CREATE:
			r = tw_state_pending(st, &s->key, s->data, p->owner);
			if (r == 0 && (r = tw_kind_ops(s->key.kind)->create(c, s, why, sizeof(why))) == 0)
				r = tw_state_add(st, &s->key, true, s->data, p->owner);
			break;
		case TW_ACT_SET:
			r = tw_kind_ops(TW_K_ATTR)->create(c, s, why, sizeof(why));
			if (r == 0)
				r = tw_state_add(st, &s->key, false, s->data, p->owner);
			break;
		case TW_ACT_USE:
			r = tw_state_add(st, &s->key, was_created, s->data, p->owner);
			break;
		}
		if (r < 0) {
			char desc[320], loc[300];
			tw_kind_ops(s->key.kind)->describe(s, desc, sizeof(desc));
			tw_err_set(e, 1, "%s%s: %s", tw_plan_where(p, s->line, loc, sizeof(loc)), desc,
				   why[0] ? why : strerror(-r));
			if (o->progress && todo >= 200)
				fputc('\n', stderr);
			/* The failed step cleaned up after itself; whatever stands
			 * under its name now is not ours. Only its record goes. */
			tw_state_drop(st, &s->key, p->owner);
			rollback(c, st, p, i);
			return -1;
		}
	}
	progress(o, done, todo, true);
	return 0;
}
