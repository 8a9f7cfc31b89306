/* Rules that span elements of one <tw:net>: names declared twice,
 * namespaces or bridges referred to but not declared, and an Open vSwitch
 * bridge in a namespace. A 4 MiB document can hold some 100000 elements,
 * so lookups go through sorted indexes, never through a loop inside a loop. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One named object: a device (by namespace and name) or a namespace. */
struct key {
	const char *ns; /* "" = where tapwire runs */
	const char *name;
	int line;
	const char *label; /* "<tw:bridge>" */
	const char *what;  /* "end " for a veth end */
};

/* One object that refers to a namespace and maybe to a bridge. */
struct ref {
	const char *ns;
	const char *bridge; /* "" = none */
	const char *dev;    /* a <tw:port>'s dev, else NULL */
	int line;
	const char *label;
	const char *what;
};

struct index {
	struct key *v;
	size_t n;
};

static void index_free(struct index *ix) { free(ix->v); }
#define _cleanup_index_ __attribute__((cleanup(index_free)))

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int r = strcmp(x->ns, y->ns);
	if (!r)
		r = strcmp(x->name, y->name);
	if (!r)
		r = (x->line > y->line) - (x->line < y->line);
	return r;
}

static int key_cmp_name(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int r = strcmp(x->ns, y->ns);
	return r ? r : strcmp(x->name, y->name);
}

static int add(struct tw_xml_ctx *c, struct index *ix, struct key k)
{
	struct key *slot = TW_XML_APPEND(ix->v, ix->n);
	if (!slot)
		return tw_xml_nomem(c);
	*slot = k;
	return 0;
}

static const struct key *lookup(const struct index *ix, const char *ns, const char *name)
{
	struct key k = { .ns = ns, .name = name };
	if (!ix->n) /* bsearch() and qsort() want a real array, even empty */
		return NULL;
	return bsearch(&k, ix->v, ix->n, sizeof(k), key_cmp_name);
}

static const char *where_ns(const char *ns, char *buf, size_t len)
{
	char q[TW_XML_QUOTE_MAX];
	if (!*ns)
		return "where tapwire runs";
	snprintf(buf, len, "in namespace '%s'", tw_xml_quote(ns, q));
	return buf;
}

/* The first (in document order) key that repeats an earlier one. Keys are
 * sorted by name and then line, so in each run of equal names the second
 * is the first repeat and the run's start is what it repeats. */
static const struct key *first_dup(const struct index *ix, const struct key **earlier)
{
	const struct key *dup = NULL;
	size_t run = 0;
	for (size_t i = 1; i < ix->n; i++) {
		if (key_cmp_name(&ix->v[run], &ix->v[i])) {
			run = i;
			continue;
		}
		if (i == run + 1 && (!dup || ix->v[i].line < dup->line)) {
			dup = &ix->v[i];
			*earlier = &ix->v[run];
		}
	}
	return dup;
}

static int check_dups(struct tw_xml_ctx *c, struct index *ix, const char *noun)
{
	if (ix->n < 2)
		return 0;
	qsort(ix->v, ix->n, sizeof(*ix->v), key_cmp);
	const struct key *prev = NULL, *dup = first_dup(ix, &prev);
	if (!dup)
		return 0;
	char q[TW_XML_QUOTE_MAX], ns[100];
	if (!strcmp(noun, "namespace"))
		return tw_xml_fail(c, dup->line, dup->label,
				   "namespace '%s' is already declared at line %d",
				   tw_xml_quote(dup->name, q), prev->line);
	return tw_xml_fail(c, dup->line, dup->label, "%s%s '%s' %s is already used by %s at line %d",
			   dup->what, noun, tw_xml_quote(dup->name, q),
			   where_ns(dup->ns, ns, sizeof(ns)), prev->label, prev->line);
}

static int index_namespaces(struct tw_xml_ctx *c, const struct tw_net *net, struct index *ix)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_namespaces; i++)
		r = add(c, ix, (struct key){ "", net->namespaces[i].name, net->namespaces[i].line,
					     "<tw:namespace>", "" });
	return r;
}

/* Every device tapwire creates: the kernel keeps one name per namespace
 * whatever the kind, so a tap and a bridge may not share one either. */
