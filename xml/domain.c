/* libvirt's <domain> and <interface>. libvirt's schema is large and grows
 * every release, so elements and attributes we do not read are skipped; what
 * we do read is validated as strictly as a <tw:net>. The tapwire namespace is
 * ours alone: anything in it outside <metadata><tw:net> is an error, so a
 * misplaced or mistyped tw: element never goes unnoticed. */
#include "internal.h"

#include <errno.h>
#include <libxml/xmlmemory.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void xml_freep(xmlChar **p) { xmlFree(*p); }
#define _cleanup_xml_ __attribute__((cleanup(xml_freep)))

/* ---- no stray tw: elements or attributes -------------------------------- */

static int stray_attr(struct tw_xml_ctx *c, const xmlNode *n, const xmlAttr *a)
{
	char label[64];
	tw_xml_label(n, label, sizeof(label));
	return tw_xml_fail(c, tw_xml_line(n), label,
			   "unknown attribute 'tw:%s'; the tapwire namespace is only read in <metadata><tw:net>",
			   (const char *)a->name);
}

static int check_stray(struct tw_xml_ctx *c, const xmlNode *n, const xmlNode *allowed)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (a->ns && a->ns->href && !strcmp((const char *)a->ns->href, TW_XML_NS))
			return stray_attr(c, n, a);
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || k == allowed)
			continue;
		if (tw_xml_in_tw(k)) {
			char label[64];
			tw_xml_label(k, label, sizeof(label));
			return tw_xml_fail(c, tw_xml_line(k), label,
					   "misplaced tapwire element; only <tw:net> is read, as a child of <metadata>");
		}
		/* Depth is bounded by the parser (TW_XML_MAX_DEPTH). */
		int r = check_stray(c, k, allowed);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- <interface> --------------------------------------------------------- */

struct iface_part {
	const char *element; /* child of <interface> */
	const char *what;    /* prefix in messages */
	int (*read)(const struct tw_xml_el *e, struct tw_iface *ifc);
};

static int read_mac(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	/* <mac/> without address: libvirt generates one, so do not insist. */
	return tw_xml_get_mac(e, "address", &ifc->has_mac, ifc->mac);
}

static int read_source(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	/* A running domain's type='network' shows both network= and bridge=. */
	int r = tw_xml_get_ifname(e, "bridge", false, ifc->source_bridge);
	if (r == 0)
		r = tw_xml_get_owner(e, "network", false, ifc->source_network,
				     sizeof(ifc->source_network));
	return r < 0 ? r : tw_xml_read_direct_source(e, ifc);
}

static int read_target(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	int r = tw_xml_get_ifname(e, "dev", false, ifc->target_dev);
	if (r == 0)
		r = tw_xml_get_bool(e, "managed", "yes", "no", &ifc->target_managed);
	return r;
}

static int read_model(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	return tw_xml_get_str(e, "type", false, ifc->model, sizeof(ifc->model));
}

static int read_driver(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	unsigned long queues = 0;
	int r = tw_xml_get_str(e, "name", false, ifc->driver_name, sizeof(ifc->driver_name));
	if (r == 0)
		r = tw_xml_get_uint(e, "queues", false, 1, TW_QUEUES_MAX, &queues);
	ifc->queues = (unsigned)queues;
	return r;
}

static int read_mtu(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	unsigned long mtu = 0;
	int r = tw_xml_get_uint(e, "size", false, TW_MTU_MIN, TW_MTU_MAX, &mtu);
	ifc->mtu = (unsigned)mtu;
	return r;
}

static int read_link(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	return tw_xml_get_bool(e, "state", "up", "down", &ifc->link_up);
}

static int read_virtualport(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	int r = tw_xml_get_str(e, "type", false, ifc->virtualport_type,
			       sizeof(ifc->virtualport_type));
	xmlNode *params = tw_xml_first_plain(e->node, "parameters");
	if (r < 0 || !params)
		return r;
	struct tw_xml_el p = { .ctx = e->ctx, .node = params, .label = e->label,
			       .what = "virtualport parameters " };
	return tw_xml_get_str(&p, "interfaceid", false, ifc->interfaceid,
			      sizeof(ifc->interfaceid));
}

/* libvirt reads the first of each child; so do we, to agree with it. */
static const struct iface_part parts[] = {
	{ "mac", "mac ", read_mac },
	{ "source", "source ", read_source },
	{ "target", "target ", read_target },
	{ "model", "model ", read_model },
	{ "driver", "driver ", read_driver },
	{ "mtu", "mtu ", read_mtu },
	{ "link", "link ", read_link },
	{ "virtualport", "virtualport ", read_virtualport },
};

