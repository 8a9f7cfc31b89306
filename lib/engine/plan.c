#include "engine/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"
#include "engine/converge.h"
#include "engine/mtu.h"
#include "engine/ovs-ports.h"
#include "engine/plan-int.h"
#include "engine/plan-move.h"
#include "net/ovs.h"

/* ---- MTUs: a new device gets its bridge's, a bridge its VXLANs' */

/* The bridge a device goes on: its bridge=, or the OVS bridge it is a
 * port of. */
static const char *dev_bridge(const struct tw_plan *p, const char *ns, const char *dev,
			      const char *bridge)
{
	for (size_t i = 0; !bridge[0] && !ns[0] && i < p->net->n_ovs_ports; i++)
		if (!strcmp(p->net->ovs_ports[i].dev, dev))
			return p->net->ovs_ports[i].bridge;
	return bridge;
}

/* Each declared bridge's MTU: as declared, else the smallest its VXLANs
 * carry, so the bridge and every port made on it agree with the tunnel
 * (a larger frame would be dropped in it, silently). */
static int plan_bridge_mtus(struct tw_ctx *c, struct tw_plan *p)
{
	p->bridge_mtus = calloc(p->net->n_bridges + 1, sizeof(*p->bridge_mtus));
	if (!p->bridge_mtus)
		return -ENOMEM;
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		struct tw_bridge_mtu *m = &p->bridge_mtus[i];
		m->mtu = b->mtu;
		for (size_t k = 0; !b->mtu && k < p->net->n_vxlans; k++) {
			const struct tw_vxlan_spec *v = &p->net->vxlans[k];
			char note[sizeof(m->note)];
			if (strcmp(v->ns, b->ns) || strcmp(dev_bridge(p, v->ns, v->name, v->bridge), b->name))
				continue;
			unsigned mtu = tw_mtu_vxlan_planned(c, v, note, sizeof(note));
			if (!m->mtu || mtu < m->mtu) {
				m->mtu = mtu;
				tw_strscpy(m->note, note, sizeof(m->note));
			}
		}
	}
	return 0;
}

static const struct tw_bridge_mtu *declared_mtu(const struct tw_plan *p, const char *ns,
						const char *br)
{
	const struct tw_bridge_spec *b = tw_net_find_bridge(p->net, ns, br);
	return b ? &p->bridge_mtus[b - p->net->bridges] : NULL;
}

/* The MTU a new device on bridge should get: the bridge's, as declared (or
 * chosen for its VXLAN) or as it is, so it never drags a jumbo bridge down
 * to 1500. */
static unsigned bridge_mtu(struct tw_ctx *c, struct tw_plan *p, const char *ns, const char *br)
{
	if (!br[0])
		return 0;
	const struct tw_bridge_mtu *m = declared_mtu(p, ns, br);
	if (m && m->mtu)
		return m->mtu;
	if (tw_ctx_is_fresh(c, ns))
		return 0;
	struct tw_nl *nl;
	struct tw_link l;
	if (tw_ctx_nl(c, ns, &nl) == 0 && tw_link_get(nl, br, 0, &l) == 0)
		return l.mtu;
	return 0;
}

/* ---- each kind of the model */

static int plan_namespaces(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
			   struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_namespaces; i++) {
		const struct tw_ns_spec *n = &p->net->namespaces[i];
		struct tw_link unused;
		struct tw_step *s = object(p, st, TW_K_NETNS, n->name, NULL, n, n->line, e);
		int r = s ? plan_object(c, p, st, s, &unused, e) : -1;
		if (r < 0)
			return r;
		if (r == TW_ABSENT)
			tw_ctx_mark_fresh(c, n->name);
	}
	return 0;
}

/* An Open vSwitch bridge's settings are in OVS's database: compared there
 * (the MTU on its device), changed with ovs-vsctl. Its datapath cannot
 * change while it lives: refused. */
static int diff_ovs(struct tw_plan *p, struct tw_state *st, const struct tw_bridge_spec *b,
		    unsigned mtu, const struct tw_link *live, struct tw_err *e)
{
	struct tw_ovs_br_settings o;
	char why[300], loc[300], old[16], val[16];
	if (tw_ovs_bridge_settings(b->name, &o, why, sizeof(why)) < 0)
		return tw_err_set(e, 1, "%sovs-bridge %s: %s", tw_plan_where(p, b->line, loc, sizeof(loc)),
				  b->name, why);
	const char *had = o.datapath[0] ? o.datapath : "system";
	if (b->datapath[0] && strcmp(b->datapath, had))
		return tw_err_set(e, 1, "%sovs-bridge %s: its datapath is %s, the file says %s: Open "
				  "vSwitch cannot change it on a live bridge (remove the bridge first)",
				  tw_plan_where(p, b->line, loc, sizeof(loc)), b->name, had, b->datapath);
	int r = 0;
	if (mtu) {
		snprintf(old, sizeof(old), "%u", live->mtu);
		snprintf(val, sizeof(val), "%u", mtu);
		r = setting(p, st, "", b->name, "ovs-mtu", live->mtu != mtu, old, val, b->line);
	}
	if (r == 0 && b->stp != TW_UNSET && o.stp >= 0)
		r = setting(p, st, "", b->name, "ovs-stp", o.stp != b->stp, o.stp ? "1" : "0",
			    b->stp ? "1" : "0", b->line);
	return r < 0 ? tw_err_set(e, 1, "out of memory") : 0;
}

