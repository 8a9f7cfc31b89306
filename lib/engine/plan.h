/* Plan, then apply: compare the model with the live kernel, list only the
 * steps that are missing, then take them in order, undoing this run's steps
 * if one fails. */
#ifndef TW_PLAN_H
#define TW_PLAN_H

#include <stdio.h>

#include "core/err.h"
#include "core/model.h"
#include "engine/report.h"
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
	char source[TW_SOURCE_MAX]; /* where net came from, as the state records it */
	struct tw_early *early;     /* converge.c: removals that free a name this plan needs */
	size_t n_early;             /* v[0, n_early): those removals, taken before the rest */
	bool force;                 /* --force: a held tap whose owner changes is made again */
};

/* The plan converges the owner to net: steps to create what is missing
 * (+), change what differs (~), and, last, remove what the owner's records
 * hold and net no longer declares (-); a removal that frees a name a
 * creation needs (a tap become a bridge, a veth end given a new peer)
 * comes first instead. An owner name already on record for
 * another source is refused (exit 2) unless it was given explicitly. */
struct tw_plan_opts {
	bool owner_explicit; /* --owner: the name is the caller's choice, not the file's */
	bool force;          /* --force (plan-owner.c) */
};
int tw_plan_build_opts(struct tw_ctx *c, struct tw_state *st, const struct tw_net *net,
		       const struct tw_plan_opts *po, struct tw_plan *p, struct tw_err *e);
/* The same, with no options. */
int tw_plan_build(struct tw_ctx *c, struct tw_state *st, const struct tw_net *net,
		  struct tw_plan *p, struct tw_err *e);
void tw_plan_free(struct tw_plan *p);
/* plan-needs.c: "lab.xml:7: " for messages about an element of the net
 * planned; the bridges net uses without declaring them must be there. */
const char *tw_plan_where(const struct tw_plan *p, int line, char *buf, size_t len);
int tw_plan_needs(struct tw_ctx *c, struct tw_plan *p, struct tw_err *e);

/* plan-step.c: a step appended to p, recorded when st has it for p's
 * owner; NULL when out of memory. */
struct tw_step *tw_plan_add(struct tw_plan *p, struct tw_state *st, enum tw_action a,
			    enum tw_kind kind, const char *ns, const char *name, const char *arg,
			    const void *spec, int line);
/* Probe s (unless freed: a removal first frees its name, it is absent by
 * then): ABSENT makes it a creation, PRESENT a use. TW_ABSENT/TW_PRESENT,
 * or -1 with e set. */
int tw_plan_probe(struct tw_ctx *c, struct tw_plan *p, struct tw_step *s, bool freed,
		  struct tw_link *live, struct tw_err *e);
/* plan-svc.c: the bridges' services (NAT with IPv4 forwarding, DHCP), after
 * every address; NAT without a way out is bad input (exit 2). Then, for
 * up, one warning line on err per forward chain that would drop a
 * bridge's traffic (engine/forward-drop.h). */
int tw_plan_svc(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e);
void tw_plan_svc_warn(struct tw_ctx *c, const struct tw_plan *p, FILE *err);
/* plan-evpn.c: the settings a vxlan that is there needs for its control=
 * (learning, port-learning, neigh-suppress), into out; their number. */
#define TW_EVPN_SETTINGS 3
struct tw_evpn_setting {
	const char *what, *old, *value;
	bool differs;
};
/* control="evpn" on an Open vSwitch bridge (its bridge= moved to an OVS
 * port): exit 2, FRR serves only a Linux bridge's ports. */
int tw_plan_evpn_on_ovs(const struct tw_plan *p, const struct tw_vxlan_spec *v,
			struct tw_err *e);
size_t tw_plan_evpn(struct tw_ctx *c, struct tw_state *st, const struct tw_vxlan_spec *v,
		    const struct tw_link *live, struct tw_evpn_setting out[TW_EVPN_SETTINGS]);

/* apply.c: steps that change something (the kernel or the record). */
size_t tw_plan_changes(const struct tw_plan *p);

/* One step: "+ create", "~ set", "= use", "- remove" (engine/report.h). */
void tw_step_report(struct tw_report *rep, const struct tw_step *s);
/* What a dry run prints: each step that changes something, then one line,
 * "lab: 2 to create, 1 to change, 1 to remove (dry run)" or "lab: nothing
 * to do (dry run)", so that it never reads as a real run. */
void tw_plan_report(struct tw_report *rep, const struct tw_plan *p, bool dry_run);

/* The records the removal steps among [from, to) undo, as tw_teardown
 * takes them (a kept object, which only loses this owner's reference, has
 * none): *recs holds them, *undo points at each (free() both). Their
 * number, or -ENOMEM. */
int tw_plan_removals(const struct tw_plan *p, size_t from, size_t to, struct tw_rec **recs,
		     struct tw_rec ***undo);

struct tw_apply_opts {
	struct tw_report *rep; /* the steps, or NULL */
	bool progress;         /* a counter on stderr */
};
int tw_plan_apply(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p,
		  const struct tw_apply_opts *o, struct tw_err *e);

#endif