static int read_type(const struct tw_xml_el *e, struct tw_iface *ifc)
{
	static const char *const types[] = { "bridge", "network", "ethernet", "direct", NULL };
	static const enum tw_iface_type values[] = { TW_IFACE_BRIDGE, TW_IFACE_NETWORK,
						     TW_IFACE_ETHERNET, TW_IFACE_DIRECT };
	int r = tw_xml_get_str(e, "type", true, ifc->type_name, sizeof(ifc->type_name));
	if (r < 0)
		return r;
	ifc->type = TW_IFACE_OTHER; /* "user", "vhostuser": kept by name */
	for (size_t i = 0; types[i]; i++)
		if (!strcmp(ifc->type_name, types[i]))
			ifc->type = values[i];
	return 0;
}

static int read_iface(struct tw_xml_ctx *c, xmlNode *n, struct tw_iface *ifc)
{
	struct tw_xml_el e = { .ctx = c, .node = n, .label = "<interface>", .what = "" };
	ifc->line = (int)tw_xml_line(n);
	ifc->target_managed = TW_UNSET;
	ifc->link_up = TW_UNSET;
	int r = read_type(&e, ifc);
	for (size_t i = 0; r == 0 && i < TW_ARRAY_SIZE(parts); i++) {
		xmlNode *k = tw_xml_first_plain(n, parts[i].element);
		struct tw_xml_el part = { .ctx = c, .node = k, .label = e.label,
					  .what = parts[i].what };
		if (k)
			r = parts[i].read(&part, ifc);
	}
	return r;
}

int tw_xml_read_iface_doc(struct tw_xml_ctx *c, xmlNode *root, struct tw_iface **out)
{
	int r = check_stray(c, root, NULL);
	if (r < 0)
		return r;
	struct tw_iface *ifc = calloc(1, sizeof(*ifc));
	if (!ifc)
		return tw_xml_nomem(c);
	if ((r = read_iface(c, root, ifc)) < 0) {
		free(ifc);
		return r;
	}
	*out = ifc;
	return 0;
}

/* ---- <domain> ------------------------------------------------------------ */

static int text_of(const struct tw_xml_el *e, xmlChar **out)
{
	*out = xmlNodeGetContent(e->node);
	return *out ? 0 : tw_xml_nomem(e->ctx);
}

static int read_name(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain *dom)
{
	xmlNode *n = tw_xml_first_plain(root, "name");
	if (!n)
		return tw_xml_fail(c, tw_xml_line(root), "<domain>", "missing <name>");
	struct tw_xml_el e = { .ctx = c, .node = n, .label = "<name>", .what = "" };
	_cleanup_xml_ xmlChar *v = NULL;
	char why[128], q[TW_XML_QUOTE_MAX];
	int r = text_of(&e, &v);
	if (r < 0)
		return r;
	/* The domain name is the owner of what tapwire creates for it. */
	if (!tw_owner_valid((const char *)v, why, sizeof(why)))
		return tw_xml_el_fail(&e, "domain name '%s' %s", tw_xml_quote((const char *)v, q),
				      why);
	tw_strscpy(dom->name, (const char *)v, sizeof(dom->name));
	return 0;
}

/* 32 hex digits, dashes anywhere between them: what libvirt accepts. */
static bool uuid_valid(const char *s)
{
	size_t hex = 0;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (!strchr("0123456789abcdefABCDEF", *s))
			return false;
		hex++;
	}
	return hex == 32;
}

static int read_uuid(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain *dom)
{
	xmlNode *n = tw_xml_first_plain(root, "uuid");
	if (!n)
		return 0;
	struct tw_xml_el e = { .ctx = c, .node = n, .label = "<uuid>", .what = "" };
	_cleanup_xml_ xmlChar *v = NULL;
	char q[TW_XML_QUOTE_MAX];
	int r = text_of(&e, &v);
	if (r < 0)
		return r;
	if (!uuid_valid((const char *)v) || !tw_strscpy(dom->uuid, (const char *)v, sizeof(dom->uuid)))
		return tw_xml_el_fail(&e, "'%s' is not a UUID", tw_xml_quote((const char *)v, q));
	return 0;
}

/* The one <tw:net> in <metadata>, or NULL; two would be two owners' worth
 * of topology with one owner, so that is refused. */