static int plan_bridges(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
			struct tw_err *e)
{
	/* An OVS bridge has no namespace=: the XML reader refuses one, and
	 * policy bridges (the hook's) are Linux bridges. */
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		bool ovs = b->type == TW_BRIDGE_OVS;
		const struct tw_bridge_mtu *m = &p->bridge_mtus[i];
		struct tw_link live;
		struct tw_step *s = object(p, st, ovs ? TW_K_OVSBR : TW_K_BRIDGE, b->ns, b->name, b,
					   b->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		s->mtu = m->mtu;
		tw_strscpy(s->note, m->note, sizeof(s->note));
		if (r == TW_PRESENT && ovs && diff_ovs(p, st, b, m->mtu, &live, e) < 0)
			return -1;
		if (r == TW_PRESENT && !ovs) {
			struct want w = { .mtu = m->mtu, .mac = b->has_mac ? b->mac : NULL,
					  .stp = b->stp == TW_UNSET ? -1 : b->stp };
			if (diff_dev(c, p, st, b->ns, b->name, &live, &w, b->line) < 0)
				return tw_err_set(e, 1, "out of memory");
		}
		if (plan_addrs(c, p, st, b->ns, b->name, &b->addrs, r == TW_PRESENT ? &live : NULL,
			       b->line, e) < 0)
			return -1;
	}
	return 0;
}

static int plan_vxlans(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		       struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_vxlans; i++) {
		const struct tw_vxlan_spec *v = &p->net->vxlans[i];
		if (tw_plan_evpn_on_ovs(p, v, e) < 0)
			return -1;
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_VXLAN, v->ns, v->name, v, v->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		const char *br = dev_bridge(p, v->ns, v->name, v->bridge);
		s->mtu = v->mtu ? v->mtu : bridge_mtu(c, p, v->ns, br);
		if (!s->mtu)
			s->mtu = tw_mtu_vxlan_planned(c, v, s->note, sizeof(s->note));
		else if (!v->mtu && declared_mtu(p, v->ns, br))
			tw_strscpy(s->note, declared_mtu(p, v->ns, br)->note, sizeof(s->note));
		if (r == TW_PRESENT) {
			struct want w = { .mtu = v->mtu, .master = v->bridge[0] ? v->bridge : NULL,
					  .stp = -1 };
			struct tw_evpn_setting ev[TW_EVPN_SETTINGS];
			size_t n_ev = tw_plan_evpn(c, st, v, &live, ev);
			int d = diff_dev(c, p, st, v->ns, v->name, &live, &w, v->line);
			for (size_t k = 0; d == 0 && k < n_ev; k++)
				d = setting(p, st, v->ns, v->name, ev[k].what, ev[k].differs,
					    ev[k].old, ev[k].value, v->line);
			if (d < 0)
				return tw_err_set(e, 1, "out of memory");
		}
		for (size_t k = 0; k < v->n_remotes; k++) {
			char ip[TW_CIDR_STRLEN];
			tw_cidr_format(&v->remotes[k], ip, sizeof(ip));
			*strchr(ip, '/') = 0;
			struct tw_step *f = add_step(p, st, TW_ACT_CREATE, TW_K_FDB, v->ns, v->name, ip,
						     v, v->line);
			if (!f)
				return tw_err_set(e, 1, "out of memory");
			if (f->recorded && r == TW_PRESENT)
				f->action = TW_ACT_USE;
			else
				f->recorded = false;
		}
	}
	return 0;
}

/* Put the end that joins a bridge first: it can join in the creating
 * message, the other end needs a second one. */
static int normalize_veths(struct tw_plan *p)
{
	if (!p->net->n_veths)
		return 0;
	p->veths = malloc(p->net->n_veths * sizeof(*p->veths));
	if (!p->veths)
		return -ENOMEM;
	for (size_t i = 0; i < p->net->n_veths; i++) {
		p->veths[i] = p->net->veths[i];
		if (!p->veths[i].end[0].bridge[0] && p->veths[i].end[1].bridge[0]) {
			struct tw_veth_end t = p->veths[i].end[0];
			p->veths[i].end[0] = p->veths[i].end[1];
			p->veths[i].end[1] = t;
		}
	}
	return 0;
}

