/* Moving addresses and routes between devices as raw rtnetlink messages
 * (net/addr-move.h). */
#include "net/addr-move.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "core/util.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

void tw_moveset_free(struct tw_moveset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].body);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int tw_moveset_add(struct tw_moveset *s, uint16_t type, const void *body, size_t len)
{
	struct tw_rtmsg *v = tw_grow(s->v, &s->cap, s->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	unsigned char *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, body, len);
	s->v[s->n++] = (struct tw_rtmsg){ .type = type, .len = (uint32_t)len, .body = copy };
	return 0;
}

static size_t hdr_len(uint16_t type)
{
	return type == RTM_NEWADDR ? sizeof(struct ifaddrmsg) : sizeof(struct rtmsg);
}

static struct nlattr *attrs(const struct tw_rtmsg *m, int *rem)
{
	size_t h = NLMSG_ALIGN(hdr_len(m->type));
	*rem = m->len > h ? (int)(m->len - h) : 0;
	return (struct nlattr *)(m->body + h);
}

static struct nlattr *attr_find(const struct tw_rtmsg *m, int type)
{
	int rem;
	struct nlattr *head = attrs(m, &rem);
	return nla_find(head, rem, type);
}

/* ---- the dump */

struct dump_arg {
	int ifindex;
	struct tw_moveset *s;
};

static bool addr_moves(const struct nlmsghdr *nlh, int ifindex)
{
	const struct ifaddrmsg *ifa = nlmsg_data(nlh);
	if ((int)ifa->ifa_index != ifindex)
		return false; /* a kernel without strict dump filtering */
	/* An IPv6 link-local address comes with every device that has IPv6. */
	return ifa->ifa_family == AF_INET || (ifa->ifa_family == AF_INET6 &&
					      ifa->ifa_scope != RT_SCOPE_LINK);
}

static bool route_moves(const struct nlmsghdr *nlh, int ifindex)
{
	const struct rtmsg *rtm = nlmsg_data(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	if (rtm->rtm_protocol == RTPROT_KERNEL || (rtm->rtm_flags & RTM_F_CLONED))
		return false; /* the kernel's: it makes them again for the new device */
	if (rtm->rtm_type != RTN_UNICAST)
		return false; /* local, broadcast, multicast: the kernel's too */
	struct nlattr *tb[RTA_MAX + 1];
	if (nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return false;
	/* A multipath route or one through a nexthop object stays: it is not
	 * this device's alone. */
	return tb[RTA_OIF] && !tb[RTA_MULTIPATH] && (int)nla_get_u32(tb[RTA_OIF]) == ifindex;
}

static int on_dump(struct nl_msg *msg, void *arg)
{
	struct dump_arg *a = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	bool keep = nlh->nlmsg_type == RTM_NEWADDR ? addr_moves(nlh, a->ifindex)
		    : nlh->nlmsg_type == RTM_NEWROUTE && route_moves(nlh, a->ifindex);
	if (!keep)
		return 0;
	return tw_moveset_add(a->s, nlh->nlmsg_type, nlmsg_data(nlh), (size_t)nlmsg_datalen(nlh));
}

static int dump(struct tw_nl *nl, int type, int ifindex, struct tw_moveset *s)
{
	struct nl_msg *msg = nlmsg_alloc_simple((int)type, NLM_F_DUMP);
	int r = -ENOMEM;
	if (type == RTM_GETADDR) {
		struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC, .ifa_index = (unsigned)ifindex };
		if (msg && nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) == 0)
			r = 0;
	} else {
		struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
		if (msg && nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) == 0 &&
		    nla_put_u32(msg, RTA_OIF, (uint32_t)ifindex) == 0)
			r = 0;
	}
	struct dump_arg a = { .ifindex = ifindex, .s = s };
	if (r == 0)
		r = tw_nl_talk(nl, msg, on_dump, &a);
	nlmsg_free(msg);
	return r;
}

