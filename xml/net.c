/* <tw:net>: one reader per element kind, all of the same shape (check the
 * attributes, take each value, append to the model), found through a table.
 * Rules that span elements (duplicates, references) are in net-check.c. */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tw_xml_el element(struct tw_xml_ctx *c, xmlNode *n, char *label, size_t len)
{
	tw_xml_label(n, label, len);
	return (struct tw_xml_el){ .ctx = c, .node = n, .label = label, .what = "" };
}

static int get_mtu(const struct tw_xml_el *e, unsigned *mtu)
{
	unsigned long v;
	int r = tw_xml_get_uint(e, "mtu", false, TW_MTU_MIN, TW_MTU_MAX, &v);
	if (r == 0 && tw_xml_has(e, "mtu"))
		*mtu = (unsigned)v;
	return r;
}

static int read_namespace(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { "name", NULL };
	char label[64];
	struct tw_xml_el e = element(c, n, label, sizeof(label));
	struct tw_ns_spec *ns = TW_XML_APPEND(net->namespaces, net->n_namespaces);
	if (!ns)
		return tw_xml_nomem(c);
	ns->line = (int)tw_xml_line(n);
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0)
		return r;
	return tw_xml_get_nsname(&e, "name", true, ns->name);
}

static int read_bridge(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { "name", "namespace", "type", "datapath", "mtu", "stp",
					     "mac", "address", NULL };
	static const char *const types[] = { "linux", "ovs", NULL }; /* enum tw_bridge_type */
	static const char *const datapaths[] = { "system", "netdev", NULL };
	char label[64];
	struct tw_xml_el e = element(c, n, label, sizeof(label));
	struct tw_bridge_spec *b = TW_XML_APPEND(net->bridges, net->n_bridges);
	if (!b)
		return tw_xml_nomem(c);
	b->line = (int)tw_xml_line(n);
	b->stp = TW_UNSET;
	int type = TW_BRIDGE_LINUX, r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "name", true, b->name)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, b->ns)) < 0 ||
	    (r = tw_xml_get_enum(&e, "type", types, &type)) < 0 || (r = get_mtu(&e, &b->mtu)) < 0 ||
	    (r = tw_xml_get_bool(&e, "stp", "on", "off", &b->stp)) < 0 ||
	    (r = tw_xml_get_mac(&e, "mac", &b->has_mac, b->mac)) < 0 ||
	    (r = tw_xml_get_addrs(&e, "address", &b->addrs)) < 0)
		return r;
	b->type = (enum tw_bridge_type)type;
	if (tw_xml_has(&e, "datapath") && b->type != TW_BRIDGE_OVS)
		return tw_xml_el_fail(&e, "datapath= is for Open vSwitch bridges (type='ovs')");
	int dp = -1;
	if ((r = tw_xml_get_enum(&e, "datapath", datapaths, &dp)) < 0)
		return r;
	if (dp >= 0)
		tw_strscpy(b->datapath, datapaths[dp], sizeof(b->datapath));
	return tw_xml_read_bridge_svc(&e, b); /* its <tw:nat/>, <tw:dhcp> */
}

static int read_end(struct tw_xml_ctx *c, xmlNode *n, const char *veth_label,
		    struct tw_veth_end *end)
{
	static const char *const attrs[] = { "name", "namespace", "bridge", "mtu",
					     "mac", "address", NULL };
	struct tw_xml_el e = { .ctx = c, .node = n, .label = veth_label, .what = "end " };
	end->line = (int)tw_xml_line(n);
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "name", true, end->name)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, end->ns)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "bridge", false, end->bridge)) < 0 ||
	    (r = get_mtu(&e, &end->mtu)) < 0 ||
	    (r = tw_xml_get_mac(&e, "mac", &end->has_mac, end->mac)) < 0 ||
	    (r = tw_xml_get_addrs(&e, "address", &end->addrs)) < 0)
		return r;
	return 0;
}

static int unexpected_child(const struct tw_xml_el *parent, xmlNode *child, const char *expect)
{
	char label[64];
	tw_xml_label(child, label, sizeof(label));
	return tw_xml_fail(parent->ctx, tw_xml_line(child), label,
			   "unexpected element in %s; it takes %s", parent->label, expect);
}

static int read_veth(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { NULL };
	char label[64];
	struct tw_xml_el e = element(c, n, label, sizeof(label));
	struct tw_veth_spec *v = TW_XML_APPEND(net->veths, net->n_veths);
	if (!v)
		return tw_xml_nomem(c);
	v->line = (int)tw_xml_line(n);
	int r, ends = 0;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_no_text(&e)) < 0)
		return r;
	for (xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!tw_xml_is(k, "end"))
			return unexpected_child(&e, k, "exactly two <tw:end>");
		if (ends == 2)
			return tw_xml_fail(c, tw_xml_line(k), label,
					   "a veth pair has exactly two ends; this is a third <tw:end>");
		if ((r = read_end(c, k, label, &v->end[ends++])) < 0)
			return r;
	}
	if (ends != 2)
		return tw_xml_el_fail(&e, "a veth pair needs exactly two <tw:end> children; found %d",
				      ends);
	return 0;
}

