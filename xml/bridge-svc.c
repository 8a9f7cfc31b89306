/* The services of a <tw:bridge> (contract section 7): its <tw:nat/> and
 * <tw:dhcp> children, with every rule that needs only the file: a range or a
 * host lies in the subnet of an IPv4 address the bridge is given, ranges do
 * not overlap, a MAC has one fixed lease. Whether NAT has a way out is a
 * fact of the running system: the planner checks it (plan-svc.c). */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tw_xml_el child_el(const struct tw_xml_el *parent, xmlNode *n, char *label,
				 size_t len)
{
	tw_xml_label(n, label, len);
	return (struct tw_xml_el){ .ctx = parent->ctx, .node = n, .label = label, .what = "" };
}

static uint32_t v4(const struct tw_cidr *a)
{
	uint32_t x;
	memcpy(&x, a->addr, 4);
	return ntohl(x);
}

/* The IPv4 address of b whose subnet holds ip, or NULL. */
static const struct tw_cidr *subnet_of(const struct tw_bridge_spec *b, const struct tw_cidr *ip)
{
	for (size_t i = 0; i < b->addrs.n; i++) {
		const struct tw_cidr *a = &b->addrs.v[i];
		if (a->family != AF_INET || ip->family != AF_INET)
			continue;
		uint32_t mask = a->prefix ? ~0u << (32 - a->prefix) : 0;
		if ((v4(a) & mask) == (v4(ip) & mask))
			return a;
	}
	return NULL;
}

static bool has_v4(const struct tw_bridge_spec *b)
{
	for (size_t i = 0; i < b->addrs.n; i++)
		if (b->addrs.v[i].family == AF_INET)
			return true;
	return false;
}

/* ip must be in a subnet of the bridge: "range start 10.0.9.1". */
static int in_subnet(const struct tw_xml_el *e, const struct tw_bridge_spec *b,
		     const struct tw_cidr *ip, const char *what)
{
	char s[INET_ADDRSTRLEN] = "?";
	inet_ntop(AF_INET, ip->addr, s, sizeof(s));
	if (ip->family != AF_INET)
		return tw_xml_el_fail(e, "%s: DHCP hands out IPv4 addresses only", what);
	if (!has_v4(b))
		return tw_xml_el_fail(e, "%s %s: bridge %s has no IPv4 address for it; give the bridge "
				      "address= in that subnet", what, s, b->name);
	if (!subnet_of(b, ip))
		return tw_xml_el_fail(e, "%s %s is outside the subnets of bridge %s", what, s, b->name);
	return 0;
}

static int read_nat(const struct tw_xml_el *e, struct tw_bridge_spec *b)
{
	static const char *const attrs[] = { "uplink", NULL };
	int r;
	if ((r = tw_xml_check_attrs(e, attrs)) < 0 || (r = tw_xml_check_leaf(e)) < 0 ||
	    (r = tw_xml_get_ifname(e, "uplink", false, b->svc->uplink)) < 0)
		return r;
	if (!has_v4(b))
		return tw_xml_el_fail(e, "bridge %s has no IPv4 address: NAT masquerades the subnets of "
				      "its IPv4 addresses; give it address=", b->name);
	if (!strcmp(b->svc->uplink, b->name))
		return tw_xml_el_fail(e, "uplink %s is the bridge itself", b->name);
	b->svc->nat = true;
	b->svc->nat_line = (int)tw_xml_line(e->node);
	return 0;
}

