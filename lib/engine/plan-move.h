/* Planning a port's move of addresses and routes (plan-move.c). */
#ifndef TW_ENGINE_PLAN_MOVE_H
#define TW_ENGINE_PLAN_MOVE_H

#include "engine/plan.h"

/* The move step of port pt, probed: created, or used when done already. */
int tw_plan_move(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		 const struct tw_port_spec *pt, struct tw_err *e);

#endif
