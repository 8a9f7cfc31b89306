/* tapwire show --owner NAME: what the state has on record for an owner,
 * as a net for tw_dot_write, with what only the kernel knows: which bridge
 * each device is on now, and who holds the taps on its bridges (its own and
 * those other programs put there, a VM's through the helper or libvirt). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dot.h"
#include "engine/engine.h"
#include "engine/holders.h"
#include "engine/state.h"
#include "kinds/ctx.h"
#include "net/link.h"

struct show {
	struct tw_net *net;
	size_t cap_ns, cap_br, cap_veth, cap_tap, cap_vx, cap_port, cap_vm, cap_tun, cap_mv;
	struct tw_dot_vm *vms;
	size_t n_vms;
	struct tw_ctx *ctx;
	struct tw_holders holders;
};

/* A zeroed new element at the end of *arr, or NULL. */
static void *push(void *arr, size_t *n, size_t *cap, size_t size)
{
	void **a = arr;
	void *g = tw_grow(*a, cap, *n + 1, size);
	if (!g)
		return NULL;
	*a = g;
	void *e = (char *)g + *n * size;
	memset(e, 0, size);
	(*n)++;
	return e;
}

/* The bridge device ns/name is on now, "" when none. */
static void live_master(struct show *s, const char *ns, const char *name, char *bridge)
{
	struct tw_nl *nl;
	struct tw_link l, m;
	bridge[0] = 0;
	if (tw_ctx_nl(s->ctx, ns, &nl) < 0 || tw_link_get(nl, name, 0, &l) < 0 || !l.master ||
	    tw_link_get(nl, NULL, l.master, &m) < 0)
		return;
	tw_strscpy(bridge, m.name, IFNAMSIZ);
}

static int add_veth(struct show *s, const struct tw_rec *r)
{
	struct tw_net *n = s->net;
	const char *slash = strchr(r->data, '/');
	if (!slash)
		return 0;
	char pns[TW_NSNAME_MAX] = "";
	size_t len = (size_t)(slash - r->data);
	memcpy(pns, r->data, len < sizeof(pns) ? len : sizeof(pns) - 1);
	for (size_t i = 0; i < n->n_veths; i++) /* the pair, on record from its other end */
		if (!strcmp(n->veths[i].end[1].ns, r->key.ns) &&
		    !strcmp(n->veths[i].end[1].name, r->key.name))
			return 0;
	struct tw_veth_spec *v = push(&n->veths, &n->n_veths, &s->cap_veth, sizeof(*v));
	if (!v)
		return -ENOMEM;
	tw_strscpy(v->end[0].ns, r->key.ns, sizeof(v->end[0].ns));
	tw_strscpy(v->end[0].name, r->key.name, sizeof(v->end[0].name));
	tw_strscpy(v->end[1].ns, pns, sizeof(v->end[1].ns));
	tw_strscpy(v->end[1].name, slash + 1, sizeof(v->end[1].name));
	for (int e = 0; e < 2; e++)
		live_master(s, v->end[e].ns, v->end[e].name, v->end[e].bridge);
	return 0;
}

/* The lower device of macvlan ns/name, where tapwire runs ("" when unknown). */
static void live_lower(struct show *s, const char *ns, const char *name, char *dev)
{
	struct tw_nl *nl, *host;
	struct tw_link l, lower;
	dev[0] = 0;
	if (tw_ctx_nl(s->ctx, ns, &nl) < 0 || tw_link_get(nl, name, 0, &l) < 0 || !l.link ||
	    tw_ctx_nl(s->ctx, "", &host) < 0 || tw_link_get(host, NULL, l.link, &lower) < 0)
		return;
	tw_strscpy(dev, lower.name, IFNAMSIZ);
}

static int add_rec(struct show *s, const struct tw_rec *r)
{
	struct tw_net *n = s->net;
	const struct tw_key *k = &r->key;
	switch (k->kind) {
	case TW_K_NETNS: {
		struct tw_ns_spec *ns = push(&n->namespaces, &n->n_namespaces, &s->cap_ns, sizeof(*ns));
		return ns ? (tw_strscpy(ns->name, k->ns, sizeof(ns->name)), 0) : -ENOMEM;
	}
	case TW_K_BRIDGE:
	case TW_K_OVSBR: {
		struct tw_bridge_spec *b = push(&n->bridges, &n->n_bridges, &s->cap_br, sizeof(*b));
		if (!b)
			return -ENOMEM;
		tw_strscpy(b->ns, k->ns, sizeof(b->ns));
		tw_strscpy(b->name, k->name, sizeof(b->name));
		b->type = k->kind == TW_K_OVSBR ? TW_BRIDGE_OVS : TW_BRIDGE_LINUX;
		return 0;
	}
	case TW_K_VETH:
		return add_veth(s, r);
	case TW_K_TAP: {
		struct tw_tap_spec *t = push(&n->taps, &n->n_taps, &s->cap_tap, sizeof(*t));
		if (!t)
			return -ENOMEM;
		tw_strscpy(t->ns, k->ns, sizeof(t->ns));
		tw_strscpy(t->name, k->name, sizeof(t->name));
		live_master(s, t->ns, t->name, t->bridge);
		return 0;
	}
	case TW_K_VXLAN: {
		struct tw_vxlan_spec *x = push(&n->vxlans, &n->n_vxlans, &s->cap_vx, sizeof(*x));
		if (!x)
			return -ENOMEM;
		tw_strscpy(x->ns, k->ns, sizeof(x->ns));
		tw_strscpy(x->name, k->name, sizeof(x->name));
		live_master(s, x->ns, x->name, x->bridge);
		return 0;
	}
	case TW_K_TUN: {
		struct tw_tun_spec *t = push(&n->tuns, &n->n_tuns, &s->cap_tun, sizeof(*t));
		if (!t)
			return -ENOMEM;
		tw_strscpy(t->ns, k->ns, sizeof(t->ns));
		tw_strscpy(t->name, k->name, sizeof(t->name));
		return 0;
	}
	case TW_K_MACVLAN:
	case TW_K_MACVTAP: {
		struct tw_macvlan_spec *m = push(&n->macvlans, &n->n_macvlans, &s->cap_mv, sizeof(*m));
		if (!m)
			return -ENOMEM;
		m->tap = k->kind == TW_K_MACVTAP;
		tw_strscpy(m->ns, k->ns, sizeof(m->ns));
		tw_strscpy(m->name, k->name, sizeof(m->name));
		live_lower(s, m->ns, m->name, m->dev);
		return 0;
	}
	case TW_K_PORT: {
		struct tw_port_spec *p = push(&n->ports, &n->n_ports, &s->cap_port, sizeof(*p));
		if (!p)
			return -ENOMEM;
		tw_strscpy(p->ns, k->ns, sizeof(p->ns));
		tw_strscpy(p->dev, k->name, sizeof(p->dev));
		live_master(s, p->ns, p->dev, p->bridge);
		return 0;
	}
	default:
		return 0;
	}
}

