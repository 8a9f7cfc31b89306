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

/* What the line of step s says: "bridge br0 mtu 9000", "address A -> B dev X". */
static void step_desc(const struct tw_step *s, char *desc, size_t len)
{
	char label[96];
	if (s->action == TW_ACT_REMOVE)
		tw_key_format(&s->key, desc, len);
	else
		tw_kind_ops(s->key.kind)->describe(s, desc, len);
	if (s->action == TW_ACT_CHANGE && s->key.kind == TW_K_ADDR) {
		tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
		snprintf(desc, len, "address %s -> %s dev %s", s->data, s->key.arg, label);
	}
}

void tw_step_report(struct tw_report *rep, const struct tw_step *s)
{
	char desc[320];
	const char *note = s->note[0] && (s->action == TW_ACT_CREATE || s->action == TW_ACT_REMOVE ||
					  s->force || s->use_note)
				   ? s->note : NULL;
	step_desc(s, desc, sizeof(desc));
	char mark = s->action == TW_ACT_CREATE ? '+' : s->action == TW_ACT_USE ? '='
		    : s->action == TW_ACT_REMOVE ? '-' : '~';
	tw_report_step(rep, mark, &s->key, NULL, desc,
		       s->action == TW_ACT_USE && !note ? "exists: use it" : note);
}

/* "lab: 2 created, 1 changed, 1 removed" (only the counts that are not
 * 0), or "lab: nothing to do"; a dry run says what it would do and that it
 * is one: "lab: 2 to create, 1 to remove (dry run)". */
static void summary(struct tw_report *rep, const struct tw_plan *p, bool dry_run)
{
	static const char *const done[] = { "created", "changed", "removed", "used" };
	static const char *const todo[] = { "to create", "to change", "to remove", "to use" };
	size_t n[4] = { 0 }, len = 0;
	char text[200];
	for (size_t i = 0; i < p->n; i++) {
		const struct tw_step *s = &p->v[i];
		if (!s->recorded)
			n[s->action == TW_ACT_CREATE ? 0 : s->action == TW_ACT_REMOVE ? 2
			  : s->action == TW_ACT_USE ? 3 : 1]++;
	}
#define ADD(...) (len += (size_t)snprintf(text + len, len < sizeof(text) ? sizeof(text) - len : 0, \
					  __VA_ARGS__))
	ADD("%s:", p->owner);
	bool any = false;
	for (size_t k = 0; k < 4; k++)
		if (n[k]) {
			ADD("%s %zu %s", any ? "," : "", n[k], dry_run ? todo[k] : done[k]);
			any = true;
		}
	ADD("%s%s", any ? "" : " nothing to do", dry_run ? " (dry run)" : "");
#undef ADD
	tw_report_summary(rep, text);
}

void tw_plan_report(struct tw_report *rep, const struct tw_plan *p, bool dry_run)
{
	for (size_t i = 0; i < p->n; i++)
		if (!p->v[i].recorded)
			tw_step_report(rep, &p->v[i]);
	summary(rep, p, dry_run);
}

/* ---- apply and roll back */

static void progress(const struct tw_apply_opts *o, size_t i, size_t n, bool done)
{
	if (!o->progress || n < 200)
		return;
	if (done || i % 50 == 0)
		fprintf(stderr, "\rtapwire: %zu/%zu steps%s", i, n, done ? "\n" : "");
}

/* An address that moved: the old one goes first (the new one, in the same
 * subnet, would be a secondary, which the kernel deletes with its primary
 * unless promote_secondaries is set), then the new one comes; if it cannot,
 * the old one is put back. */
static int replace_addr(struct tw_ctx *c, const struct tw_step *s, bool forward, char *why,
			size_t len)
{
	const struct tw_kind_ops *ops = tw_kind_ops(TW_K_ADDR);
	struct tw_rec gone = { .key = s->key };
	struct tw_step back = *s;
	tw_strscpy(forward ? gone.key.arg : back.key.arg, s->data, sizeof(gone.key.arg));
	int r = ops->remove(c, &gone, why, len);
	if (r == 0 && (r = ops->create(c, &back, why, len)) < 0 && forward) {
		char ignored[256];
		tw_strscpy(back.key.arg, s->data, sizeof(back.key.arg));
		ops->create(c, &back, ignored, sizeof(ignored));
	}
	return r;
}