static int index_devices(struct tw_xml_ctx *c, const struct tw_net *net, struct index *ix)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_bridges; i++)
		r = add(c, ix, (struct key){ net->bridges[i].ns, net->bridges[i].name,
					     net->bridges[i].line, "<tw:bridge>", "" });
	for (size_t i = 0; r == 0 && i < 2 * net->n_veths; i++) {
		const struct tw_veth_end *e = &net->veths[i / 2].end[i % 2];
		r = add(c, ix, (struct key){ e->ns, e->name, e->line, "<tw:veth>", "end " });
	}
	for (size_t i = 0; r == 0 && i < net->n_taps; i++)
		r = add(c, ix, (struct key){ net->taps[i].ns, net->taps[i].name, net->taps[i].line,
					     "<tw:tap>", "" });
	for (size_t i = 0; r == 0 && i < net->n_vxlans; i++)
		r = add(c, ix, (struct key){ net->vxlans[i].ns, net->vxlans[i].name,
					     net->vxlans[i].line, "<tw:vxlan>", "" });
	for (size_t i = 0; r == 0 && i < net->n_tuns; i++)
		r = add(c, ix, (struct key){ net->tuns[i].ns, net->tuns[i].name, net->tuns[i].line,
					     "<tw:tun>", "" });
	for (size_t i = 0; r == 0 && i < net->n_macvlans; i++)
		r = add(c, ix, (struct key){ net->macvlans[i].ns, net->macvlans[i].name,
					     net->macvlans[i].line,
					     net->macvlans[i].tap ? "<tw:macvtap>" : "<tw:macvlan>", "" });
	return r;
}

static int index_ports(struct tw_xml_ctx *c, const struct tw_net *net, struct index *ix)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_ports; i++)
		r = add(c, ix, (struct key){ net->ports[i].ns, net->ports[i].dev, net->ports[i].line,
					     "<tw:port>", "" });
	return r;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

static int add_ref(struct tw_xml_ctx *c, struct ref **v, size_t *n, struct ref r)
{
	struct ref *slot = TW_XML_APPEND(*v, *n);
	if (!slot)
		return tw_xml_nomem(c);
	*slot = r;
	return 0;
}

static int collect_refs(struct tw_xml_ctx *c, const struct tw_net *net, struct ref **v,
			size_t *n)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_bridges; i++)
		r = add_ref(c, v, n, (struct ref){ net->bridges[i].ns, "", NULL,
						   net->bridges[i].line, "<tw:bridge>", "" });
	for (size_t i = 0; r == 0 && i < 2 * net->n_veths; i++) {
		const struct tw_veth_end *e = &net->veths[i / 2].end[i % 2];
		r = add_ref(c, v, n, (struct ref){ e->ns, e->bridge, NULL, e->line, "<tw:veth>", "end " });
	}
	for (size_t i = 0; r == 0 && i < net->n_taps; i++)
		r = add_ref(c, v, n, (struct ref){ net->taps[i].ns, net->taps[i].bridge, NULL,
						   net->taps[i].line, "<tw:tap>", "" });
	for (size_t i = 0; r == 0 && i < net->n_vxlans; i++)
		r = add_ref(c, v, n, (struct ref){ net->vxlans[i].ns, net->vxlans[i].bridge, NULL,
						   net->vxlans[i].line, "<tw:vxlan>", "" });
	for (size_t i = 0; r == 0 && i < net->n_ports; i++)
		r = add_ref(c, v, n, (struct ref){ net->ports[i].ns, net->ports[i].bridge,
						   net->ports[i].dev, net->ports[i].line,
						   "<tw:port>", "" });
	for (size_t i = 0; r == 0 && i < net->n_tuns; i++)
		r = add_ref(c, v, n, (struct ref){ net->tuns[i].ns, "", NULL, net->tuns[i].line,
						   "<tw:tun>", "" });
	for (size_t i = 0; r == 0 && i < net->n_macvlans; i++)
		r = add_ref(c, v, n, (struct ref){ net->macvlans[i].ns, "", NULL, net->macvlans[i].line,
						   net->macvlans[i].tap ? "<tw:macvtap>" : "<tw:macvlan>", "" });
	return r;
}

static int check_ns_ref(struct tw_xml_ctx *c, const struct index *nss, const struct ref *r)
{
	char q[TW_XML_QUOTE_MAX];
	if (!*r->ns || lookup(nss, "", r->ns))
		return 0;
	tw_xml_quote(r->ns, q);
	return tw_xml_fail(c, r->line, r->label,
			   "%snamespace '%s' is not declared; add <tw:namespace name=\"%s\"/>",
			   r->what, q, q);
}

/* A bridge must be one this document declares, in the referrer's own
 * namespace: a device cannot be enslaved across namespaces. */
static int check_bridge_ref(struct tw_xml_ctx *c, const struct tw_net *net,
			    const struct index *bridges, const struct ref *r)
{
	if (!*r->bridge || lookup(bridges, r->ns, r->bridge))
		return 0;
	char q[TW_XML_QUOTE_MAX], here[100], there[100];
	tw_xml_quote(r->bridge, q);
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!strcmp(net->bridges[i].name, r->bridge))
			return tw_xml_fail(c, r->line, r->label,
					   "%sbridge '%s' is declared %s (line %d), but this device is %s",
					   r->what, q, where_ns(net->bridges[i].ns, there, sizeof(there)),
					   net->bridges[i].line, where_ns(r->ns, here, sizeof(here)));
	return tw_xml_fail(c, r->line, r->label,
			   "%sbridge '%s' is not declared %s; add a <tw:bridge name=\"%s\"/>", r->what,
			   q, where_ns(r->ns, here, sizeof(here)), q);
}

