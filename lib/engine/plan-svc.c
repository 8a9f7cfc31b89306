/* Planning a bridge's services (contract section 7): NAT (a nat record per
 * bridge, IPv4 forwarding once per namespace) and DHCP (a dhcp record per
 * bridge). They come after every address: dnsmasq binds to the bridge's,
 * NAT masquerades its subnets. */
#include "engine/plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/forward-drop.h"
#include "kinds/sysctl.h"
#include "net/nl.h"

static int probe_step(struct tw_ctx *c, struct tw_plan *p, struct tw_step *s, struct tw_err *e)
{
	struct tw_link unused;
	return tw_plan_probe(c, p, s, false, &unused, e) < 0 ? -1 : 0;
}

/* "10.0.5.0/24,10.0.6.0/24": the bridge's IPv4 subnets. */
static void subnets_of(const struct tw_bridge_spec *b, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < b->addrs.n; i++) {
		const struct tw_cidr *a = &b->addrs.v[i];
		if (a->family != AF_INET)
			continue;
		struct tw_cidr net = *a;
		uint32_t x, mask = a->prefix ? ~0u << (32 - a->prefix) : 0;
		memcpy(&x, a->addr, 4);
		x = htonl(ntohl(x) & mask);
		memcpy(net.addr, &x, 4);
		char text[TW_CIDR_STRLEN];
		tw_cidr_format(&net, text, sizeof(text));
		if (strstr(buf, text)) /* two addresses in one subnet */
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "", text);
	}
}

/* The device of the default IPv4 route of the namespace the caller is in
 * (/proc/net is the caller's namespace's). */
struct route_dev {
	char dev[IFNAMSIZ];
};

static int default_dev_here(void *arg)
{
	struct route_dev *d = arg;
	FILE *f = fopen("/proc/net/route", "re");
	char line[256], dev[64];
	unsigned long dst, gw, flags, mask;
	if (!f)
		return -errno;
	while (!d->dev[0] && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lx %lx %lx %*s %*s %*s %lx", dev, &dst, &gw, &flags, &mask) == 5 &&
		    dst == 0 && mask == 0 && (flags & 1) && strlen(dev) < IFNAMSIZ)
			tw_strscpy(d->dev, dev, sizeof(d->dev));
	fclose(f);
	return 0;
}

static int default_dev(struct tw_ctx *c, const char *ns, char dev[IFNAMSIZ])
{
	struct route_dev d = { "" };
	struct tw_nsctx *n;
	dev[0] = 0;
	if (tw_ctx_is_fresh(c, ns))
		return 0; /* made by this run: no routes yet */
	int r = tw_ctx_get(c, ns, &n);
	if (r == 0)
		r = tw_in_netns(n->fd, default_dev_here, &d);
	tw_strscpy(dev, d.dev, IFNAMSIZ);
	return r;
}

static int plan_nat(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		    const struct tw_bridge_spec *b, struct tw_err *e)
{
	const struct tw_bridge_svc *s = b->svc;
	char loc[300], uplink[IFNAMSIZ], subnets[256], arg[sizeof(((struct tw_key *)0)->arg)];
	char where[TW_NSNAME_MAX + 16];
	tw_plan_where(p, s->nat_line, loc, sizeof(loc));
	snprintf(where, sizeof(where), "%s%s", b->ns[0] ? "namespace " : "this namespace", b->ns);
	tw_strscpy(uplink, s->uplink, sizeof(uplink));
	if (!uplink[0] && default_dev(c, b->ns, uplink) < 0)
		return tw_err_set(e, 1, "%sbridge %s: cannot read the routes of %s", loc, b->name, where);
	if (!uplink[0])
		return tw_err_set(e, 2, "%sbridge %s: NAT has no way out: %s has no default route; add "
				  "one or give <tw:nat uplink=\"DEV\"/>", loc, b->name, where);
	if (s->uplink[0] && (tw_ctx_is_fresh(c, b->ns) || tw_ctx_ifindex(c, b->ns, uplink) < 0) &&
	    !tw_net_find_bridge(p->net, b->ns, uplink))
		return tw_err_set(e, 2, "%sbridge %s: NAT uplink %s does not exist in %s", loc, b->name,
				  uplink, where);
	subnets_of(b, subnets, sizeof(subnets));
	int n = snprintf(arg, sizeof(arg), "%s %s", uplink, subnets);
	if (n < 0 || (size_t)n >= sizeof(arg))
		return tw_err_set(e, 2, "%sbridge %s: too many IPv4 subnets for NAT", loc, b->name);
	struct tw_step *step = tw_plan_add(p, st, TW_ACT_USE, TW_K_NAT, b->ns, b->name, arg, b,
					   s->nat_line);
	if (!step)
		return tw_err_set(e, 1, "out of memory");
	return probe_step(c, p, step, e);
}

/* IPv4 forwarding in ns, once: on, and on record with the value from
 * before; or, when another owner turned it on, that owner's record shared. */
