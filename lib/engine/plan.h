/* Plan, then apply: compare the model with the live kernel, list only the
 * steps that are missing, then take them in order, undoing this run's steps
 * if one fails. */
#ifndef TW_PLAN_H
#define TW_PLAN_H

#include <stdio.h>

#include "core/err.h"
#include "core/model.h"
#include "engine/state.h"
#include "kinds/ctx.h"
#include "kinds/kind.h"

struct tw_plan {
	const struct tw_net *net;   /* own, as the planner reads it */
	struct tw_net *own;         /* a copy: devices on Open vSwitch bridges become OVS ports */
	char owner[TW_OWNER_MAX];
	struct tw_step *v;
	size_t n, cap;
	struct tw_veth_spec *veths; /* copies with the bridged end first */
	struct tw_bridge_mtu {      /* one per net->bridges[i] */
		unsigned mtu;       /* as declared, or chosen for a VXLAN on it; 0: the kernel's */
		char note[112];     /* how it was chosen, "" when declared */
	} *bridge_mtus;
};

int tw_plan_build(struct tw_ctx *c, struct tw_state *st, const struct tw_net *net,
		  struct tw_plan *p, struct tw_err *e);
void tw_plan_free(struct tw_plan *p);
/* "lab.xml:7: " for messages about an element of the net planned. */
const char *tw_plan_where(const struct tw_plan *p, int line, char *buf, size_t len);

/* apply.c: steps that change something (the kernel or the record). */
size_t tw_plan_changes(const struct tw_plan *p);

/* One line per step: "+ create", "~ set", "= use". */
void tw_step_print(FILE *out, const struct tw_step *s, const char *prefix);

struct tw_apply_opts {
	FILE *out;      /* step lines, or NULL */
	bool progress;  /* a counter on stderr */
};
int tw_plan_apply(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p,
		  const struct tw_apply_opts *o, struct tw_err *e);

#endif
