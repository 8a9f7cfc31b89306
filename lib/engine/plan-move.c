/* Planning <tw:port move-addresses="yes">: a move step right before the
 * port's own, since the move makes the NIC join the bridge in its middle
 * (kinds/move.c); the port step then finds it done. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/plan.h"
#include "engine/pending.h"
#include "engine/plan-move.h"

int tw_plan_move(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		 const struct tw_port_spec *pt, struct tw_err *e)
{
	char loc[300], why[256] = "", desc[200];
	struct tw_step *v = tw_grow(p->v, &p->cap, p->n + 1, sizeof(*v));
	if (!v)
		return tw_err_set(e, 1, "out of memory");
	p->v = v;
	struct tw_step *s = &v[p->n];
	memset(s, 0, sizeof(*s));
	s->key.kind = TW_K_MOVE;
	tw_strscpy(s->key.ns, pt->ns, sizeof(s->key.ns));
	tw_strscpy(s->key.name, pt->dev, sizeof(s->key.name));
	tw_strscpy(s->key.arg, pt->bridge, sizeof(s->key.arg));
	s->spec = pt;
	s->line = pt->line;
	const struct tw_kind_ops *ops = tw_kind_ops(TW_K_MOVE);
	/* What moved is listed beside the state, in the run directory: in
	 * /run, so a reboot forgets it with the rest of the state. */
	char tail[TW_NSNAME_MAX + IFNAMSIZ + 2];
	snprintf(tail, sizeof(tail), "%s%s%s", pt->ns, pt->ns[0] ? "-" : "", pt->dev);
	ops->describe(s, desc, sizeof(desc));
	if (tw_run_file(tw_state_path(st), "move", tail, s->data, sizeof(s->data)) < 0)
		return tw_err_set(e, 1, "%s%s: the run directory's path is too long (%zu bytes at most)",
				  tw_plan_where(p, pt->line, loc, sizeof(loc)), desc,
				  sizeof(s->data) - 40);
	struct tw_link live;
	int r = ops->probe(c, s, &live, why, sizeof(why));
	if (r < 0)
		return tw_err_set(e, 1, "%s%s: %s", tw_plan_where(p, pt->line, loc, sizeof(loc)), desc,
				  why[0] ? why : strerror(-r));
	const struct tw_rec *rec = tw_state_find(st, &s->key);
	s->action = r == TW_PRESENT ? TW_ACT_USE : TW_ACT_CREATE;
	s->recorded = r == TW_PRESENT && rec && tw_rec_has_owner(rec, p->owner) && !rec->pending;
	p->n++;
	return 0;
}