static int find_topology(struct tw_xml_ctx *c, xmlNode *root, xmlNode **out)
{
	xmlNode *meta = tw_xml_first_plain(root, "metadata");
	*out = NULL;
	for (xmlNode *k = meta ? meta->children : NULL; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || !tw_xml_in_tw(k))
			continue;
		char label[64];
		tw_xml_label(k, label, sizeof(label));
		if (!tw_xml_is(k, "net"))
			return tw_xml_fail(c, tw_xml_line(k), label,
					   "unknown element in <metadata>; tapwire reads only <tw:net> there");
		if (*out)
			return tw_xml_fail(c, tw_xml_line(k), label,
					   "a second <tw:net> in <metadata> (the first is at line %ld); a domain has one topology",
					   tw_xml_line(*out));
		*out = k;
	}
	return 0;
}

/* USER[:GROUP] of a DAC label, each part a name or libvirt's +ID, checked
 * as any owner is: the hook logs the user and gives it the domain's taps. */
static int check_dac_label(const struct tw_xml_el *e, const char *v, struct tw_domain *dom)
{
	char user[TW_OWNER_MAX + 1], why[128], q[TW_XML_QUOTE_MAX];
	size_t n = strcspn(v, ":");
	const char *what = "user";
	/* Cut one byte past the limit, so that the check says "too long". */
	tw_strscpy(user, v, n < TW_OWNER_MAX ? n + 1 : sizeof(user));
	bool ok = tw_owner_valid(user, why, sizeof(why));
	if (ok && v[n] == ':') {
		what = "group";
		ok = tw_owner_valid(v + n + 1, why, sizeof(why));
	}
	if (!ok)
		return tw_xml_el_fail(e, "DAC label '%s': %s %s", tw_xml_quote(v, q), what, why);
	tw_strscpy(dom->dac_user, user, sizeof(dom->dac_user));
	return 0;
}

/* Who QEMU runs as, when the domain says so: the first DAC <seclabel>. */
static int read_seclabel(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain *dom)
{
	for (xmlNode *s = root->children; s; s = s->next) {
		if (!tw_xml_is_plain(s, "seclabel"))
			continue;
		_cleanup_xml_ xmlChar *model = xmlGetNoNsProp(s, (const xmlChar *)"model");
		xmlNode *l = tw_xml_first_plain(s, "label");
		if (!model || strcmp((const char *)model, "dac") || !l)
			continue;
		struct tw_xml_el e = { .ctx = c, .node = l, .label = "<label>", .what = "" };
		_cleanup_xml_ xmlChar *v = NULL;
		int r = text_of(&e, &v);
		return r < 0 ? r : check_dac_label(&e, (const char *)v, dom);
	}
	return 0;
}

static int read_devices(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain *dom)
{
	int r = 0;
	for (xmlNode *d = root->children; r == 0 && d; d = d->next) {
		if (!tw_xml_is_plain(d, "devices"))
			continue;
		for (xmlNode *k = d->children; r == 0 && k; k = k->next) {
			if (!tw_xml_is_plain(k, "interface"))
				continue;
			struct tw_iface *ifc = TW_XML_APPEND(dom->ifaces, dom->n_ifaces);
			r = ifc ? read_iface(c, k, ifc) : tw_xml_nomem(c);
		}
	}
	return r;
}

static int read_domain(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain *dom)
{
	struct tw_xml_el e = { .ctx = c, .node = root, .label = "<domain>", .what = "" };
	xmlNode *topo = NULL;
	int r;
	if ((r = find_topology(c, root, &topo)) < 0 || (r = check_stray(c, root, topo)) < 0 ||
	    (r = tw_xml_get_str(&e, "type", false, dom->type, sizeof(dom->type))) < 0 ||
	    (r = read_name(c, root, dom)) < 0 || (r = read_uuid(c, root, dom)) < 0 ||
	    (r = read_devices(c, root, dom)) < 0 || (r = read_seclabel(c, root, dom)) < 0)
		return r;
	return topo ? tw_xml_read_net(c, topo, dom->name, &dom->net) : 0;
}

int tw_xml_read_domain(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain **out)
{
	struct tw_domain *dom = calloc(1, sizeof(*dom));
	if (!dom)
		return tw_xml_nomem(c);
	int r = read_domain(c, root, dom);
	if (r < 0) {
		tw_domain_free(dom);
		return r;
	}
	*out = dom;
	return 0;
}
