/* Converging a vxlan's control= (contract sections 5 and 9). The three
 * flags BGP EVPN needs (no learning on the vxlan and on its bridge port,
 * neigh_suppress on the port) are ones the kernel changes in place, so a
 * vxlan that is there gets them as settings: changed (~) on a device
 * tapwire made, recorded and put back at release on one it did not. A
 * vxlan tapwire made that goes back to static remotes gets the kernel's
 * defaults back the same way. What the kernel cannot change in place (a
 * VNI, a default remote) is refused by the kind's probe instead. */
#include "engine/plan.h"

#include <string.h>

static bool made_by_tapwire(struct tw_state *st, const struct tw_vxlan_spec *v)
{
	struct tw_key k;
	memset(&k, 0, sizeof(k));
	k.kind = TW_K_VXLAN;
	tw_strscpy(k.ns, v->ns, sizeof(k.ns));
	tw_strscpy(k.name, v->name, sizeof(k.name));
	const struct tw_rec *r = tw_state_find(st, &k);
	return r && r->created;
}

/* An unknown flag (-1: an old kernel said nothing) reads as its default. */
static const char *flag(int live, int dflt)
{
	return (live < 0 ? dflt : live) ? "1" : "0";
}

size_t tw_plan_evpn(struct tw_ctx *c, struct tw_state *st, const struct tw_vxlan_spec *v,
		    const struct tw_link *live, struct tw_evpn_setting out[TW_EVPN_SETTINGS])
{
	bool evpn = v->control == TW_VXLAN_EVPN;
	/* Static remotes on a device someone else set up: theirs to tune. */
	if (!evpn && (live->vx.learning != 0 || !made_by_tapwire(st, v)))
		return 0;
	const char *want_learn = evpn ? "0" : "1", *want_suppress = evpn ? "1" : "0";
	const char *learn = flag(live->vx.learning, 1);
	const char *port_learn = flag(live->brport.learning, 1);
	const char *suppress = flag(live->brport.neigh_suppress, 0);
	/* A port that changes bridge (a master step before these) comes to
	 * the new one with the kernel's defaults. */
	int br = tw_ctx_is_fresh(c, v->ns) ? -1 : tw_ctx_ifindex(c, v->ns, v->bridge);
	if (br <= 0 || live->master != br)
		port_learn = "1", suppress = "0";
	out[0] = (struct tw_evpn_setting){ "learning", learn, want_learn, strcmp(learn, want_learn) };
	out[1] = (struct tw_evpn_setting){ "port-learning", port_learn, want_learn,
					   strcmp(port_learn, want_learn) };
	out[2] = (struct tw_evpn_setting){ "neigh-suppress", suppress, want_suppress,
					   strcmp(suppress, want_suppress) };
	return TW_EVPN_SETTINGS;
}

int tw_plan_evpn_on_ovs(const struct tw_plan *p, const struct tw_vxlan_spec *v,
			struct tw_err *e)
{
	char loc[300];
	/* The XML reader requires bridge= with control="evpn": an empty one
	 * here is an Open vSwitch bridge's, now an OVS port. */
	if (v->control != TW_VXLAN_EVPN || v->bridge[0])
		return 0;
	return tw_err_set(e, 2, "%s<tw:vxlan> %s: control='evpn' needs a Linux bridge: FRR serves no Open vSwitch port",
			  tw_plan_where(p, v->line, loc, sizeof(loc)), v->name);
}