/* Undo steps [0, upto) of this run: the kernel first (in one teardown,
 * which also removes namespaces this run made), then the records. Each
 * step undone in the kernel gets a "- STEP (undone)" line on out, last
 * first, before the caller prints the error. A removal that ran first to
 * free a name (v[0, n_early)) cannot be undone: a deleted device is not
 * made again. Its line says so: "! tap t0 (removed first to free its
 * name: not brought back)"; its record stays gone. */
static void rollback(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p, size_t upto,
		     struct tw_report *rep)
{
	struct tw_rec *recs = calloc(upto + 1, sizeof(*recs));
	struct tw_rec **ptrs = calloc(upto + 1, sizeof(*ptrs));
	size_t n = 0;
	char why[256];
	for (size_t i = 0; recs && ptrs && i < upto; i++) {
		const struct tw_step *s = &p->v[i];
		if (s->recorded || s->action == TW_ACT_USE || s->action == TW_ACT_REMOVE ||
		    (s->action == TW_ACT_CHANGE && s->key.kind == TW_K_ADDR))
			continue;
		recs[n].key = s->key;
		tw_strscpy(recs[n].data, s->data, sizeof(recs[n].data));
		ptrs[n] = &recs[n];
		n++;
	}
	/* Replaced addresses first: their devices may go in the teardown. */
	for (size_t i = upto; i-- > 0;) {
		const struct tw_step *s = &p->v[i];
		if (s->recorded || s->action != TW_ACT_CHANGE || s->key.kind != TW_K_ADDR)
			continue;
		struct tw_key old = s->key;
		tw_strscpy(old.arg, s->data, sizeof(old.arg));
		if (replace_addr(c, s, false, why, sizeof(why)) == 0)
			tw_state_add(st, &old, true, "", p->owner);
	}
	tw_teardown(c, ptrs, n, why, sizeof(why));
	for (size_t i = upto; rep && i-- > 0;) {
		const struct tw_step *s = &p->v[i];
		char desc[320];
		if (i < p->n_early && !s->note[0]) {
			tw_key_format(&s->key, desc, sizeof(desc));
			tw_report_step(rep, '!', &s->key, NULL, desc,
				       "removed first to free its name: not brought back");
			continue;
		}
		if (s->recorded || s->action == TW_ACT_USE || s->action == TW_ACT_REMOVE)
			continue;
		struct tw_step shown = *s;
		if (shown.action != TW_ACT_CHANGE)
			shown.action = TW_ACT_CREATE; /* described as made, not as removed */
		step_desc(&shown, desc, sizeof(desc));
		tw_report_step(rep, '-', &s->key, NULL, desc, "undone");
	}
	if (rep && rep->out)
		fflush(rep->out);
	for (size_t i = upto; i-- > p->n_early;)
		if (!p->v[i].recorded && !(p->v[i].action == TW_ACT_CHANGE && p->v[i].key.kind == TW_K_ATTR))
			tw_state_drop(st, &p->v[i].key, p->owner);
	free(recs);
	free(ptrs);
}

static int apply_step(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p,
		      const struct tw_step *s, char *why, size_t len)
{
	const struct tw_rec *old = tw_state_find(st, &s->key);
	bool was_created = old && old->created;
	struct tw_key gone = s->key;
	int r = 0;
	switch (s->action) {
	case TW_ACT_CREATE:
		r = tw_state_pending(st, &s->key, s->data, p->owner);
		if (r == 0 && (r = tw_kind_ops(s->key.kind)->create(c, s, why, len)) == 0)
			r = tw_state_add(st, &s->key, true, s->data, p->owner);
		break;
	case TW_ACT_SET:
		r = tw_kind_ops(TW_K_ATTR)->create(c, s, why, len);
		if (r == 0)
			r = tw_state_add(st, &s->key, false, s->data, p->owner);
		break;
	case TW_ACT_USE:
		r = tw_state_add(st, &s->key, was_created, s->data, p->owner);
		break;
	case TW_ACT_CHANGE:
		if (s->key.kind != TW_K_ADDR)
			return tw_kind_ops(TW_K_ATTR)->create(c, s, why, len);
		tw_strscpy(gone.arg, s->data, sizeof(gone.arg));
		r = tw_state_pending(st, &s->key, "", p->owner);
		if (r == 0 && (r = replace_addr(c, s, true, why, len)) == 0)
			r = tw_state_add(st, &s->key, true, "", p->owner);
		if (r == 0)
			r = tw_state_drop(st, &gone, p->owner);
		break;
	case TW_ACT_REMOVE:
		break; /* all together, last: remove_all */
	}
	return r;
}

