/* Shared by the planner's files (plan.c, plan-devices.c): the steps every
 * kind is planned with (plan-steps.c). The macros give them the planner's
 * prefix in the library without renaming them at their call sites. */
#ifndef TW_PLAN_INT_H
#define TW_PLAN_INT_H

#include "engine/plan.h"

#define add_step tw_plan_add /* plan-step.c, plan.h */
#define object tw_plan_object_step
#define plan_object tw_plan_probe_step
#define diff_dev tw_plan_diff_dev
#define plan_addrs tw_plan_addrs
#define setting tw_plan_setting

/* What a present device must look like. */
struct want {
	unsigned mtu;       /* 0: any */
	const char *master; /* NULL: any */
	const uint8_t *mac; /* NULL: any */
	int stp;            /* -1: any */
};

/* A step for one object, its action decided by plan_object. */
struct tw_step *object(struct tw_plan *p, struct tw_state *st, enum tw_kind kind,
		       const char *ns, const char *name, const void *spec, int line,
		       struct tw_err *e);
/* Probe it (tw_plan_probe, freed when a removal of this plan frees its
 * name): TW_ABSENT (a creation), TW_PRESENT (a use, live filled in), or
 * -1 with e set. */
int plan_object(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_step *s,
		struct tw_link *live, struct tw_err *e);
/* Settings (mtu, mac, master, up) of a present device that differ. */
int diff_dev(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
	     const char *dev, const struct tw_link *live, const struct want *w, int line);
/* Address steps for a device (live: NULL when it is new). */
int plan_addrs(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
	       const char *dev, const struct tw_addrs *a, const struct tw_link *live, int line,
	       struct tw_err *e);
int setting(struct tw_plan *p, struct tw_state *st, const char *ns, const char *dev,
	    const char *what, bool differs, const char *old, const char *value, int line);

/* plan-devices.c: tuns, macvlans and macvtaps. */
int tw_plan_devices(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e);
/* plan-owner.c: a changed owner=/group= of a tun, tap or macvtap that is
 * there (dev's uid and gid looked up): a change step, on one tapwire made. */
int tw_plan_owner(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_step *dev,
		  const struct tw_link *live, struct tw_err *e);

#endif
