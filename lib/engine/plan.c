#include "engine/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/addr.h"
#include "net/ovs.h"
#include "engine/teardown.h"

/* "lab.xml:7: " for messages about an element. */
static const char *where(const struct tw_plan *p, int line, char *buf, size_t len)
{
	if (p->net->source[0] && line > 0)
		snprintf(buf, len, "%s:%d: ", p->net->source, line);
	else if (p->net->source[0])
		snprintf(buf, len, "%s: ", p->net->source);
	else
		buf[0] = 0;
	return buf;
}

static struct tw_step *add_step(struct tw_plan *p, struct tw_state *st, enum tw_action a,
				enum tw_kind kind, const char *ns, const char *name,
				const char *arg, const void *spec, int line)
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

/* ---- devices: compare what is there with what is wanted */

struct want {
	unsigned mtu;       /* 0: any */
	const char *master; /* NULL: any */
	const uint8_t *mac; /* NULL: any */
	int stp;            /* -1: any */
};

static int want_attr(struct tw_plan *p, struct tw_state *st, const char *ns, const char *dev,
		     const char *what, const char *old, const char *value, int line)
{
	struct tw_step *s = add_step(p, st, TW_ACT_SET, TW_K_ATTR, ns, dev, what, NULL, line);
	if (!s)
		return -ENOMEM;
	if (!s->data[0])
		tw_strscpy(s->data, old, sizeof(s->data));
	tw_strscpy(s->value, value, sizeof(s->value));
	s->recorded = false; /* the kernel differs: it is a change again */
	return 0;
}

/* A setting this owner wants on a device that was there. When the kernel
 * differs, change it. When it is as wanted already because another owner
 * changed it, share that owner's record: the old value must come back
 * only when the last owner that needs the new one is gone, not under an
 * owner that still uses the device. */
static int setting(struct tw_plan *p, struct tw_state *st, const char *ns, const char *dev,
		   const char *what, bool differs, const char *old, const char *value, int line)
{
	if (differs)
		return want_attr(p, st, ns, dev, what, old, value, line);
	struct tw_key k;
	memset(&k, 0, sizeof(k));
	k.kind = TW_K_ATTR;
	tw_strscpy(k.ns, ns, sizeof(k.ns));
	tw_strscpy(k.name, dev, sizeof(k.name));
	tw_strscpy(k.arg, what, sizeof(k.arg));
	if (!tw_state_find(st, &k))
		return 0;
	struct tw_step *s = add_step(p, st, TW_ACT_USE, TW_K_ATTR, ns, dev, what, NULL, line);
	if (!s)
		return -ENOMEM;
	tw_strscpy(s->value, value, sizeof(s->value));
	return 0;
}

static int diff_dev(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
		    const char *dev, const struct tw_link *live, const struct want *w, int line)
{
	char old[64], val[64];
	int r = 0;
	if (w->mtu) {
		snprintf(old, sizeof(old), "%u", live->mtu);
		snprintf(val, sizeof(val), "%u", w->mtu);
		r = setting(p, st, ns, dev, "mtu", live->mtu != w->mtu, old, val, line);
	}
	if (r == 0 && w->mac) {
		tw_mac_format(live->mac, old);
		tw_mac_format(w->mac, val);
		r = setting(p, st, ns, dev, "mac", memcmp(live->mac, w->mac, TW_MAC_LEN), old, val, line);
	}
	if (r == 0 && w->stp >= 0 && live->stp >= 0)
		r = setting(p, st, ns, dev, "stp", live->stp != w->stp, live->stp ? "1" : "0",
			    w->stp ? "1" : "0", line);
	if (r == 0 && w->master) {
		int br = tw_ctx_is_fresh(c, ns) ? -ENODEV : tw_ctx_ifindex(c, ns, w->master);
		bool differs = br <= 0 || live->master != br;
		struct tw_link m;
		struct tw_nl *nl;
		old[0] = 0;
		if (differs && live->master && tw_ctx_nl(c, ns, &nl) == 0 &&
		    tw_link_get(nl, NULL, live->master, &m) == 0)
			tw_strscpy(old, m.name, sizeof(old));
		r = setting(p, st, ns, dev, "master", differs, old, w->master, line);
	}
	if (r == 0)
		r = setting(p, st, ns, dev, "up", !(live->flags & IFF_UP), "0", "1", line);
	return r;
}