/* The addresses of device ns/name, wherever the net has it; NULL for none. */
static struct tw_addrs *addrs_of(struct tw_net *n, const char *ns, const char *name)
{
	for (size_t i = 0; i < n->n_bridges; i++)
		if (!strcmp(n->bridges[i].ns, ns) && !strcmp(n->bridges[i].name, name))
			return &n->bridges[i].addrs;
	for (size_t i = 0; i < n->n_taps; i++)
		if (!strcmp(n->taps[i].ns, ns) && !strcmp(n->taps[i].name, name))
			return &n->taps[i].addrs;
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++)
			if (!strcmp(n->veths[i].end[e].ns, ns) && !strcmp(n->veths[i].end[e].name, name))
				return &n->veths[i].end[e].addrs;
	return NULL;
}

/* An address on record goes on its device's label, once the devices are. */
static int add_addr(struct show *s, const struct tw_rec *r)
{
	struct tw_addrs *a = addrs_of(s->net, r->key.ns, r->key.name);
	struct tw_cidr c;
	if (!a || tw_cidr_parse(r->key.arg, false, &c) < 0)
		return 0;
	struct tw_cidr *v = realloc(a->v, (a->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->v = v;
	a->v[a->n++] = c;
	return 0;
}

/* The holder of tap ns/name, as a VM of the picture. */
static int add_holder(struct show *s, const char *ns, const char *tap, const char *bridge)
{
	struct tw_holder h;
	tw_holders_find(&s->holders, tap, &h);
	if (!h.pid)
		return 0;
	struct tw_dot_vm *v = push(&s->vms, &s->n_vms, &s->cap_vm, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (h.domain[0])
		snprintf(v->name, sizeof(v->name), "VM %s", h.domain);
	else
		snprintf(v->name, sizeof(v->name), "pid %d %s", (int)h.pid, h.comm);
	tw_strscpy(v->ns, ns, sizeof(v->ns));
	tw_strscpy(v->tap, tap, sizeof(v->tap));
	tw_strscpy(v->bridge, bridge, sizeof(v->bridge));
	return 0;
}

/* Every held tap on the bridge: the owner's, and others'. */
static int bridge_holders(struct show *s, const struct tw_bridge_spec *b)
{
	struct tw_nl *nl;
	struct tw_link l;
	struct tw_port *ports = NULL;
	size_t n = 0;
	if (tw_ctx_nl(s->ctx, b->ns, &nl) < 0 || tw_link_get(nl, b->name, 0, &l) < 0 ||
	    tw_bridge_ports(nl, l.ifindex, &ports, &n) < 0)
		return 0;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		if (!strcmp(ports[i].kind, "tun") && ports[i].carrier)
			r = add_holder(s, b->ns, ports[i].name, b->name);
	free(ports);
	return r;
}

int tw_show_owner(const char *owner, struct tw_net **net, struct tw_dot_vm **vms,
		  size_t *n_vms, char *err, size_t len)
{
	struct show s = { .net = calloc(1, sizeof(*s.net)), .ctx = tw_ctx_new() };
	struct tw_state *st = NULL;
	int r = s.net && s.ctx ? 0 : -ENOMEM;
	if (r == 0)
		r = tw_state_open(tw_default_rundir(), TW_STATE_PEEK, &st, err, len);
	if (r == 0 && !tw_state_owner_known(st, owner))
		r = -ENOENT;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; r == 0 && i < tw_state_count(st); i++) {
			const struct tw_rec *rec = tw_state_at(st, i);
			if (!rec || !tw_rec_has_owner(rec, owner) || (rec->key.kind == TW_K_ADDR) != pass)
				continue;
			r = pass ? add_addr(&s, rec) : add_rec(&s, rec);
		}
	if (st)
		tw_state_close(st);
	if (r == 0 && tw_holders_scan(&s.holders) == 0)
		for (size_t i = 0; r == 0 && i < s.net->n_bridges; i++)
			r = bridge_holders(&s, &s.net->bridges[i]);
	tw_holders_free(&s.holders);
	tw_ctx_free(s.ctx);
	if (r < 0) {
		tw_net_free(s.net);
		free(s.vms);
		return r;
	}
	tw_strscpy(s.net->owner, owner, sizeof(s.net->owner));
	*net = s.net;
	*vms = s.vms;
	*n_vms = s.n_vms;
	return 0;
}