static int plan_veths(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		      struct tw_err *e)
{
	if (normalize_veths(p) < 0)
		return tw_err_set(e, 1, "out of memory");
	for (size_t i = 0; i < p->net->n_veths; i++) {
		const struct tw_veth_spec *v = &p->veths[i];
		const struct tw_veth_end *a = &v->end[0], *b = &v->end[1];
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_VETH, a->ns, a->name, v, v->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		/* At most 63 + 1 + 15 bytes: the bounds say so to the compiler too. */
		snprintf(s->data, sizeof(s->data), "%.*s/%.*s", TW_NSNAME_MAX - 1, b->ns, IFNAMSIZ - 1,
			 b->name);
		s->mtu = bridge_mtu(c, p, a->ns, dev_bridge(p, a->ns, a->name, a->bridge));
		if (!s->mtu)
			s->mtu = bridge_mtu(c, p, b->ns, dev_bridge(p, b->ns, b->name, b->bridge));
		struct tw_link live_b;
		bool present = r == TW_PRESENT;
		for (int k = 0; present && k < 2; k++) {
			const struct tw_veth_end *end = &v->end[k];
			char why[200];
			struct tw_link *l = k == 0 ? &live : &live_b;
			if (k == 1 && tw_dev_probe(c, b->ns, b->name, "veth", l, why, sizeof(why)) != TW_PRESENT)
				return tw_err_set(e, 1, "veth %s: %s", b->name, why);
			struct want w = { .mtu = end->mtu, .master = end->bridge[0] ? end->bridge : NULL,
					  .mac = end->has_mac ? end->mac : NULL, .stp = -1 };
			if (diff_dev(c, p, st, end->ns, end->name, l, &w, v->line) < 0)
				return tw_err_set(e, 1, "out of memory");
		}
		if (plan_addrs(c, p, st, a->ns, a->name, &a->addrs, present ? &live : NULL, a->line, e) < 0 ||
		    plan_addrs(c, p, st, b->ns, b->name, &b->addrs, present ? &live_b : NULL, b->line, e) < 0)
			return -1;
	}
	return 0;
}

static int plan_taps(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e)
{
	char loc[300];
	for (size_t i = 0; i < p->net->n_taps; i++) {
		const struct tw_tap_spec *t = &p->net->taps[i];
		/* Looked up once, here: the tap kind uses what the plan found. */
		uid_t uid = (uid_t)-1;
		gid_t gid = (gid_t)-1;
		if (t->owner[0] && tw_lookup_uid(t->owner, &uid) < 0)
			return tw_err_set(e, 2, "%stap %s: unknown user '%s'",
					  tw_plan_where(p, t->line, loc, sizeof(loc)), t->name, t->owner);
		if (t->group[0] && tw_lookup_gid(t->group, &gid) < 0)
			return tw_err_set(e, 2, "%stap %s: unknown group '%s'",
					  tw_plan_where(p, t->line, loc, sizeof(loc)), t->name, t->group);
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_TAP, t->ns, t->name, t, t->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		s->uid = uid;
		s->gid = gid;
		s->mtu = t->mtu ? t->mtu : bridge_mtu(c, p, t->ns, dev_bridge(p, t->ns, t->name, t->bridge));
		uint8_t mac[TW_MAC_LEN];
		if (t->has_mac)
			tw_mac_host_side(t->mac, mac);
		if (r == TW_PRESENT) {
			struct want w = { .mtu = t->mtu, .master = t->bridge[0] ? t->bridge : NULL,
					  .mac = t->has_mac ? mac : NULL, .stp = -1 };
			if (tw_plan_owner(c, p, st, s, &live, e) < 0)
				return -1;
			if (diff_dev(c, p, st, t->ns, t->name, &live, &w, t->line) < 0)
				return tw_err_set(e, 1, "out of memory");
		}
		if (plan_addrs(c, p, st, t->ns, t->name, &t->addrs, r == TW_PRESENT ? &live : NULL,
			       t->line, e) < 0)
			return -1;
	}
	return 0;
}

static int plan_ports(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_ports; i++) {
		const struct tw_port_spec *pt = &p->net->ports[i];
		struct tw_link live;
		if (pt->move_addresses && tw_plan_move(c, p, st, pt, e) < 0)
			return -1;
		struct tw_step *s = object(p, st, TW_K_PORT, pt->ns, pt->dev, pt, pt->line, e);
		if (!s)
			return -1;
		tw_strscpy(s->data, pt->bridge, sizeof(s->data));
		if (plan_object(c, p, st, s, &live, e) < 0)
			return -1;
		/* The port record undoes the enslaving only; bringing the
		 * device up is a setting of its own, put back on release. */
		if (setting(p, st, pt->ns, pt->dev, "up", !(live.flags & IFF_UP), "0", "1", pt->line) < 0)
			return tw_err_set(e, 1, "out of memory");
	}
	return 0;
}