/* "10.0.5.100,10.0.5.199", several separated by spaces. */
static int read_ranges(const struct tw_xml_el *e, struct tw_bridge_spec *b)
{
	struct tw_bridge_svc *s = b->svc;
	char text[512], q[TW_XML_QUOTE_MAX];
	int r = tw_xml_get_str(e, "range", true, text, sizeof(text));
	if (r < 0)
		return r;
	char *save = NULL;
	for (char *tok = strtok_r(text, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *comma = strchr(tok, ',');
		if (s->n_ranges == TW_DHCP_RANGES_MAX)
			return tw_xml_el_fail(e, "more than %d ranges", TW_DHCP_RANGES_MAX);
		if (!comma)
			return tw_xml_el_fail(e, "range '%s' is not START,END", tw_xml_quote(tok, q));
		*comma = 0;
		struct tw_cidr *lo = &s->ranges[s->n_ranges].lo, *hi = &s->ranges[s->n_ranges].hi;
		if (tw_ip_parse(tok, lo) < 0 || tw_ip_parse(comma + 1, hi) < 0)
			return tw_xml_el_fail(e, "range '%s,%s' is not two IP addresses", tw_xml_quote(tok, q),
					      comma + 1);
		if ((r = in_subnet(e, b, lo, "range start")) < 0 || (r = in_subnet(e, b, hi, "range end")) < 0)
			return r;
		if (v4(lo) > v4(hi))
			return tw_xml_el_fail(e, "range %s,%s ends before it starts", tok, comma + 1);
		if (subnet_of(b, lo) != subnet_of(b, hi))
			return tw_xml_el_fail(e, "range %s,%s spans two subnets", tok, comma + 1);
		for (size_t k = 0; k < s->n_ranges; k++)
			if (v4(lo) <= v4(&s->ranges[k].hi) && v4(&s->ranges[k].lo) <= v4(hi))
				return tw_xml_el_fail(e, "range %s,%s overlaps an earlier range", tok, comma + 1);
		s->n_ranges++;
	}
	if (!s->n_ranges)
		return tw_xml_el_fail(e, "range is empty");
	return 0;
}

/* dnsmasq's lease time: seconds, or a number with s, m, h, d or w, or
 * "infinite". */
static int read_lease(const struct tw_xml_el *e, struct tw_bridge_svc *s)
{
	char q[TW_XML_QUOTE_MAX];
	int r = tw_xml_get_str(e, "lease", false, s->lease, sizeof(s->lease));
	if (r < 0 || !s->lease[0] || !strcmp(s->lease, "infinite"))
		return r;
	size_t digits = strspn(s->lease, "0123456789");
	const char *unit = s->lease + digits;
	if (!digits || digits > 9 || s->lease[0] == '0' || (unit[0] && (unit[1] || !strchr("smhdw", unit[0]))))
		return tw_xml_el_fail(e, "lease '%s' is not a time (3600, 45m, 12h, 7d, infinite)",
				      tw_xml_quote(s->lease, q));
	return 0;
}

static bool dns_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 63 || s[0] == '-' || s[0] == '.' || s[n - 1] == '.' || strstr(s, ".."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}

static int read_host(const struct tw_xml_el *dhcp, xmlNode *n, struct tw_bridge_spec *b)
{
	static const char *const attrs[] = { "mac", "ip", "name", NULL };
	char label[64], q[TW_XML_QUOTE_MAX];
	struct tw_xml_el e = child_el(dhcp, n, label, sizeof(label));
	struct tw_bridge_svc *s = b->svc;
	if (s->n_hosts == TW_DHCP_HOSTS_MAX)
		return tw_xml_el_fail(&e, "more than %d hosts", TW_DHCP_HOSTS_MAX);
	struct tw_dhcp_host *h = TW_XML_APPEND(s->hosts, s->n_hosts);
	if (!h)
		return tw_xml_nomem(e.ctx);
	h->line = (int)tw_xml_line(n);
	bool has_mac = false, has_ip = false;
	int r;
	if ((r = tw_xml_check_attrs(&e, attrs)) < 0 || (r = tw_xml_check_leaf(&e)) < 0 ||
	    (r = tw_xml_get_mac(&e, "mac", &has_mac, h->mac)) < 0 ||
	    (r = tw_xml_get_ip(&e, "ip", TW_XML_UNICAST, &has_ip, &h->ip)) < 0 ||
	    (r = tw_xml_get_str(&e, "name", false, h->name, sizeof(h->name))) < 0)
		return r;
	if (!has_mac || !has_ip)
		return tw_xml_el_fail(&e, "a host needs mac= and ip=");
	if (h->name[0] && !dns_name_valid(h->name))
		return tw_xml_el_fail(&e, "name '%s' is not a host name (letters, digits, '-', '.')",
				      tw_xml_quote(h->name, q));
	if ((r = in_subnet(&e, b, &h->ip, "host ip")) < 0)
		return r;
	char m[TW_MAC_STRLEN];
	tw_mac_format(h->mac, m);
	for (size_t k = 0; k + 1 < s->n_hosts; k++) {
		if (!memcmp(s->hosts[k].mac, h->mac, TW_MAC_LEN))
			return tw_xml_el_fail(&e, "mac %s has a host already (line %d)", m, s->hosts[k].line);
		if (tw_cidr_equal(&s->hosts[k].ip, &h->ip))
			return tw_xml_el_fail(&e, "ip is given to another host already (line %d)",
					      s->hosts[k].line);
		if (h->name[0] && !strcasecmp(s->hosts[k].name, h->name))
			return tw_xml_el_fail(&e, "name %s is taken by another host (line %d)", h->name,
					      s->hosts[k].line);
	}
	return 0;
}

static int read_dhcp(const struct tw_xml_el *e, struct tw_bridge_spec *b)
{
	static const char *const attrs[] = { "range", "lease", "dns", NULL };
	enum tw_tristate dns = TW_UNSET;
	int r;
	if ((r = tw_xml_check_attrs(e, attrs)) < 0 || (r = tw_xml_check_no_text(e)) < 0 ||
	    (r = read_ranges(e, b)) < 0 || (r = read_lease(e, b->svc)) < 0 ||
	    (r = tw_xml_get_bool(e, "dns", "yes", "no", &dns)) < 0)
		return r;
	b->svc->dhcp = true;
	b->svc->dns = dns != TW_NO;
	b->svc->dhcp_line = (int)tw_xml_line(e->node);
	for (xmlNode *k = e->node->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!tw_xml_is(k, "host")) {
			char label[64];
			tw_xml_label(k, label, sizeof(label));
			return tw_xml_fail(e->ctx, tw_xml_line(k), e->label,
					   "unexpected element %s inside; expected <tw:host>", label);
		}
		if ((r = read_host(e, k, b)) < 0)
			return r;
	}
	return 0;
}

int tw_xml_read_bridge_svc(const struct tw_xml_el *e, struct tw_bridge_spec *b)
{
	int r = tw_xml_check_no_text(e);
	for (xmlNode *k = e->node->children; r == 0 && k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		char label[64];
		struct tw_xml_el c = child_el(e, k, label, sizeof(label));
		bool nat = tw_xml_is(k, "nat"), dhcp = tw_xml_is(k, "dhcp");
		if (!nat && !dhcp)
			return tw_xml_fail(e->ctx, tw_xml_line(k), e->label, "unexpected element %s inside; "
					   "expected <tw:nat> or <tw:dhcp>", label);
		if (b->type != TW_BRIDGE_LINUX)
			return tw_xml_el_fail(&c, "NAT and DHCP are for Linux bridges, not type='ovs'");
		if (!b->svc && !(b->svc = calloc(1, sizeof(*b->svc))))
			return tw_xml_nomem(e->ctx);
		if ((nat && b->svc->nat) || (dhcp && b->svc->dhcp))
			return tw_xml_el_fail(&c, "a second %s in bridge %s", label, b->name);
		r = nat ? read_nat(&c, b) : read_dhcp(&c, b);
	}
	return r;
}
