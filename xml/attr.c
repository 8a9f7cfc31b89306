/* Reading and validating one attribute at a time. Every reader produces the
 * same message shape, "<label>: [what]attr 'value' <why>", so a user learns
 * one format, and every reader quotes values through tw_xml_quote() so a
 * hostile value cannot break the one-line rule. */
#include "internal.h"

#include <errno.h>
#include <libxml/xmlmemory.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static inline void xml_freep(xmlChar **p) { xmlFree(*p); }
#define _cleanup_xml_ __attribute__((cleanup(xml_freep)))

/* The raw value, or NULL; a missing required attribute is an error. */
static int fetch(const struct tw_xml_el *e, const char *attr, bool required, xmlChar **out)
{
	*out = xmlGetNoNsProp(e->node, (const xmlChar *)attr);
	if (*out || !required)
		return 0;
	if (*e->what)
		return tw_xml_el_fail(e, "%sis missing required attribute '%s'", e->what, attr);
	return tw_xml_el_fail(e, "missing required attribute '%s'", attr);
}

static bool listed(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static void join(const char *const *list, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (; *list && used < len; list++) {
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *list);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Typo protection: on tapwire elements an attribute we do not know is a
 * mistake, never something to skip silently (nmae="br0" would otherwise
 * create nothing and say nothing). */
int tw_xml_check_attrs(const struct tw_xml_el *e, const char *const *allowed)
{
	for (const xmlAttr *a = e->node->properties; a; a = a->next) {
		if (!a->ns && listed((const char *)a->name, allowed))
			continue;
		char q[TW_XML_QUOTE_MAX], ok[200];
		join(allowed, ok, sizeof(ok));
		if (a->ns && a->ns->prefix)
			snprintf(q, sizeof(q), "%s:%s", (const char *)a->ns->prefix,
				 (const char *)a->name);
		else
			tw_xml_quote((const char *)a->name, q);
		if (!*ok)
			return tw_xml_el_fail(e, "%sunknown attribute '%s'; it takes none", e->what, q);
		return tw_xml_el_fail(e, "%sunknown attribute '%s'; allowed: %s", e->what, q, ok);
	}
	return 0;
}

static int check_text(const struct tw_xml_el *e, const xmlNode *n)
{
	if (!tw_xml_is_text(n) || xmlIsBlankNode(n))
		return 0;
	char q[TW_XML_QUOTE_MAX];
	struct tw_xml_el at = *e;
	at.node = (xmlNode *)n;
	/* Show the words, not the indentation around them. */
	char text[TW_XML_QUOTE_MAX];
	const char *t = (const char *)n->content;
	t += strspn(t, " \t\r\n");
	tw_strscpy(text, t, sizeof(text));
	for (size_t len = strlen(text); len && strchr(" \t\r\n", text[len - 1]); len--)
		text[len - 1] = 0;
	return tw_xml_el_fail(&at, "%sunexpected text '%s'", e->what, tw_xml_quote(text, q));
}

int tw_xml_check_no_text(const struct tw_xml_el *e)
{
	for (const xmlNode *n = e->node->children; n; n = n->next) {
		int r = check_text(e, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Elements that only carry attributes take no children: text or an element
 * inside one is a misplaced piece of the document, so say where it is. */
int tw_xml_check_leaf(const struct tw_xml_el *e)
{
	for (const xmlNode *n = e->node->children; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			char child[64];
			struct tw_xml_el at = *e;
			at.node = (xmlNode *)n;
			tw_xml_label(n, child, sizeof(child));
			return tw_xml_el_fail(&at, "%sunexpected element %s inside; this element takes no children",
					      e->what, child);
		}
		int r = check_text(e, n);
		if (r < 0)
			return r;
	}
	return 0;
}

bool tw_xml_has(const struct tw_xml_el *e, const char *attr)
{
	return xmlHasNsProp(e->node, (const xmlChar *)attr, NULL) != NULL;
}

typedef bool (*name_check)(const char *, char *, size_t);

static int get_name(const struct tw_xml_el *e, const char *attr, bool required, char *dst,
		    size_t len, name_check valid)
{
	_cleanup_xml_ xmlChar *v = NULL;
	int r = fetch(e, attr, required, &v);
	if (r < 0 || !v)
		return r;
	char why[128], q[TW_XML_QUOTE_MAX];
	if (!*v)
		return tw_xml_el_fail(e, "%s%s is empty", e->what, attr);
	if (!valid((const char *)v, why, sizeof(why)))
		return tw_xml_el_fail(e, "%s%s '%s' %s", e->what, attr,
				      tw_xml_quote((const char *)v, q), why);
	if (!tw_strscpy(dst, (const char *)v, len))
		return tw_xml_el_fail(e, "%s%s '%s' is too long; at most %zu bytes are allowed",
				      e->what, attr, tw_xml_quote((const char *)v, q), len - 1);
	return 0;
}

int tw_xml_get_ifname(const struct tw_xml_el *e, const char *attr, bool required,
		      char dst[IFNAMSIZ])
{
	return get_name(e, attr, required, dst, IFNAMSIZ, tw_ifname_valid);
}

int tw_xml_get_nsname(const struct tw_xml_el *e, const char *attr, bool required,
		      char dst[TW_NSNAME_MAX])
{
	return get_name(e, attr, required, dst, TW_NSNAME_MAX, tw_nsname_valid);
}

int tw_xml_get_owner(const struct tw_xml_el *e, const char *attr, bool required, char *dst,
		     size_t len)
{
	return get_name(e, attr, required, dst, len, tw_owner_valid);
}

/* Free-form words (a libvirt model or driver name): any printable text that
 * fits; control characters would only ever be an attack on a log line. */
static bool word_valid(const char *s, char *why, size_t whylen)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, whylen, "contains a control character");
			return false;
		}
	return true;
}

int tw_xml_get_str(const struct tw_xml_el *e, const char *attr, bool required, char *dst,
		   size_t len)
{
	return get_name(e, attr, required, dst, len, word_valid);
}

int tw_xml_get_uint(const struct tw_xml_el *e, const char *attr, bool required,
		    unsigned long min, unsigned long max, unsigned long *dst)
{
	_cleanup_xml_ xmlChar *v = NULL;
	int r = fetch(e, attr, required, &v);
	if (r < 0 || !v)
		return r;
	char q[TW_XML_QUOTE_MAX];
	const char *s = (const char *)v;
	r = tw_parse_uint(s, min, max, dst);
	if (r == 0)
		return 0;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return tw_xml_el_fail(e, "%s%s '%s' is not a decimal number", e->what, attr,
				      tw_xml_quote(s, q));
	return tw_xml_el_fail(e, "%s%s %s is out of range; allowed %lu..%lu", e->what, attr,
			      tw_xml_quote(s, q), min, max);
}

static int bad_choice(const struct tw_xml_el *e, const char *attr, const char *v,
		      const char *const *names)
{
	char q[TW_XML_QUOTE_MAX], list[200] = "";
	size_t n = 0, used = 0;
	while (names[n])
		n++;
	for (size_t i = 0; i < n && used < sizeof(list); i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int k = snprintf(list + used, sizeof(list) - used, "%s'%s'", sep, names[i]);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return tw_xml_el_fail(e, "%s%s '%s' must be %s", e->what, attr, tw_xml_quote(v, q), list);
}

int tw_xml_get_enum(const struct tw_xml_el *e, const char *attr, const char *const *names,
		    int *dst)
{
	_cleanup_xml_ xmlChar *v = NULL;
	int r = fetch(e, attr, false, &v);
	if (r < 0 || !v)
		return r;
	for (int i = 0; names[i]; i++)
		if (!strcmp((const char *)v, names[i])) {
			*dst = i;
			return 0;
		}
	return bad_choice(e, attr, (const char *)v, names);
}

/* Strictly the two words given: "true", "1" or "Yes" are refused, so a value
 * never means something its writer did not intend. */
int tw_xml_get_bool(const struct tw_xml_el *e, const char *attr, const char *yes,
		    const char *no, enum tw_tristate *dst)
{
	const char *const names[] = { yes, no, NULL };
	int i = -1;
	int r = tw_xml_get_enum(e, attr, names, &i);
	if (r == 0 && i >= 0)
		*dst = i == 0 ? TW_YES : TW_NO;
	return r;
}

int tw_xml_get_mac(const struct tw_xml_el *e, const char *attr, bool *has,
		   uint8_t mac[TW_MAC_LEN])
{
	_cleanup_xml_ xmlChar *v = NULL;
	int r = fetch(e, attr, false, &v);
	if (r < 0 || !v)
		return r;
	char q[TW_XML_QUOTE_MAX];
	const char *s = (const char *)v;
	if (tw_mac_parse(s, mac) < 0)
		return tw_xml_el_fail(e, "%s%s '%s' is not a MAC address like 52:54:00:12:34:56",
				      e->what, attr, tw_xml_quote(s, q));
	/* The kernel refuses both on a device (EADDRNOTAVAIL); say so here. */
	if (!tw_mac_is_unicast(mac))
		return tw_xml_el_fail(e, "%s%s '%s' is a multicast address; a device needs a unicast MAC (even first byte)",
				      e->what, attr, tw_xml_quote(s, q));
	if (tw_mac_is_zero(mac))
		return tw_xml_el_fail(e, "%s%s '%s' is all zeros; a device needs a real MAC",
				      e->what, attr, tw_xml_quote(s, q));
	*has = true;
	return 0;
}

static int add_cidr(const struct tw_xml_el *e, const char *attr, const char *item,
		    struct tw_addrs *dst)
{
	char q[TW_XML_QUOTE_MAX];
	struct tw_cidr c;
	if (tw_cidr_parse(item, false, &c) < 0) {
		if (tw_ip_parse(item, &c) == 0)
			return tw_xml_el_fail(e, "%s%s '%s' has no prefix length; write it like 10.0.1.1/24 or fd00::1/64",
					      e->what, attr, tw_xml_quote(item, q));
		return tw_xml_el_fail(e, "%s%s '%s' is not an IPv4 or IPv6 address with a prefix length (like 10.0.1.1/24 or fd00::1/64)",
				      e->what, attr, tw_xml_quote(item, q));
	}
	struct tw_cidr *slot = TW_XML_APPEND(dst->v, dst->n);
	if (!slot)
		return tw_xml_nomem(e->ctx);
	*slot = c;
	return 0;
}

/* A comma separated list; blanks around items are allowed because people
 * write "10.0.1.1/24, fd00::1/64", empty items are not. */
int tw_xml_get_addrs(const struct tw_xml_el *e, const char *attr, struct tw_addrs *dst)
{
	_cleanup_xml_ xmlChar *v = NULL;
	int r = fetch(e, attr, false, &v);
	if (r < 0 || !v)
		return r;
	char *save = NULL, *s = (char *)v;
	size_t items = 1;
	if (!*s)
		return tw_xml_el_fail(e, "%s%s is empty", e->what, attr);
	for (const char *p = s; *p; p++)
		items += *p == ',';
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save), items--) {
		tok += strspn(tok, " ");
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = 0;
		if (!n)
			break;
		if ((r = add_cidr(e, attr, tok, dst)) < 0)
			return r;
	}
	if (items)
		return tw_xml_el_fail(e, "%s%s has an empty item; separate addresses with single commas",
				      e->what, attr);
	struct tw_cidr dup;
	if ((r = tw_xml_cidr_dup(e->ctx, dst->v, dst->n, &dup)) <= 0)
		return r;
	char a[TW_CIDR_STRLEN];
	tw_cidr_format(&dup, a, sizeof(a));
	return tw_xml_el_fail(e, "%s%s '%s' is listed twice", e->what, attr, a);
}

