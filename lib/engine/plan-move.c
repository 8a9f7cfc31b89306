/* Planning <tw:port move-addresses="yes">: a move step right before the
 * port's own, since the move makes the NIC join the bridge in its middle
 * (kinds/move.c); the port step then finds it done. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/pending.h"
#include "engine/plan.h"
#include "engine/plan-move.h"

int tw_plan_move(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		 const struct tw_port_spec *pt, struct tw_err *e)
{
	char loc[300], desc[200], tail[TW_NSNAME_MAX + IFNAMSIZ + 2];
	struct tw_step *s = tw_plan_add(p, st, TW_ACT_USE, TW_K_MOVE, pt->ns, pt->dev, pt->bridge, pt,
					pt->line);
	if (!s)
		return tw_err_set(e, 1, "out of memory");
	/* What moved is listed beside the state, in the run directory: in
	 * /run, so a reboot forgets it with the rest of the state. */
	snprintf(tail, sizeof(tail), "%s%s%s", pt->ns, pt->ns[0] ? "-" : "", pt->dev);
	if (tw_run_file(tw_state_path(st), "move", tail, s->data, sizeof(s->data)) < 0) {
		tw_kind_ops(TW_K_MOVE)->describe(s, desc, sizeof(desc));
		return tw_err_set(e, 1, "%s%s: the run directory's path is too long (%zu bytes at most)",
				  tw_plan_where(p, pt->line, loc, sizeof(loc)), desc,
				  sizeof(s->data) - 40);
	}
	struct tw_link live;
	return tw_plan_probe(c, p, s, false, &live, e) < 0 ? -1 : 0;
}
