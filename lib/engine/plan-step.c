/* A plan's steps as every planner adds them (plan.c, plan-svc.c): appended
 * with whether the owner is on record for them, and probed against the
 * kernel to become a creation or a use. */
#include "engine/plan.h"

#include <errno.h>
#include <string.h>

struct tw_step *tw_plan_add(struct tw_plan *p, struct tw_state *st, enum tw_action a,
			    enum tw_kind kind, const char *ns, const char *name, const char *arg,
			    const void *spec, int line)
{
	struct tw_step *v = tw_grow(p->v, &p->cap, p->n + 1, sizeof(*v));
	if (!v)
		return NULL;
	p->v = v;
	struct tw_step *s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->action = a;
	s->key.kind = kind;
	tw_strscpy(s->key.ns, ns ? ns : "", sizeof(s->key.ns));
	tw_strscpy(s->key.name, name ? name : "", sizeof(s->key.name));
	tw_strscpy(s->key.arg, arg ? arg : "", sizeof(s->key.arg));
	s->spec = spec;
	s->line = line;
	const struct tw_rec *r = tw_state_find(st, &s->key);
	s->recorded = r && tw_rec_has_owner(r, p->owner) && !r->pending;
	if (r && kind == TW_K_ATTR)
		tw_strscpy(s->data, r->data, sizeof(s->data)); /* keep the first old value */
	return s;
}

int tw_plan_probe(struct tw_ctx *c, struct tw_plan *p, struct tw_step *s, bool freed,
		  struct tw_link *live, struct tw_err *e)
{
	const struct tw_kind_ops *ops = tw_kind_ops(s->key.kind);
	char why[256] = "", desc[256], loc[300];
	int r = freed ? TW_ABSENT : ops->probe(c, s, live, why, sizeof(why));
	if (r < 0) {
		ops->describe(s, desc, sizeof(desc));
		return tw_err_set(e, 1, "%s%s: %s", tw_plan_where(p, s->line, loc, sizeof(loc)), desc,
				  why[0] ? why : strerror(-r));
	}
	s->action = r == TW_ABSENT ? TW_ACT_CREATE : TW_ACT_USE;
	if (r == TW_ABSENT)
		s->recorded = false;
	return r;
}