static int cidr_cmp(const void *a, const void *b)
{
	const struct tw_cidr *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	return (x->prefix > y->prefix) - (x->prefix < y->prefix);
}

/* Sorting a copy keeps a list of 300000 addresses (4 MiB of them) from
 * costing 300000 squared comparisons. */
int tw_xml_cidr_dup(struct tw_xml_ctx *c, const struct tw_cidr *v, size_t n,
		    struct tw_cidr *dup)
{
	if (n < 2)
		return 0;
	_cleanup_free_ struct tw_cidr *sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return tw_xml_nomem(c);
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cidr_cmp);
	for (size_t i = 1; i < n; i++)
		if (!cidr_cmp(&sorted[i - 1], &sorted[i])) {
			*dup = sorted[i];
			return 1;
		}
	return 0;
}

static bool ip_multicast(const struct tw_cidr *c)
{
	if (c->family == AF_INET)
		return (c->addr[0] & 0xf0) == 0xe0;
	return c->addr[0] == 0xff;
}

static bool ip_unspecified(const struct tw_cidr *c)
{
	size_t n = c->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if (c->addr[i])
			return false;
	return true;
}

/* A plain address (no prefix); vxlan's remote must be unicast and its group
 * multicast, or the kernel refuses the link with a bare EINVAL. */
