/* <tw:tun>, <tw:macvlan> and <tw:macvtap>: the seed's other devices. The
 * rules that need only the element itself are here (a peer needs one
 * address of its family, a macvtap takes no address); names declared twice
 * and undeclared namespaces are checked with every other device in
 * net-check.c, and the lower device's place by tw_xml_check_lowers. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const modes[] = { "bridge", "vepa", "private", "passthru", "source", NULL };

static struct tw_xml_el el(struct tw_xml_ctx *c, xmlNode *n, char *label, size_t len)
{
	tw_xml_label(n, label, len);
	return (struct tw_xml_el){ .ctx = c, .node = n, .label = label, .what = "" };
}

static int mtu_of(const struct tw_xml_el *e, unsigned *mtu)
{
	unsigned long v = 0;
	int r = tw_xml_get_uint(e, "mtu", false, TW_MTU_MIN, TW_MTU_MAX, &v);
	*mtu = (unsigned)v;
	return r;
}

static int check_peer(const struct tw_xml_el *e, const struct tw_tun_spec *t)
{
	if (!t->has_peer)
		return 0;
	if (t->addrs.n != 1)
		return tw_xml_el_fail(e, "peer= needs exactly one address= to pair it with; found %zu",
				      t->addrs.n);
	if (t->addrs.v[0].family != t->peer.family)
		return tw_xml_el_fail(e, "address= and peer= mix IPv4 and IPv6");
	return 0;
}

int tw_xml_read_tun(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	static const char *const attrs[] = { "name", "namespace", "owner", "group", "mtu",
					     "address", "peer", NULL };
	char label[64];
	struct tw_xml_el e = el(c, n, label, sizeof(label));
	struct tw_tun_spec *t = TW_XML_APPEND(net->tuns, net->n_tuns);
	if (!t)
		return tw_xml_nomem(c);
	t->line = (int)tw_xml_line(n);
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "name", true, t->name)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, t->ns)) < 0 ||
	    (r = tw_xml_get_owner(&e, "owner", false, t->owner, sizeof(t->owner))) < 0 ||
	    (r = tw_xml_get_owner(&e, "group", false, t->group, sizeof(t->group))) < 0 ||
	    (r = mtu_of(&e, &t->mtu)) < 0 || (r = tw_xml_get_addrs(&e, "address", &t->addrs)) < 0 ||
	    (r = tw_xml_get_ip(&e, "peer", TW_XML_UNICAST, &t->has_peer, &t->peer)) < 0)
		return r;
	return check_peer(&e, t);
}

static int read_mv(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net, bool tap)
{
	static const char *const mv_attrs[] = { "name", "dev", "mode", "namespace", "mac", "mtu",
						"address", NULL };
	static const char *const mvt_attrs[] = { "name", "dev", "mode", "namespace", "owner",
						 "group", "mac", "mtu", "queues", NULL };
	char label[64];
	struct tw_xml_el e = el(c, n, label, sizeof(label));
	struct tw_macvlan_spec *m = TW_XML_APPEND(net->macvlans, net->n_macvlans);
	if (!m)
		return tw_xml_nomem(c);
	m->line = (int)tw_xml_line(n);
	m->tap = tap;
	int mode = TW_MACVLAN_BRIDGE, r;
	unsigned long queues = 0;
	if ((r = tw_xml_check_attrs(&e, tap ? mvt_attrs : mv_attrs)) < 0 ||
	    (r = tw_xml_check_leaf(&e)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "name", true, m->name)) < 0 ||
	    (r = tw_xml_get_ifname(&e, "dev", true, m->dev)) < 0 ||
	    (r = tw_xml_get_enum(&e, "mode", modes, &mode)) < 0 ||
	    (r = tw_xml_get_nsname(&e, "namespace", false, m->ns)) < 0 ||
	    (r = tw_xml_get_mac(&e, "mac", &m->has_mac, m->mac)) < 0 || (r = mtu_of(&e, &m->mtu)) < 0)
		return r;
	m->mode = (enum tw_macvlan_mode)mode;
	if (!tap)
		return tw_xml_get_addrs(&e, "address", &m->addrs);
	if ((r = tw_xml_get_owner(&e, "owner", false, m->owner, sizeof(m->owner))) < 0 ||
	    (r = tw_xml_get_owner(&e, "group", false, m->group, sizeof(m->group))) < 0 ||
	    (r = tw_xml_get_uint(&e, "queues", false, 1, TW_QUEUES_MAX, &queues)) < 0)
		return r;
	m->queues = (unsigned)queues;
	return 0;
}

int tw_xml_read_macvlan(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	return read_mv(c, n, net, false);
}

int tw_xml_read_macvtap(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net)
{
	return read_mv(c, n, net, true);
}

/* A lower device lives where tapwire runs (the new device may go
 * elsewhere): one the file makes only inside a namespace, or the device
 * itself, cannot be it. Whether an undeclared one exists is the kernel's
 * to say, when the plan is made. */
static bool declared_in(const struct tw_net *net, const char *dev, const char **ns, int *line)
{
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!strcmp(net->bridges[i].name, dev)) {
			*ns = net->bridges[i].ns, *line = net->bridges[i].line;
			if (!**ns)
				return true;
		}
	for (size_t i = 0; i < 2 * net->n_veths; i++) {
		const struct tw_veth_end *v = &net->veths[i / 2].end[i % 2];
		if (!strcmp(v->name, dev)) {
			*ns = v->ns, *line = v->line;
			if (!**ns)
				return true;
		}
	}
	return false;
}

int tw_xml_check_lowers(struct tw_xml_ctx *c, const struct tw_net *net)
{
	char q[TW_XML_QUOTE_MAX];
	for (size_t i = 0; i < net->n_macvlans; i++) {
		const struct tw_macvlan_spec *m = &net->macvlans[i];
		const char *label = m->tap ? "<tw:macvtap>" : "<tw:macvlan>";
		const char *ns = NULL;
		int line = 0;
		if (!strcmp(m->dev, m->name) && !m->ns[0])
			return tw_xml_fail(c, m->line, label, "dev '%s' is the device itself",
					   tw_xml_quote(m->dev, q));
		for (size_t k = 0; k < net->n_macvlans; k++)
			if (!net->macvlans[k].ns[0] && !strcmp(net->macvlans[k].name, m->dev))
				return tw_xml_fail(c, m->line, label,
						   "dev '%s' is a macvlan or macvtap (line %d); its lower device must be an Ethernet device",
						   tw_xml_quote(m->dev, q), net->macvlans[k].line);
		if (!declared_in(net, m->dev, &ns, &line) && ns)
			return tw_xml_fail(c, m->line, label,
					   "dev '%s' is declared in namespace '%s' (line %d); the lower device must be where tapwire runs",
					   tw_xml_quote(m->dev, q), ns, line);
	}
	return 0;
}

int tw_xml_read_direct_source(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	/* libvirt's words: passthrough, not the kernel's passthru. */
	static const char *const lv_modes[] = { "bridge", "vepa", "private", "passthrough", NULL };
	int mode = -1;
	int r = tw_xml_get_ifname(e, "dev", false, ifc->source_dev);
	if (r == 0)
		r = tw_xml_get_enum(e, "mode", lv_modes, &mode);
	if (r == 0 && mode >= 0)
		tw_strscpy(ifc->source_mode, lv_modes[mode], sizeof(ifc->source_mode));
	return r;
}