static int read_tap(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { "name", "namespace", "bridge", "owner", "group",
					     "queues", "vnet-hdr", "mtu", "mac", "address", NULL };
	char label[64];
	struct tw_xml_el e = element(c, n, label, sizeof(label));
	struct tw_tap_spec *t = TW_XML_APPEND(net->taps, net->n_taps);
	if (!t)
		return tw_xml_nomem(c);
	t->line = (int)tw_xml_line(n);
	t->vnet_hdr = TW_UNSET;
	unsigned long queues = 0;
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "name", true, t->name)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, t->ns)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "bridge", false, t->bridge)) < 0 ||
	    (r = tw_xml_get_owner(&e, "owner", false, t->owner, sizeof(t->owner))) < 0 ||
	    (r = tw_xml_get_owner(&e, "group", false, t->group, sizeof(t->group))) < 0 ||
	    (r = tw_xml_get_uint(&e, "queues", false, 1, TW_QUEUES_MAX, &queues)) < 0 ||
	    (r = tw_xml_get_bool(&e, "vnet-hdr", "yes", "no", &t->vnet_hdr)) < 0 ||
	    (r = get_mtu(&e, &t->mtu)) < 0 ||
	    (r = tw_xml_get_mac(&e, "mac", &t->has_mac, t->mac)) < 0 ||
	    (r = tw_xml_get_addrs(&e, "address", &t->addrs)) < 0)
		return r;
	t->queues = (unsigned)queues;
	return 0;
}

static int read_remote(struct tw_xml_ctx *c, xmlNode *n, const char *vx_label,
		       struct tw_vxlan_spec *vx)
{
	static const char *const attrs[] = { "address", NULL };
	struct tw_xml_el e = { .ctx = c, .node = n, .label = vx_label, .what = "remote " };
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0)
		return r;
	if (!tw_xml_has(&e, "address"))
		return tw_xml_el_fail(&e, "remote is missing required attribute 'address'");
	struct tw_cidr *a = TW_XML_APPEND(vx->remotes, vx->n_remotes);
	if (!a)
		return tw_xml_nomem(c);
	bool has = false;
	return tw_xml_get_ip(&e, "address", TW_XML_UNICAST, &has, a);
}

static int read_remotes(const struct tw_xml_el *e, struct tw_vxlan_spec *vx)
{
	int r = tw_xml_check_no_text(e);
	for (xmlNode *k = e->node->children; r == 0 && k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!tw_xml_is(k, "remote"))
			return unexpected_child(e, k, "only <tw:remote> children");
		r = read_remote(e->ctx, k, e->label, vx);
	}
	return r;
}

static int get_vni(const struct tw_xml_el *e, struct tw_vxlan_spec *vx)
{
	unsigned long id = 0;
	int r = tw_xml_get_uint(e, "id", true, 0, TW_VXLAN_ID_MAX, &id);
	vx->id = (uint32_t)id;
	return r;
}

static int get_port(const struct tw_xml_el *e, struct tw_vxlan_spec *vx)
{
	unsigned long port = 0; /* 0: lib fills in IANA's 4789 */
	int r = tw_xml_get_uint(e, "port", false, 1, 65535, &port);
	vx->port = (unsigned)port;
	return r;
}

static const char *ip_str(const struct tw_cidr *a, char buf[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(a->family, a->addr, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

/* The kernel takes one default destination (unicast remote or multicast
 * group) and we add <tw:remote> entries to the FDB; mixing them, or mixing
 * families with local=, only earns an EINVAL from the kernel later. */
static int check_peers(const struct tw_xml_el *e, const struct tw_vxlan_spec *vx)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	if (vx->has_remote + vx->has_group + (vx->n_remotes > 0) > 1)
		return tw_xml_el_fail(e, "remote=, group= and <tw:remote> children exclude one another; use one of them");
	const struct tw_cidr *peer = vx->has_remote ? &vx->remote : vx->has_group ? &vx->group
						   : vx->n_remotes ? &vx->remotes[0] : NULL;
	for (size_t i = 0; peer && i < vx->n_remotes; i++)
		if (vx->remotes[i].family != peer->family)
			return tw_xml_el_fail(e, "remote %s and remote %s mix IPv4 and IPv6",
					      ip_str(peer, a), ip_str(&vx->remotes[i], b));
	if (vx->has_local && peer && peer->family != vx->local.family)
		return tw_xml_el_fail(e, "local %s and %s %s mix IPv4 and IPv6", ip_str(&vx->local, a),
				      vx->has_group ? "group" : "remote", ip_str(peer, b));
	/* The kernel joins the group on one device and refuses it without. */
	if (vx->has_group && !vx->dev[0])
		return tw_xml_el_fail(e, "group %s needs dev=, the underlay device to join it on",
				      ip_str(&vx->group, a));
	struct tw_cidr dup;
	int r = tw_xml_cidr_dup(e->ctx, vx->remotes, vx->n_remotes, &dup);
	if (r <= 0)
		return r;
	return tw_xml_el_fail(e, "remote %s is listed twice", ip_str(&dup, a));
}

static int read_vxlan(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { "name", "namespace", "id", "local", "remote",
					     "group", "port", "dev", "bridge", "mtu", "control", NULL };
	char label[64];
	struct tw_xml_el e = element(c, n, label, sizeof(label));
	struct tw_vxlan_spec *vx = TW_XML_APPEND(net->vxlans, net->n_vxlans);
	if (!vx)
		return tw_xml_nomem(c);
	vx->line = (int)tw_xml_line(n);
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "name", true, vx->name)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, vx->ns)) < 0 || (r = get_vni(&e, vx)) < 0 ||
	    (r = tw_xml_get_ip(&e, "local", TW_XML_UNICAST, &vx->has_local, &vx->local)) < 0 ||
	    (r = tw_xml_get_ip(&e, "remote", TW_XML_UNICAST, &vx->has_remote, &vx->remote)) < 0 ||
	    (r = tw_xml_get_ip(&e, "group", TW_XML_MULTICAST, &vx->has_group, &vx->group)) < 0 ||
	    (r = get_port(&e, vx)) < 0 || (r = tw_xml_get_ifname(&e, "dev", false, vx->dev)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "bridge", false, vx->bridge)) < 0 ||
	    (r = get_mtu(&e, &vx->mtu)) < 0 || (r = read_remotes(&e, vx)) < 0 ||
	    (r = tw_xml_vxlan_control(&e, vx)) < 0)
		return r;
	return check_peers(&e, vx);
}