/* Probe one object; on ABSENT plan its creation, on PRESENT its use.
 * Returns TW_ABSENT/TW_PRESENT, or -1 with e set. */
static int plan_object(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		       struct tw_step *s, struct tw_link *live, struct tw_err *e)
{
	const struct tw_kind_ops *ops = tw_kind_ops(s->key.kind);
	char why[256] = "", desc[256], loc[300];
	int r = ops->probe(c, s, live, why, sizeof(why));
	if (r < 0) {
		ops->describe(s, desc, sizeof(desc));
		return tw_err_set(e, 1, "%s%s: %s", where(p, s->line, loc, sizeof(loc)), desc,
				  why[0] ? why : strerror(-r));
	}
	s->action = r == TW_ABSENT ? TW_ACT_CREATE : TW_ACT_USE;
	if (r == TW_ABSENT)
		s->recorded = false;
	return r;
}

static struct tw_step *object(struct tw_plan *p, struct tw_state *st, enum tw_kind kind,
			      const char *ns, const char *name, const void *spec, int line,
			      struct tw_err *e)
{
	struct tw_step *s = add_step(p, st, TW_ACT_USE, kind, ns, name, NULL, spec, line);
	if (!s)
		tw_err_set(e, 1, "out of memory");
	return s;
}

/* ---- Open vSwitch: its bridges take ports through OVS, not the kernel */

static bool is_ovs(const struct tw_net *n, const char *ns, const char *br)
{
	const struct tw_bridge_spec *b = br[0] ? tw_net_find_bridge(n, ns, br) : NULL;
	return b && b->type == TW_BRIDGE_OVS;
}

static int add_ovs_port(struct tw_net *n, const char *dev, const char *bridge, bool existing,
			int line)
{
	struct tw_ovs_port_spec *v = realloc(n->ovs_ports, (n->n_ovs_ports + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n->ovs_ports = v;
	struct tw_ovs_port_spec *o = &v[n->n_ovs_ports++];
	memset(o, 0, sizeof(*o));
	tw_strscpy(o->dev, dev, sizeof(o->dev));
	tw_strscpy(o->bridge, bridge, sizeof(o->bridge));
	o->existing = existing;
	o->line = line;
	return 0;
}

/* A device whose bridge= is an OVS bridge is made without a master and
 * joins through an OVS port instead. */
static int to_ovs(struct tw_net *n, const char *ns, const char *dev, char *bridge, int line)
{
	if (!is_ovs(n, ns, bridge))
		return 0;
	int r = add_ovs_port(n, dev, bridge, false, line);
	bridge[0] = 0;
	return r;
}

static int split_ovs(struct tw_net *n)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < n->n_veths; i++)
		for (int k = 0; r == 0 && k < 2; k++) {
			struct tw_veth_end *e = &n->veths[i].end[k];
			r = to_ovs(n, e->ns, e->name, e->bridge, e->line);
		}
	for (size_t i = 0; r == 0 && i < n->n_taps; i++)
		r = to_ovs(n, n->taps[i].ns, n->taps[i].name, n->taps[i].bridge, n->taps[i].line);
	for (size_t i = 0; r == 0 && i < n->n_vxlans; i++)
		r = to_ovs(n, n->vxlans[i].ns, n->vxlans[i].name, n->vxlans[i].bridge,
			   n->vxlans[i].line);
	size_t kept = 0;
	for (size_t i = 0; r == 0 && i < n->n_ports; i++) {
		const struct tw_port_spec *pt = &n->ports[i];
		if (is_ovs(n, pt->ns, pt->bridge))
			r = add_ovs_port(n, pt->dev, pt->bridge, true, pt->line);
		else
			n->ports[kept++] = *pt;
	}
	if (r == 0)
		n->n_ports = kept;
	return r;
}

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

/* ---- MTU over VXLAN: a frame that fits the bridge must fit the tunnel */