/* <tw:port> is for devices that exist already; one this document creates
 * says bridge= itself, so a port naming it would be a second, conflicting
 * instruction. */
static int check_port_dev(struct tw_xml_ctx *c, const struct index *devs, const struct ref *r)
{
	if (!r->dev)
		return 0;
	char q[TW_XML_QUOTE_MAX];
	if (!strcmp(r->dev, r->bridge))
		return tw_xml_fail(c, r->line, r->label, "dev '%s' cannot be enslaved to itself",
				   tw_xml_quote(r->dev, q));
	const struct key *k = lookup(devs, r->ns, r->dev);
	if (!k)
		return 0;
	return tw_xml_fail(c, r->line, r->label,
			   "dev '%s' is created by %s at line %d; give it bridge= there instead",
			   tw_xml_quote(r->dev, q), k->label, k->line);
}

static int check_refs(struct tw_xml_ctx *c, const struct tw_net *net, const struct index *nss,
		      const struct index *devs)
{
	_cleanup_index_ struct index bridges = { 0 };
	for (size_t i = 0; i < devs->n; i++)
		if (!strcmp(devs->v[i].label, "<tw:bridge>") && add(c, &bridges, devs->v[i]) < 0)
			return -ENOMEM;
	_cleanup_free_ struct ref *refs = NULL;
	size_t n = 0;
	int r = collect_refs(c, net, &refs, &n);
	if (r < 0)
		return r;
	/* Report the first problem in document order, whatever its kind. */
	if (n > 1)
		qsort(refs, n, sizeof(*refs), ref_cmp);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = check_ns_ref(c, nss, &refs[i]);
		if (r == 0)
			r = check_port_dev(c, devs, &refs[i]);
		if (r == 0)
			r = check_bridge_ref(c, net, &bridges, &refs[i]);
	}
	return r;
}

/* ovs-vswitchd runs in one network namespace and makes its bridges there:
 * one in another namespace is a document that cannot be applied. The
 * message names the bridge the way the engine's messages do, and says what
 * to do instead. */
static int check_ovs_ns(struct tw_xml_ctx *c, const struct tw_net *net)
{
	for (size_t i = 0; i < net->n_bridges; i++) {
		const struct tw_bridge_spec *b = &net->bridges[i];
		if (b->type == TW_BRIDGE_OVS && b->ns[0])
			return tw_xml_fail(c, b->line, NULL,
					   "bridge %s: an Open vSwitch bridge lives where ovs-vswitchd "
					   "runs; it takes no namespace= (run tapwire there: tapwire "
					   "--netns %s)",
					   b->name, b->ns);
	}
	return 0;
}

/* move-addresses moves a NIC's addresses and routes to a Linux bridge
 * device; Open vSwitch keeps its own idea of the bridge's port. */
static int check_move_ovs(struct tw_xml_ctx *c, const struct tw_net *net)
{
	for (size_t i = 0; i < net->n_ports; i++) {
		const struct tw_port_spec *p = &net->ports[i];
		for (size_t k = 0; p->move_addresses && k < net->n_bridges; k++)
			if (net->bridges[k].type == TW_BRIDGE_OVS && !strcmp(net->bridges[k].name, p->bridge))
				return tw_xml_fail(c, p->line, NULL, "port %s: move-addresses needs a Linux "
						   "bridge; %s is an Open vSwitch bridge", p->dev, p->bridge);
	}
	return 0;
}

int tw_xml_check_net(struct tw_xml_ctx *c, const struct tw_net *net)
{
	_cleanup_index_ struct index nss = { 0 }, devs = { 0 }, ports = { 0 };
	int r;
	if ((r = index_namespaces(c, net, &nss)) < 0 || (r = check_dups(c, &nss, "namespace")) < 0 ||
	    (r = index_devices(c, net, &devs)) < 0 || (r = check_dups(c, &devs, "name")) < 0 ||
	    (r = index_ports(c, net, &ports)) < 0 || (r = check_dups(c, &ports, "dev")) < 0)
		return r;
	if ((r = check_refs(c, net, &nss, &devs)) < 0 || (r = tw_xml_check_lowers(c, net)) < 0)
		return r;
	if ((r = check_ovs_ns(c, net)) < 0)
		return r;
	return check_move_ovs(c, net);
}
