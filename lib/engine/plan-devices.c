/* Planning the seed's other devices: tuns, macvlans and macvtaps. Each is
 * probed like a tap; a macvlan's lower device must be declared where
 * tapwire runs or exist there, and a tun's point-to-point address is one
 * address step with its peer in the key. */
#include "engine/plan-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"

static int ids(struct tw_plan *p, const char *what, const char *name, const char *owner,
	       const char *group, int line, struct tw_step *s, struct tw_err *e)
{
	char loc[300];
	s->uid = (uid_t)-1;
	s->gid = (gid_t)-1;
	if (owner[0] && tw_lookup_uid(owner, &s->uid) < 0)
		return tw_err_set(e, 2, "%s%s %s: unknown user '%s'",
				  tw_plan_where(p, line, loc, sizeof(loc)), what, name, owner);
	if (group[0] && tw_lookup_gid(group, &s->gid) < 0)
		return tw_err_set(e, 2, "%s%s %s: unknown group '%s'",
				  tw_plan_where(p, line, loc, sizeof(loc)), what, name, group);
	return 0;
}

/* A tun's address with its peer: "10.9.0.1/32 peer 10.9.0.2". It is there
 * when the device has the local address (the list reads IFA_LOCAL). */
static int plan_peer_addr(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
			  const struct tw_tun_spec *t, const struct tw_link *live, struct tw_err *e)
{
	char local[TW_CIDR_STRLEN], peer[TW_CIDR_STRLEN], arg[2 * TW_CIDR_STRLEN + 8];
	tw_cidr_format(&t->addrs.v[0], local, sizeof(local));
	tw_cidr_format(&t->peer, peer, sizeof(peer));
	*strchr(peer, '/') = 0;
	snprintf(arg, sizeof(arg), "%s peer %s", local, peer);
	bool present = false;
	if (live) {
		struct tw_cidr *have = NULL;
		size_t n = 0;
		struct tw_nl *nl;
		int r = tw_ctx_nl(c, t->ns, &nl);
		if (r == 0)
			r = tw_addr_list(nl, live->ifindex, &have, &n);
		if (r < 0)
			return tw_err_set(e, 1, "cannot list the addresses of %s: %s", t->name, strerror(-r));
		for (size_t i = 0; i < n && !present; i++)
			present = tw_cidr_equal(&have[i], &t->addrs.v[0]);
		free(have);
	}
	struct tw_step *s = add_step(p, st, present ? TW_ACT_USE : TW_ACT_CREATE, TW_K_ADDR, t->ns,
				     t->name, arg, NULL, t->line);
	if (!s)
		return tw_err_set(e, 1, "out of memory");
	if (!present)
		s->recorded = false;
	return 0;
}

static int plan_tuns(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_tuns; i++) {
		const struct tw_tun_spec *t = &p->net->tuns[i];
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_TUN, t->ns, t->name, t, t->line, e);
		if (!s || ids(p, "tun", t->name, t->owner, t->group, t->line, s, e) < 0)
			return -1;
		int r = plan_object(c, p, st, s, &live, e);
		if (r < 0)
			return r;
		s->mtu = t->mtu;
		if (r == TW_PRESENT) {
			struct want w = { .mtu = t->mtu, .stp = -1 };
			if (tw_plan_owner(c, p, st, s, &live, e) < 0)
				return -1;
			if (diff_dev(c, p, st, t->ns, t->name, &live, &w, t->line) < 0)
				return tw_err_set(e, 1, "out of memory");
		}
		const struct tw_link *l = r == TW_PRESENT ? &live : NULL;
		if (t->has_peer ? plan_peer_addr(c, p, st, t, l, e) < 0
				: plan_addrs(c, p, st, t->ns, t->name, &t->addrs, l, t->line, e) < 0)
			return -1;
	}
	return 0;
}

/* Declared where tapwire runs by this file, as an Ethernet device. */
static bool declared_here(const struct tw_net *net, const char *dev)
{
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!net->bridges[i].ns[0] && !strcmp(net->bridges[i].name, dev))
			return true;
	for (size_t i = 0; i < 2 * net->n_veths; i++) {
		const struct tw_veth_end *v = &net->veths[i / 2].end[i % 2];
		if (!v->ns[0] && !strcmp(v->name, dev))
			return true;
	}
	for (size_t i = 0; i < net->n_taps; i++)
		if (!net->taps[i].ns[0] && !strcmp(net->taps[i].name, dev))
			return true;
	for (size_t i = 0; i < net->n_vxlans; i++)
		if (!net->vxlans[i].ns[0] && !strcmp(net->vxlans[i].name, dev))
			return true;
	return false;
}

static int lower_exists(struct tw_ctx *c, struct tw_plan *p, const struct tw_macvlan_spec *m,
			struct tw_err *e)
{
	if (declared_here(p->net, m->dev))
		return 0;
	char loc[300];
	struct tw_nl *nl;
	struct tw_link l;
	int r = tw_ctx_nl(c, "", &nl);
	if (r == 0)
		r = tw_link_get(nl, m->dev, 0, &l);
	if (r == -ENODEV)
		return tw_err_set(e, 1, "%s%s %s: lower device %s does not exist where tapwire runs",
				  tw_plan_where(p, m->line, loc, sizeof(loc)),
				  m->tap ? "macvtap" : "macvlan", m->name, m->dev);
	if (r < 0)
		return tw_err_set(e, 1, "%s%s %s: lower device %s: %s",
				  tw_plan_where(p, m->line, loc, sizeof(loc)),
				  m->tap ? "macvtap" : "macvlan", m->name, m->dev, strerror(-r));
	return 0;
}

static int plan_macvlans(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
			 struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_macvlans; i++) {
		const struct tw_macvlan_spec *m = &p->net->macvlans[i];
		const char *what = m->tap ? "macvtap" : "macvlan";
		struct tw_link live;
		if (lower_exists(c, p, m, e) < 0)
			return -1;
		struct tw_step *s = object(p, st, m->tap ? TW_K_MACVTAP : TW_K_MACVLAN, m->ns, m->name,
					   m, m->line, e);
		if (!s || ids(p, what, m->name, m->owner, m->group, m->line, s, e) < 0)
			return -1;
		/* On record: a lower device another owner removes must not take
		 * this one with it (teardown.c). */
		tw_strscpy(s->data, m->dev, sizeof(s->data));
		int r = plan_object(c, p, st, s, &live, e);
		if (r < 0)
			return r;
		s->mtu = m->mtu;
		if (r == TW_PRESENT) {
			struct want w = { .mtu = m->mtu, .mac = m->has_mac ? m->mac : NULL, .stp = -1 };
			if (m->tap && tw_plan_owner(c, p, st, s, &live, e) < 0)
				return -1;
			if (diff_dev(c, p, st, m->ns, m->name, &live, &w, m->line) < 0)
				return tw_err_set(e, 1, "out of memory");
		}
		if (plan_addrs(c, p, st, m->ns, m->name, &m->addrs, r == TW_PRESENT ? &live : NULL,
			       m->line, e) < 0)
			return -1;
	}
	return 0;
}

int tw_plan_devices(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e)
{
	if (plan_tuns(c, p, st, e) < 0)
		return -1;
	return plan_macvlans(c, p, st, e);
}