/* What VXLAN adds to every frame: outer Ethernet 14, IPv4 20 or IPv6 40,
 * UDP 8 and VXLAN 8 bytes. */
#define VXLAN_OVERHEAD_V4 50
#define VXLAN_OVERHEAD_V6 70
/* When the underlay cannot be asked (its namespace is made by this run, no
 * route yet): Ethernet's. */
#define UNDERLAY_MTU_GUESS 1500

static const struct tw_cidr *vxlan_peer(const struct tw_vxlan_spec *v)
{
	return v->has_local ? &v->local : v->has_remote ? &v->remote : v->has_group ? &v->group
		: v->n_remotes ? &v->remotes[0] : NULL;
}

/* The underlay's MTU: dev's, else that of the device the route to each
 * remote leaves by (the smallest). 0 when it cannot be told yet. */
static unsigned underlay_mtu(struct tw_ctx *c, const struct tw_vxlan_spec *v, char *dev,
			     size_t len)
{
	struct tw_nl *nl;
	struct tw_link l;
	if (tw_ctx_is_fresh(c, v->ns) || tw_ctx_nl(c, v->ns, &nl) < 0)
		return 0;
	if (v->dev[0]) {
		if (tw_link_get(nl, v->dev, 0, &l) < 0)
			return 0;
		tw_strscpy(dev, l.name, len);
		return l.mtu;
	}
	const struct tw_cidr *dst = v->has_remote ? &v->remote : v->remotes;
	size_t n = v->has_remote ? 1 : v->n_remotes;
	unsigned mtu = 0;
	for (size_t i = 0; i < n; i++) {
		int oif = tw_route_dev(nl, &dst[i]);
		if (oif > 0 && tw_link_get(nl, NULL, oif, &l) == 0 && (!mtu || l.mtu < mtu)) {
			mtu = l.mtu;
			tw_strscpy(dev, l.name, len);
		}
	}
	return mtu;
}

/* The largest frame vxlan v carries without fragmenting the underlay:
 * its declared MTU, else the underlay's less the encapsulation. */