static int plan_ovs_ports(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
			  struct tw_err *e)
{
	char loc[300];
	for (size_t i = 0; i < p->net->n_ovs_ports; i++) {
		const struct tw_ovs_port_spec *o = &p->net->ovs_ports[i];
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_OVSPORT, "", o->dev, o, o->line, e);
		if (!s)
			return -1;
		tw_strscpy(s->data, o->bridge, sizeof(s->data));
		if (plan_object(c, p, st, s, &live, e) < 0)
			return -1;
		if (!o->existing)
			continue;
		/* A device that was there: as for a <tw:port> on a Linux bridge. */
		char why[200];
		int r = tw_dev_probe(c, "", o->dev, NULL, &live, why, sizeof(why));
		if (r == TW_ABSENT)
			return tw_err_set(e, 1, "%sovs-port %s on %s: no such device",
					  tw_plan_where(p, o->line, loc, sizeof(loc)), o->dev, o->bridge);
		if (r < 0)
			return tw_err_set(e, 1, "%sovs-port %s on %s: %s", tw_plan_where(p, o->line, loc, sizeof(loc)),
					  o->dev, o->bridge, why);
		if (setting(p, st, "", o->dev, "up", !(live.flags & IFF_UP), "0", "1", o->line) < 0)
			return tw_err_set(e, 1, "out of memory");
	}
	return 0;
}

int tw_plan_build(struct tw_ctx *c, struct tw_state *st, const struct tw_net *net,
		  struct tw_plan *p, struct tw_err *e)
{
	return tw_plan_build_opts(c, st, net, NULL, p, e);
}

int tw_plan_build_opts(struct tw_ctx *c, struct tw_state *st, const struct tw_net *net,
		       const struct tw_plan_opts *po, struct tw_plan *p, struct tw_err *e)
{
	memset(p, 0, sizeof(*p));
	if (tw_converge_source(st, net, po && po->owner_explicit, p, e) < 0)
		return -1;
	p->own = tw_net_clone(net);
	if (!p->own || tw_ovs_ports_split(p->own) < 0)
		return tw_err_set(e, 1, "out of memory");
	p->net = net = p->own;
	/* net->owner is valid: the XML reader checks a <tw:net> name and a
	 * domain name, tw_iface_net makes "iface:MAC" or "iface:DEV". */
	tw_strscpy(p->owner, net->owner, sizeof(p->owner));
	p->force = po && po->force;
	if (tw_converge_early(st, p) < 0)
		return tw_err_set(e, 1, "out of memory");
	/* Kinds in the order they must exist in: a veth needs its namespaces
	 * and bridges, an address its device. */
	if (plan_namespaces(c, p, st, e) < 0)
		return -1;
	if (plan_bridge_mtus(c, p) < 0)
		return tw_err_set(e, 1, "out of memory");
	if (plan_bridges(c, p, st, e) < 0 ||
	    tw_plan_needs(c, p, e) < 0 || plan_vxlans(c, p, st, e) < 0 ||
	    plan_veths(c, p, st, e) < 0 || plan_taps(c, p, st, e) < 0 ||
	    tw_plan_devices(c, p, st, e) < 0 ||
	    plan_ports(c, p, st, e) < 0 || plan_ovs_ports(c, p, st, e) < 0)
		return -1;
	/* Settings go after every device exists (a master may be new), and
	 * addresses last (their devices are up by then). */
	size_t n = 0;
	struct tw_step *sorted = malloc(p->n * sizeof(*sorted) + 1);
	if (!sorted)
		return tw_err_set(e, 1, "out of memory");
	const enum tw_kind late[] = { TW_K_ATTR, TW_K_ADDR, TW_K_FDB };
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].key.kind != TW_K_ATTR && p->v[i].key.kind != TW_K_ADDR &&
		    p->v[i].key.kind != TW_K_FDB)
			sorted[n++] = p->v[i];
	for (size_t k = 0; k < TW_ARRAY_SIZE(late); k++)
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].key.kind == late[k])
				sorted[n++] = p->v[i];
	free(p->v);
	p->v = sorted;
	p->cap = p->n;
	if (tw_plan_svc(c, p, st, e) < 0) /* NAT, forwarding, DHCP: after the addresses */
		return -1;
	return tw_converge_plan(st, p, e);
}

void tw_plan_free(struct tw_plan *p)
{
	free(p->v);
	free(p->veths);
	free(p->bridge_mtus);
	tw_converge_free(p);
	tw_net_free(p->own);
	memset(p, 0, sizeof(*p));
}