int tw_plan_removals(const struct tw_plan *p, size_t from, size_t to, struct tw_rec **recs,
		     struct tw_rec ***undo)
{
	*recs = calloc(to > from ? to - from : 1, sizeof(**recs));
	*undo = calloc(to > from ? to - from : 1, sizeof(**undo));
	if (!*recs || !*undo) {
		free(*recs);
		free(*undo);
		*recs = NULL;
		*undo = NULL;
		return -ENOMEM;
	}
	int n = 0;
	for (size_t i = from; i < to; i++) {
		const struct tw_step *s = &p->v[i];
		if (s->action != TW_ACT_REMOVE || s->note[0])
			continue; /* kept: only this owner's reference goes */
		(*recs)[n].key = s->key;
		tw_strscpy((*recs)[n].data, s->data, sizeof((*recs)[n].data));
		(*undo)[n] = &(*recs)[n];
		n++;
	}
	return n;
}

/* Steps [from, to): what the owner no longer declares, undone in one
 * teardown, as `down` undoes it: once everything else is in place, or
 * first, for the removals that free a name a creation needs. */
static int remove_all(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p, size_t from,
		      size_t to, const struct tw_apply_opts *o, struct tw_err *e)
{
	if (from >= to)
		return 0;
	for (size_t i = from; o->rep && i < to; i++)
		tw_step_report(o->rep, &p->v[i]);
	struct tw_rec *recs, **undo;
	int n = tw_plan_removals(p, from, to, &recs, &undo);
	if (n < 0)
		return tw_err_set(e, 1, "out of memory");
	char why[256] = "";
	int r = tw_teardown(c, undo, (size_t)n, why, sizeof(why));
	free(recs);
	free(undo);
	if (r < 0)
		return tw_err_set(e, 1, "%s: removing what %s no longer declares: %s", p->owner,
				  p->source[0] ? p->source : "its description", why[0] ? why : strerror(-r));
	for (size_t i = from; i < to; i++)
		tw_state_drop(st, &p->v[i].key, p->owner);
	return 0;
}

int tw_plan_apply(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p,
		  const struct tw_apply_opts *o, struct tw_err *e)
{
	size_t todo = tw_plan_changes(p), done = p->n_early, i;
	/* Nothing is made yet: a failure here leaves nothing to undo. */
	if (remove_all(c, st, p, 0, p->n_early, o, e) < 0)
		return -1;
	for (i = p->n_early; i < p->n && p->v[i].action != TW_ACT_REMOVE; i++) {
		struct tw_step *s = &p->v[i];
		if (s->recorded)
			continue;
		if (o->rep)
			tw_step_report(o->rep, s);
		progress(o, done++, todo, false);
		char why[256] = "";
		int r = apply_step(c, st, p, s, why, sizeof(why));
		if (r < 0) {
			char desc[320], loc[300];
			tw_kind_ops(s->key.kind)->describe(s, desc, sizeof(desc));
			tw_err_set(e, 1, "%s%s: %s", tw_plan_where(p, s->line, loc, sizeof(loc)), desc,
				   why[0] ? why : strerror(-r));
			if (o->progress && todo >= 200)
				fputc('\n', stderr);
			/* The failed step cleaned up after itself; whatever stands
			 * under its name now is not ours. Only its record goes. */
			if (!(s->action == TW_ACT_CHANGE && s->key.kind == TW_K_ATTR))
				tw_state_drop(st, &s->key, p->owner);
			rollback(c, st, p, i, o->rep);
			return -1;
		}
	}
	if (remove_all(c, st, p, i, p->n, o, e) < 0) {
		rollback(c, st, p, i, o->rep);
		return -1;
	}
	if (p->source[0] && tw_state_set_source(st, p->owner, p->source) < 0)
		return tw_err_set(e, 1, "state: %s: cannot record where %s comes from",
				  tw_state_path(st), p->owner);
	progress(o, todo, todo, true);
	if (o->rep && todo)
		summary(o->rep, p, false);
	return 0;
}