static unsigned vxlan_mtu(struct tw_ctx *c, const struct tw_vxlan_spec *v, char *note,
			  size_t len)
{
	if (v->mtu) {
		snprintf(note, len, "as vxlan %s", v->name);
		return v->mtu;
	}
	const struct tw_cidr *peer = vxlan_peer(v);
	bool v6 = peer && peer->family == AF_INET6;
	unsigned over = v6 ? VXLAN_OVERHEAD_V6 : VXLAN_OVERHEAD_V4;
	char dev[IFNAMSIZ] = "";
	unsigned under = underlay_mtu(c, v, dev, sizeof(dev));
	if (under)
		snprintf(note, len, "underlay %s mtu %u - %u for VXLAN over IPv%d", dev, under, over,
			 v6 ? 6 : 4);
	else
		snprintf(note, len, "underlay mtu unknown, %u assumed, - %u for VXLAN over IPv%d",
			 UNDERLAY_MTU_GUESS, over, v6 ? 6 : 4);
	under = under ? under : UNDERLAY_MTU_GUESS;
	return under > over + TW_MTU_MIN ? under - over : TW_MTU_MIN;
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
			unsigned mtu = vxlan_mtu(c, v, note, sizeof(note));
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

static int plan_addrs(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
		      const char *dev, const struct tw_addrs *a, const struct tw_link *live,
		      int line, struct tw_err *e)
{
	if (!a->n)
		return 0;
	struct tw_cidr *have = NULL;
	size_t n_have = 0;
	if (live) {
		struct tw_nl *nl;
		int r = tw_ctx_nl(c, ns, &nl);
		if (r == 0)
			r = tw_addr_list(nl, live->ifindex, &have, &n_have);
		if (r < 0)
			return tw_err_set(e, 1, "cannot list the addresses of %s: %s", dev, strerror(-r));
	}
	int rc = 0;
	for (size_t i = 0; i < a->n && rc == 0; i++) {
		char text[TW_CIDR_STRLEN];
		tw_cidr_format(&a->v[i], text, sizeof(text));
		bool present = false;
		for (size_t k = 0; k < n_have && !present; k++)
			present = tw_cidr_equal(&have[k], &a->v[i]);
		struct tw_step *s = add_step(p, st, present ? TW_ACT_USE : TW_ACT_CREATE, TW_K_ADDR,
					     ns, dev, text, NULL, line);
		if (!s)
			rc = tw_err_set(e, 1, "out of memory");
		else if (!present)
			s->recorded = false;
	}
	free(have);
	return rc;
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

static int plan_bridges(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
			struct tw_err *e)
{
	char loc[300];
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		bool ovs = b->type == TW_BRIDGE_OVS;
		if (ovs && b->ns[0])
			return tw_err_set(e, 2, "%sbridge %s: an Open vSwitch bridge lives where ovs-vswitchd runs; "
					  "it takes no namespace= (run tapwire there: tapwire --netns %s)",
					  where(p, b->line, loc, sizeof(loc)), b->name, b->ns);
		const struct tw_bridge_mtu *m = &p->bridge_mtus[i];
		struct tw_link live;
		struct tw_step *s = object(p, st, ovs ? TW_K_OVSBR : TW_K_BRIDGE, b->ns, b->name, b,
					   b->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		s->mtu = m->mtu;
		tw_strscpy(s->note, m->note, sizeof(s->note));
		/* OVS keeps an OVS bridge's settings; tapwire sets them when it
		 * makes one and uses one that is there as it is. */
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

static int need_ovs(struct tw_plan *p, const struct tw_need_spec *n, struct tw_err *e)
{
	char loc[300], why[256];
	where(p, n->line, loc, sizeof(loc));
	int r = tw_ovs_bridge_exists(n->bridge, why, sizeof(why));
	if (r < 0)
		return tw_err_set(e, 1, "%s%s: Open vSwitch bridge %s: %s", loc, n->what, n->bridge, why);
	if (r == 0)
		return tw_err_set(e, 1, "%s%s: Open vSwitch bridge %s does not exist (declare it in <tw:net> with type='ovs' for tapwire to create it)",
				  loc, n->what, n->bridge);
	return 0;
}

static int plan_needs(struct tw_ctx *c, struct tw_plan *p, struct tw_err *e)
{
	char loc[300], why[256];
	for (size_t i = 0; i < p->net->n_needs; i++) {
		const struct tw_need_spec *n = &p->net->needs[i];
		const struct tw_bridge_spec *b = tw_net_find_bridge(p->net, "", n->bridge);
		if (b && (b->type == TW_BRIDGE_OVS) != n->ovs)
			return tw_err_set(e, 2, "%s%s: bridge %s is declared %s, but the interface %s",
					  where(p, n->line, loc, sizeof(loc)), n->what, n->bridge,
					  n->ovs ? "a Linux bridge" : "type='ovs'",
					  n->ovs ? "has <virtualport type='openvswitch'>"
						 : "has no <virtualport type='openvswitch'/>");
		if (b)
			continue;
		if (n->ovs) {
			if (need_ovs(p, n, e) < 0)
				return -1;
			continue;
		}
		struct tw_nl *nl;
		struct tw_link l;
		int r = tw_ctx_nl(c, "", &nl);
		if (r == 0)
			r = tw_link_get(nl, n->bridge, 0, &l);
		where(p, n->line, loc, sizeof(loc));
		if (r == -ENODEV)
			return tw_err_set(e, 1, "%s%s: bridge %s does not exist (declare it in <tw:net> for tapwire to create it)",
					  loc, n->what, n->bridge);
		if (r < 0)
			return tw_err_set(e, 1, "%s%s: bridge %s: %s", loc, n->what, n->bridge, strerror(-r));
		if (strcmp(l.kind, "bridge") && tw_ovs_bridge_exists(n->bridge, why, sizeof(why)) == 1)
			return tw_err_set(e, 1, "%s%s: %s is an Open vSwitch bridge: give the interface <virtualport type='openvswitch'/>",
					  loc, n->what, n->bridge);
		if (strcmp(l.kind, "bridge"))
			return tw_err_set(e, 1, "%s%s: %s is not a Linux bridge", loc, n->what, n->bridge);
	}
	return 0;
}

static int plan_vxlans(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		       struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_vxlans; i++) {
		const struct tw_vxlan_spec *v = &p->net->vxlans[i];
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_VXLAN, v->ns, v->name, v, v->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		const char *br = dev_bridge(p, v->ns, v->name, v->bridge);
		s->mtu = v->mtu ? v->mtu : bridge_mtu(c, p, v->ns, br);
		if (!s->mtu)
			s->mtu = vxlan_mtu(c, v, s->note, sizeof(s->note));
		else if (!v->mtu && declared_mtu(p, v->ns, br))
			tw_strscpy(s->note, declared_mtu(p, v->ns, br)->note, sizeof(s->note));
		if (r == TW_PRESENT) {
			struct want w = { .mtu = v->mtu, .master = v->bridge[0] ? v->bridge : NULL,
					  .stp = -1 };
			if (diff_dev(c, p, st, v->ns, v->name, &live, &w, v->line) < 0)
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
		uid_t uid;
		gid_t gid;
		if (t->owner[0] && tw_lookup_uid(t->owner, &uid) < 0)
			return tw_err_set(e, 2, "%stap %s: unknown user '%s'",
					  where(p, t->line, loc, sizeof(loc)), t->name, t->owner);
		if (t->group[0] && tw_lookup_gid(t->group, &gid) < 0)
			return tw_err_set(e, 2, "%stap %s: unknown group '%s'",
					  where(p, t->line, loc, sizeof(loc)), t->name, t->group);
		struct tw_link live;
		struct tw_step *s = object(p, st, TW_K_TAP, t->ns, t->name, t, t->line, e);
		int r = s ? plan_object(c, p, st, s, &live, e) : -1;
		if (r < 0)
			return r;
		s->mtu = t->mtu ? t->mtu : bridge_mtu(c, p, t->ns, dev_bridge(p, t->ns, t->name, t->bridge));
		uint8_t mac[TW_MAC_LEN];
		if (t->has_mac)
			tw_mac_host_side(t->mac, mac);
		if (r == TW_PRESENT) {
			struct want w = { .mtu = t->mtu, .master = t->bridge[0] ? t->bridge : NULL,
					  .mac = t->has_mac ? mac : NULL, .stp = -1 };
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
					  where(p, o->line, loc, sizeof(loc)), o->dev, o->bridge);
		if (r < 0)
			return tw_err_set(e, 1, "%sovs-port %s on %s: %s", where(p, o->line, loc, sizeof(loc)),
					  o->dev, o->bridge, why);
		if (setting(p, st, "", o->dev, "up", !(live.flags & IFF_UP), "0", "1", o->line) < 0)
			return tw_err_set(e, 1, "out of memory");
	}
	return 0;
}

int tw_plan_build(struct tw_ctx *c, struct tw_state *st, const struct tw_net *net,
		  struct tw_plan *p, struct tw_err *e)
{
	memset(p, 0, sizeof(*p));
	p->own = tw_net_clone(net);
	if (!p->own || split_ovs(p->own) < 0)
		return tw_err_set(e, 1, "out of memory");
	p->net = net = p->own;
	tw_strscpy(p->owner, net->owner, sizeof(p->owner));
	char why[96];
	if (!tw_owner_valid(net->owner, why, sizeof(why)))
		return tw_err_set(e, 2, "%s: owner name %s", net->source[0] ? net->source : "tapwire", why);
	/* Kinds in the order they must exist in: a veth needs its namespaces
	 * and bridges, an address its device. */
	if (plan_namespaces(c, p, st, e) < 0)
		return -1;
	if (plan_bridge_mtus(c, p) < 0)
		return tw_err_set(e, 1, "out of memory");
	if (plan_bridges(c, p, st, e) < 0 ||
	    plan_needs(c, p, e) < 0 || plan_vxlans(c, p, st, e) < 0 ||
	    plan_veths(c, p, st, e) < 0 || plan_taps(c, p, st, e) < 0 ||
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
	return 0;
}

void tw_plan_free(struct tw_plan *p)
{
	free(p->v);
	free(p->veths);
	free(p->bridge_mtus);
	tw_net_free(p->own);
	memset(p, 0, sizeof(*p));
}

size_t tw_plan_changes(const struct tw_plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += !p->v[i].recorded;
	return n;
}

void tw_step_print(FILE *out, const struct tw_step *s, const char *prefix)
{
	char desc[320];
	tw_kind_ops(s->key.kind)->describe(s, desc, sizeof(desc));
	const char *mark = s->action == TW_ACT_CREATE ? "+" : s->action == TW_ACT_SET ? "~" : "=";
	const char *note = s->action == TW_ACT_CREATE && s->note[0] ? s->note : NULL;
	fprintf(out, "%s%s %s%s%s%s%s\n", prefix, mark, desc,
		s->action == TW_ACT_USE ? " (exists: use it)" : "", note ? " (" : "", note ? note : "",
		note ? ")" : "");
}

/* ---- apply and roll back */

static void progress(const struct tw_apply_opts *o, size_t i, size_t n, bool done)
{
	if (!o->progress || n < 200)
		return;
	if (done || i % 50 == 0)
		fprintf(stderr, "\rtapwire: %zu/%zu steps%s", i, n, done ? "\n" : "");
}

/* Undo steps [0, upto) of this run: the kernel first (in one teardown,
 * which also removes namespaces this run made), then the records. */
static void rollback(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p, size_t upto)
{
	struct tw_rec *recs = calloc(upto + 1, sizeof(*recs));
	struct tw_rec **ptrs = calloc(upto + 1, sizeof(*ptrs));
	size_t n = 0;
	char why[256];
	for (size_t i = 0; recs && ptrs && i < upto; i++) {
		const struct tw_step *s = &p->v[i];
		if (s->recorded || s->action == TW_ACT_USE)
			continue;
		recs[n].key = s->key;
		tw_strscpy(recs[n].data, s->data, sizeof(recs[n].data));
		ptrs[n] = &recs[n];
		n++;
	}
	tw_teardown(c, ptrs, n, why, sizeof(why));
	for (size_t i = upto; i-- > 0;)
		if (!p->v[i].recorded)
			tw_state_drop(st, &p->v[i].key, p->owner);
	free(recs);
	free(ptrs);
}

int tw_plan_apply(struct tw_ctx *c, struct tw_state *st, struct tw_plan *p,
		  const struct tw_apply_opts *o, struct tw_err *e)
{
	size_t todo = tw_plan_changes(p), done = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct tw_step *s = &p->v[i];
		if (s->recorded)
			continue;
		if (o->out)
			tw_step_print(o->out, s, "");
		progress(o, done++, todo, false);
		int r = 0;
		char why[256] = "";
		const struct tw_rec *old = tw_state_find(st, &s->key);
		bool was_created = old && old->created;
		switch (s->action) {
		case TW_ACT_CREATE:
			r = tw_state_pending(st, &s->key, s->data, p->owner);
			if (r == 0 && (r = tw_kind_ops(s->key.kind)->create(c, s, why, sizeof(why))) == 0)
				r = tw_state_add(st, &s->key, true, s->data, p->owner);
			break;
		case TW_ACT_SET:
			r = tw_kind_ops(TW_K_ATTR)->create(c, s, why, sizeof(why));
			if (r == 0)
				r = tw_state_add(st, &s->key, false, s->data, p->owner);
			break;
		case TW_ACT_USE:
			r = tw_state_add(st, &s->key, was_created, s->data, p->owner);
			break;
		}
		if (r < 0) {
			char desc[320], loc[300];
			tw_kind_ops(s->key.kind)->describe(s, desc, sizeof(desc));
			tw_err_set(e, 1, "%s%s: %s", where(p, s->line, loc, sizeof(loc)), desc,
				   why[0] ? why : strerror(-r));
			if (o->progress && todo >= 200)
				fputc('\n', stderr);
			/* The failed step cleaned up after itself; whatever stands
			 * under its name now is not ours. Only its record goes. */
			tw_state_drop(st, &s->key, p->owner);
			rollback(c, st, p, i);
			return -1;
		}
	}
	progress(o, done, todo, true);
	return 0;
}