static int plan_forward(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
			int line, struct tw_err *e)
{
	char now[32] = "0";
	struct tw_key k = { .kind = TW_K_SYSCTL };
	tw_strscpy(k.ns, ns, sizeof(k.ns));
	tw_strscpy(k.name, TW_SYSCTL_FORWARD, sizeof(k.name));
	for (size_t i = 0; i < p->n; i++)
		if (!memcmp(&p->v[i].key, &k, sizeof(k)))
			return 0;
	/* A namespace this run makes starts with forwarding off. */
	if (!tw_ctx_is_fresh(c, ns) && tw_sysctl_get(c, ns, TW_SYSCTL_FORWARD, now, sizeof(now)) < 0)
		return tw_err_set(e, 1, "cannot read net.ipv4.ip_forward%s%s", ns[0] ? " in namespace " : "",
				  ns);
	const struct tw_rec *r = tw_state_find(st, &k);
	bool on = !strcmp(now, "1");
	if (on && !r)
		return 0; /* on already: nothing to put back */
	struct tw_step *s = tw_plan_add(p, st, on ? TW_ACT_USE : TW_ACT_CREATE, TW_K_SYSCTL, ns,
					TW_SYSCTL_FORWARD, "", NULL, line);
	if (!s)
		return tw_err_set(e, 1, "out of memory");
	tw_strscpy(s->data, r ? r->data : now, sizeof(s->data));
	tw_strscpy(s->value, "1", sizeof(s->value));
	if (!on)
		s->recorded = false;
	return 0;
}

/* Whether this plan makes bridge b: a dnsmasq still running from before
 * (the bridge deleted behind tapwire's back) holds its sockets bound to the
 * old device, and must start again. */
static bool made_now(const struct tw_plan *p, const struct tw_bridge_spec *b)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].key.kind == TW_K_BRIDGE && p->v[i].action == TW_ACT_CREATE &&
		    !strcmp(p->v[i].key.ns, b->ns) && !strcmp(p->v[i].key.name, b->name))
			return true;
	return false;
}

int tw_plan_svc(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_err *e)
{
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		if (b->svc && b->svc->nat && plan_forward(c, p, st, b->ns, b->svc->nat_line, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		if (b->svc && b->svc->nat && plan_nat(c, p, st, b, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		if (!b->svc || !b->svc->dhcp)
			continue;
		struct tw_step *s = tw_plan_add(p, st, TW_ACT_USE, TW_K_DHCP, b->ns, b->name, "", b,
						b->svc->dhcp_line);
		if (!s)
			return tw_err_set(e, 1, "out of memory");
		if (probe_step(c, p, s, e) < 0)
			return -1;
		if (made_now(p, b))
			s->action = TW_ACT_CREATE, s->recorded = false;
	}
	return 0;
}

/* ---- for up: another firewall's forward chains in a bridge's way */

struct drops {
	struct tw_fwdrop v[8];
	int n;
	bool bridged; /* br_netfilter hands bridged frames to those chains */
};

static int drops_here(void *arg)
{
	struct drops *d = arg;
	d->n = tw_forward_drops(d->v, TW_ARRAY_SIZE(d->v));
	d->bridged = tw_forward_bridged();
	return 0;
}

/* fix with each "BRIDGE" replaced by the bridge's name. */
static void fill_in(const char *fix, const char *br, char *out, size_t len)
{
	size_t n = 0;
	for (const char *f = fix; *f && n + 1 < len;) {
		if (!strncmp(f, "BRIDGE", 6)) {
			n += (size_t)snprintf(out + n, len - n, "%s", br);
			f += 6;
		} else {
			out[n++] = *f++;
		}
	}
	out[n < len ? n : len - 1] = 0;
}

void tw_plan_svc_warn(struct tw_ctx *c, const struct tw_plan *p, FILE *err)
{
	for (size_t i = 0; i < p->net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &p->net->bridges[i];
		bool seen = false, nat = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(p->net->bridges[k].ns, b->ns);
		for (size_t k = 0; k < p->net->n_bridges; k++)
			nat |= !strcmp(p->net->bridges[k].ns, b->ns) && p->net->bridges[k].svc &&
			       p->net->bridges[k].svc->nat;
		struct tw_nsctx *n;
		struct drops d = { .n = 0 };
		if (seen || b->type != TW_BRIDGE_LINUX || tw_ctx_is_fresh(c, b->ns) ||
		    tw_ctx_get(c, b->ns, &n) < 0 || tw_in_netns(n->fd, drops_here, &d) < 0)
			continue;
		/* Routed traffic (NAT) always crosses the forward hook; bridged
		 * traffic only with br_netfilter, or in a bridge-family table. */
		for (int k = 0; k < d.n && k < (int)TW_ARRAY_SIZE(d.v); k++) {
			bool bridge_family = !strncmp(d.v[k].what, "table bridge ", 13);
			if (!nat && !d.bridged && !bridge_family)
				continue;
			char fix[400], label[96];
			fill_in(d.v[k].fix, b->name, fix, sizeof(fix));
			tw_dev_label(b->ns, b->name, label, sizeof(label));
			fprintf(err, "tapwire: warning: bridge %s: %s drops its forwarded traffic; fix: %s\n",
				label, d.v[k].what, fix);
		}
	}
}