int tw_move_dump(struct tw_nl *nl, int ifindex, struct tw_moveset *out)
{
	int one = 1;
	/* The kernel filters the dumps by device instead of sending all. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	memset(out, 0, sizeof(*out));
	int r = dump(nl, RTM_GETADDR, ifindex, out);
	if (r == 0)
		r = dump(nl, RTM_GETROUTE, ifindex, out);
	if (r < 0)
		tw_moveset_free(out);
	return r;
}

/* ---- putting them elsewhere */

static uint32_t addr_flags(const struct tw_rtmsg *m)
{
	const struct ifaddrmsg *ifa = (const void *)m->body;
	struct nlattr *f = attr_find(m, IFA_FLAGS);
	return f ? nla_get_u32(f) : ifa->ifa_flags;
}

/* "eth0" -> none (the kernel names it after the device), "eth0:1" -> "br0:1". */
static int put_label(struct nl_msg *msg, const struct nlattr *a, const char *from, const char *to)
{
	char label[IFNAMSIZ];
	tw_strscpy(label, nla_data(a), (size_t)nla_len(a) < sizeof(label) ? (size_t)nla_len(a) + 1
									: sizeof(label));
	size_t n = strlen(from);
	if (strncmp(label, from, n) || label[n] != ':')
		return 0;
	char moved[IFNAMSIZ + 8];
	snprintf(moved, sizeof(moved), "%s%s", to, label + n);
	if (strlen(moved) >= IFNAMSIZ)
		return 0;
	return nla_put_string(msg, IFA_LABEL, moved);
}

/* A request to create or replace, with the header hdr (the message's
 * own, with the device changed). */
static struct nl_msg *msg_start(int type, const void *hdr, size_t len)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_CREATE | NLM_F_REPLACE);
	if (msg && nlmsg_append(msg, (void *)hdr, len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Each attribute of m, as put decides (copied, changed, left out). */
typedef int attr_put_fn(struct nl_msg *msg, const struct nlattr *a, void *arg);
static int copy_attrs(struct nl_msg *msg, const struct tw_rtmsg *m, attr_put_fn *put, void *arg)
{
	int rem;
	struct nlattr *a;
	nla_for_each_attr(a, attrs(m, &rem), rem, rem) {
		if (put(msg, a, arg) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int copy_attr(struct nl_msg *msg, const struct nlattr *a)
{
	return nla_put(msg, nla_type(a), nla_len(a), nla_data(a));
}

struct addr_put {
	const char *from, *to; /* device names, for labels */
};

static int addr_attr(struct nl_msg *msg, const struct nlattr *a, void *arg)
{
	const struct addr_put *ap = arg;
	int t = nla_type(a);
	if (t == IFA_LABEL)
		return put_label(msg, a, ap->from, ap->to);
	if (t == IFA_ADDRESS || t == IFA_LOCAL || t == IFA_BROADCAST || t == IFA_CACHEINFO ||
	    t == IFA_RT_PRIORITY)
		return copy_attr(msg, a);
	return 0; /* IFA_FLAGS comes last, as the move wants it */
}

static int route_attr(struct nl_msg *msg, const struct nlattr *a, void *arg)
{
	int t = nla_type(a);
	if (t == RTA_OIF)
		return nla_put_u32(msg, RTA_OIF, (uint32_t)*(const int *)arg);
	if (t == RTA_EXPIRES)
		return 0;
	if (t != RTA_CACHEINFO)
		return copy_attr(msg, a);
	/* An IPv6 route learnt from a router advertisement expires: it keeps
	 * the time it had left (clock ticks in the dump, seconds when given). */
	const struct rta_cacheinfo *ci = nla_data(a);
	long hz = sysconf(_SC_CLK_TCK);
	if (nla_len(a) < (int)sizeof(*ci) || !ci->rta_expires || hz <= 0)
		return 0;
	return nla_put_u32(msg, RTA_EXPIRES, (uint32_t)(ci->rta_expires / hz + 1));
}

int tw_move_addr_add(struct tw_nl *nl, const struct tw_rtmsg *m, int ifindex, const char *from,
		     const char *to, uint32_t extra_flags)
{
	struct ifaddrmsg ifa = *(const struct ifaddrmsg *)m->body;
	/* What the kernel works out itself: which is secondary, permanent
	 * (an infinite lifetime), tentative or deprecated. */
	uint32_t flags = (addr_flags(m) | extra_flags) &
			 ~(uint32_t)(IFA_F_SECONDARY | IFA_F_PERMANENT | IFA_F_TENTATIVE |
				     IFA_F_DADFAILED | IFA_F_DEPRECATED);
	struct nlattr *ci = attr_find(m, IFA_CACHEINFO);
	if (ci && nla_len(ci) >= (int)sizeof(struct ifa_cacheinfo) &&
	    ((const struct ifa_cacheinfo *)nla_data(ci))->ifa_valid == 0)
		return 0; /* expiring this very second: let it go */
	ifa.ifa_index = (unsigned)ifindex;
	ifa.ifa_flags = (unsigned char)flags;
	struct addr_put ap = { from, to };
	struct nl_msg *msg = msg_start(RTM_NEWADDR, &ifa, sizeof(ifa));
	int r = msg ? copy_attrs(msg, m, addr_attr, &ap) : -ENOMEM;
	if (r == 0 && nla_put_u32(msg, IFA_FLAGS, flags) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	return r;
}

int tw_move_addr_del(struct tw_nl *nl, const struct tw_rtmsg *m, int ifindex)
{
	struct ifaddrmsg ifa = *(const struct ifaddrmsg *)m->body;
	ifa.ifa_index = (unsigned)ifindex;
	ifa.ifa_flags = 0;
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELADDR, 0);
	int r = msg && nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) == 0 ? 0 : -ENOMEM;
	static const int keys[] = { IFA_LOCAL, IFA_ADDRESS };
	for (size_t k = 0; r == 0 && k < TW_ARRAY_SIZE(keys); k++) {
		struct nlattr *a = attr_find(m, keys[k]);
		if (a && nla_put(msg, keys[k], nla_len(a), nla_data(a)) < 0)
			r = -ENOMEM;
	}
	if (r == 0)
		r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	/* Gone already: with its primary (IPv4 deletes the secondaries of a
	 * primary that goes), or by an earlier run. */
	return r == -EADDRNOTAVAIL || r == -ENODEV ? 0 : r;
}

int tw_move_route_put(struct tw_nl *nl, const struct tw_rtmsg *m, int ifindex)
{
	struct rtmsg rtm = *(const struct rtmsg *)m->body;
	/* The kernel refuses to be told a nexthop is dead or its link down. */
	rtm.rtm_flags &= RTNH_F_ONLINK;
	struct nl_msg *msg = msg_start(RTM_NEWROUTE, &rtm, sizeof(rtm));
	int r = msg ? copy_attrs(msg, m, route_attr, &ifindex) : -ENOMEM;
	if (r == 0)
		r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	return r;
}

static bool same_addr(const struct tw_rtmsg *a, const struct tw_rtmsg *b)
{
	const struct ifaddrmsg *x = (const void *)a->body, *y = (const void *)b->body;
	if (a->type != RTM_NEWADDR || b->type != RTM_NEWADDR || x->ifa_family != y->ifa_family ||
	    x->ifa_prefixlen != y->ifa_prefixlen)
		return false;
	struct nlattr *p = attr_find(a, IFA_LOCAL), *q = attr_find(b, IFA_LOCAL);
	if (!p || !q) {
		p = attr_find(a, IFA_ADDRESS);
		q = attr_find(b, IFA_ADDRESS);
	}
	return p && q && nla_len(p) == nla_len(q) && !memcmp(nla_data(p), nla_data(q), (size_t)nla_len(p));
}

int tw_move_addr_refresh(struct tw_nl *nl, struct tw_moveset *s, int ifindex)
{
	struct tw_moveset now = { 0 };
	int r = dump(nl, RTM_GETADDR, ifindex, &now);
	for (size_t i = 0; r == 0 && i < s->n; i++)
		for (size_t k = 0; k < now.n; k++) {
			if (!same_addr(&s->v[i], &now.v[k]))
				continue;
			struct nlattr *mine = attr_find(&s->v[i], IFA_CACHEINFO);
			struct nlattr *theirs = attr_find(&now.v[k], IFA_CACHEINFO);
			if (mine && theirs && nla_len(mine) == nla_len(theirs))
				memcpy(nla_data(mine), nla_data(theirs), (size_t)nla_len(mine));
		}
	tw_moveset_free(&now);
	return r;
}

int tw_moveset_merge(struct tw_moveset *into, const struct tw_moveset *from)
{
	size_t had = into->n;
	for (size_t i = 0; i < from->n; i++) {
		char a[160], b[160];
		bool known = false;
		tw_rtmsg_describe(&from->v[i], a, sizeof(a));
		for (size_t k = 0; k < had && !known; k++) {
			tw_rtmsg_describe(&into->v[k], b, sizeof(b));
			known = from->v[i].type == into->v[k].type && !strcmp(a, b);
		}
		if (!known && tw_moveset_add(into, from->v[i].type, from->v[i].body, from->v[i].len) < 0)
			return -ENOMEM;
	}
	/* The addresses first, then the routes, as a dump lists them. */
	for (size_t i = had; i < into->n; i++)
		for (size_t k = i; k > 0 && into->v[k].type == RTM_NEWADDR &&
				   into->v[k - 1].type == RTM_NEWROUTE; k--) {
			struct tw_rtmsg t = into->v[k];
			into->v[k] = into->v[k - 1];
			into->v[k - 1] = t;
		}
	return 0;
}

/* ---- as text */

int tw_rtmsg_format(const struct tw_rtmsg *m, char **line)
{
	size_t n = 2 + 2 * (size_t)m->len + 2;
	char *s = malloc(n);
	if (!s)
		return -ENOMEM;
	s[0] = m->type == RTM_NEWADDR ? 'a' : 'r';
	s[1] = ' ';
	for (uint32_t i = 0; i < m->len; i++)
		snprintf(s + 2 + 2 * i, 3, "%02x", m->body[i]);
	snprintf(s + 2 + 2 * m->len, 2, "\n");
	*line = s;
	return 0;
}

int tw_rtmsg_parse(const char *line, struct tw_moveset *s)
{
	if ((line[0] != 'a' && line[0] != 'r') || line[1] != ' ')
		return -EINVAL;
	uint16_t type = line[0] == 'a' ? RTM_NEWADDR : RTM_NEWROUTE;
	const char *hex = line + 2;
	size_t n = strcspn(hex, "\n");
	if (n % 2 || n / 2 < hdr_len(type) || n / 2 > 65536)
		return -EINVAL;
	unsigned char *body = malloc(n / 2);
	if (!body)
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(body);
			return -EINVAL;
		}
		body[i] = (unsigned char)v;
	}
	int r = tw_moveset_add(s, type, body, n / 2);
	free(body);
	return r;
}

static void ip_text(int family, const struct nlattr *a, char *buf, size_t len)
{
	if (!a || nla_len(a) != (family == AF_INET ? 4 : 16) ||
	    !inet_ntop(family, nla_data(a), buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void tw_rtmsg_describe(const struct tw_rtmsg *m, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	if (m->type == RTM_NEWADDR) {
		const struct ifaddrmsg *ifa = (const void *)m->body;
		struct nlattr *l = attr_find(m, IFA_LOCAL);
		ip_text(ifa->ifa_family, l ? l : attr_find(m, IFA_ADDRESS), a, sizeof(a));
		snprintf(buf, len, "address %s/%u", a, ifa->ifa_prefixlen);
		return;
	}
	const struct rtmsg *rtm = (const void *)m->body;
	struct nlattr *dst = attr_find(m, RTA_DST), *gw = attr_find(m, RTA_GATEWAY);
	struct nlattr *prio = attr_find(m, RTA_PRIORITY), *tab = attr_find(m, RTA_TABLE);
	if (dst)
		ip_text(rtm->rtm_family, dst, a, sizeof(a));
	ip_text(rtm->rtm_family, gw, g, sizeof(g));
	char d[64];
	snprintf(d, sizeof(d), "%s/%u", a, rtm->rtm_dst_len);
	snprintf(buf, len, "route %s%s%s metric %u table %u", dst ? d : "default", gw ? " via " : "",
		 gw ? g : "", prio ? nla_get_u32(prio) : 0, tab ? nla_get_u32(tab) : rtm->rtm_table);
}