static int read_port(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { "dev", "bridge", "namespace", "move-addresses", NULL };
	char label[64];
	struct tw_xml_el e = element(c, n, label, sizeof(label));
	struct tw_port_spec *p = TW_XML_APPEND(net->ports, net->n_ports);
	if (!p)
		return tw_xml_nomem(c);
	p->line = (int)tw_xml_line(n);
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "dev", true, p->dev)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "bridge", true, p->bridge)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, p->ns)) < 0)
		return r;
	enum tw_tristate move = TW_UNSET;
	if ((r = tw_xml_get_bool(&e, "move-addresses", "yes", "no", &move)) < 0)
		return r;
	p->move_addresses = move == TW_YES;
	return 0;
}

static const struct {
	const char *name;
	int (*read)(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net);
} readers[] = {
	{ "namespace", read_namespace }, { "bridge", read_bridge }, { "veth", read_veth },
	{ "tap", read_tap },		 { "vxlan", read_vxlan },   { "port", read_port },
	{ "tun", tw_xml_read_tun }, { "macvlan", tw_xml_read_macvlan }, { "macvtap", tw_xml_read_macvtap },
};

static int unknown_child(struct tw_xml_ctx *c, xmlNode *k)
{
	char label[64];
	tw_xml_label(k, label, sizeof(label));
	long line = tw_xml_line(k);
	for (size_t i = 0; !k->ns && i < TW_ARRAY_SIZE(readers); i++)
		if (!strcmp((const char *)k->name, readers[i].name))
			return tw_xml_fail(c, line, label,
					   "not in the tapwire namespace; did you mean <tw:%s>?",
					   readers[i].name);
	return tw_xml_fail(c, line, label,
			   "unknown element in <tw:net>; expected <tw:namespace>, <tw:bridge>, <tw:veth>, <tw:tap>, <tw:vxlan>, <tw:port>, <tw:tun>, <tw:macvlan> or <tw:macvtap>");
}

static int read_child(struct tw_xml_ctx *c, xmlNode *k, struct tw_net *net)
{
	if (tw_xml_in_tw(k))
		for (size_t i = 0; i < TW_ARRAY_SIZE(readers); i++)
			if (!strcmp((const char *)k->name, readers[i].name))
				return readers[i].read(c, k, net);
	return unknown_child(c, k);
}

static int read_owner(struct tw_xml_ctx *c, xmlNode *root, const char *default_owner,
		      struct tw_net *net)
{
	static const char *const attrs[] = { "name", NULL };
	char label[64];
	struct tw_xml_el e = element(c, root, label, sizeof(label));
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_no_text(&e)) < 0)
		return r;
	/* The owner is what `down` releases by: a topology must have one. */
	if (!default_owner || tw_xml_has(&e, "name"))
		return tw_xml_get_owner(&e, "name", true, net->owner, sizeof(net->owner));
	tw_strscpy(net->owner, default_owner, sizeof(net->owner));
	return 0;
}

int tw_xml_read_net(struct tw_xml_ctx *c, xmlNode *root, const char *default_owner,
		    struct tw_net **out)
{
	struct tw_net *net = calloc(1, sizeof(*net));
	if (!net)
		return tw_xml_nomem(c);
	tw_strscpy(net->source, c->name, sizeof(net->source));
	int r = read_owner(c, root, default_owner, net);
	for (xmlNode *k = root->children; r == 0 && k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			r = read_child(c, k, net);
	if (r == 0)
		r = tw_xml_check_net(c, net);
	if (r < 0) {
		tw_net_free(net);
		return r;
	}
	*out = net;
	return 0;
}