int tw_xml_get_ip(const struct tw_xml_el *e, const char *attr, enum tw_xml_cast cast,
		  bool *has, struct tw_cidr *dst)
{
	_cleanup_xml_ xmlChar *v = NULL;
	int r = fetch(e, attr, false, &v);
	if (r < 0 || !v)
		return r;
	char q[TW_XML_QUOTE_MAX];
	const char *s = (const char *)v;
	if (tw_ip_parse(s, dst) < 0)
		return tw_xml_el_fail(e, "%s%s '%s' is not an IPv4 or IPv6 address (no prefix length)",
				      e->what, attr, tw_xml_quote(s, q));
	if (ip_unspecified(dst))
		return tw_xml_el_fail(e, "%s%s '%s' is the unspecified address", e->what, attr,
				      tw_xml_quote(s, q));
	if (cast == TW_XML_MULTICAST && !ip_multicast(dst))
		return tw_xml_el_fail(e, "%s%s '%s' is not a multicast address", e->what, attr,
				      tw_xml_quote(s, q));
	if (cast == TW_XML_UNICAST && ip_multicast(dst))
		return tw_xml_el_fail(e, "%s%s '%s' is a multicast address; a unicast address is needed here",
				      e->what, attr, tw_xml_quote(s, q));
	*has = true;
	return 0;
}
