/* IPv4 and IPv6 addresses on devices. The key is (ns, device, "addr/len"). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/route/addr.h>

#include "addr.h"
#include "obj.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

struct list_arg {
	int ifindex;
	struct tw_cidr *v;
	size_t n, cap;
};

static int on_addr(struct nl_msg *msg, void *arg)
{
	struct list_arg *a = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	const struct ifaddrmsg *ifa = nlmsg_data(nlh);
	if ((int)ifa->ifa_index != a->ifindex)
		return 0; /* a kernel without strict dump filtering */
	struct nlattr *tb[IFA_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return -EPROTO;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on
	 * point-to-point links and the same as IFA_LOCAL elsewhere. */
	struct nlattr *ad = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!ad || (size_t)nla_len(ad) != alen)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct tw_cidr *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	struct tw_cidr *c = &a->v[a->n++];
	memset(c, 0, sizeof(*c));
	c->family = ifa->ifa_family;
	c->prefix = ifa->ifa_prefixlen;
	memcpy(c->addr, nla_data(ad), alen);
	return 0;
}

int tw_addr_list(struct tw_nl *nl, int ifindex, struct tw_cidr **out, size_t *n)
{
	int one = 1;
	/* Let the kernel filter the dump by device instead of sending every
	 * address of the namespace. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC, .ifa_index = (unsigned)ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	struct list_arg a = { .ifindex = ifindex };
	int r = tw_nl_talk(nl, msg, on_addr, &a);
	nlmsg_free(msg);
	if (r < 0) {
		free(a.v);
		return r;
	}
	*out = a.v;
	*n = a.n;
	return 0;
}

static int on_route(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	struct nlattr *tb[RTA_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
		return -EPROTO;
	if (tb[RTA_OIF])
		*(int *)arg = (int)nla_get_u32(tb[RTA_OIF]);
	return 0;
}

int tw_route_dev(struct tw_nl *nl, const struct tw_cidr *dst)
{
	size_t alen = dst->family == AF_INET ? 4 : 16;
	struct rtmsg rtm = { .rtm_family = (unsigned char)dst->family,
			     .rtm_dst_len = (unsigned char)(alen * 8) };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	int r = -ENOMEM, oif = 0;
	if (msg && nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) == 0 &&
	    nla_put(msg, RTA_DST, (int)alen, dst->addr) == 0)
		r = tw_nl_talk(nl, msg, on_route, &oif);
	nlmsg_free(msg);
	if (r < 0)
		return r;
	return oif > 0 ? oif : -ENETUNREACH;
}

static int addr_request(struct tw_nl *nl, int add, int ifindex, const struct tw_cidr *c)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(c->family, c->addr, c->family == AF_INET ? 4 : 16);
	struct nl_msg *msg = NULL;
	int r = -ENOMEM;
	if (ra && local) {
		nl_addr_set_prefixlen(local, (int)c->prefix);
		rtnl_addr_set_ifindex(ra, ifindex);
		rtnl_addr_set_family(ra, c->family);
		if (rtnl_addr_set_local(ra, local) == 0 &&
		    (add ? rtnl_addr_build_add_request(ra, NLM_F_EXCL, &msg)
			 : rtnl_addr_build_delete_request(ra, 0, &msg)) == 0)
			r = tw_nl_talk(nl, msg, NULL, NULL);
	}
	nlmsg_free(msg);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return r;
}

static int addr_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		      size_t len)
{
	/* The planner lists a device's addresses once and decides; a probe
	 * per address would cost a dump each. */
	return TW_ABSENT;
}

static int dev_index(struct tw_ctx *c, const char *ns, const char *name, struct tw_nl **nl)
{
	int r = tw_ctx_nl(c, ns, nl);
	if (r < 0)
		return r;
	struct tw_link l;
	r = tw_link_get(*nl, name, 0, &l);
	return r < 0 ? r : l.ifindex;
}

static int addr_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct tw_cidr cidr;
	struct tw_nl *nl = NULL;
	int r = tw_cidr_parse(s->key.arg, false, &cidr);
	int ifindex = r < 0 ? r : dev_index(c, s->key.ns, s->key.name, &nl);
	if (ifindex < 0) {
		snprintf(why, len, "%s", strerror(-ifindex));
		return ifindex;
	}
	r = addr_request(nl, 1, ifindex, &cidr);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int addr_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	struct tw_cidr cidr;
	struct tw_nl *nl = NULL;
	if (tw_cidr_parse(rec->key.arg, false, &cidr) < 0)
		return 0;
	int ifindex = dev_index(c, rec->key.ns, rec->key.name, &nl);
	if (ifindex == -ENODEV || ifindex == -ENOENT)
		return 0; /* the device (or its namespace) is gone, and the address with it */
	if (ifindex < 0) {
		snprintf(why, len, "%s", strerror(-ifindex));
		return ifindex;
	}
	int r = addr_request(nl, 0, ifindex, &cidr);
	if (r == -EADDRNOTAVAIL || r == -ENODEV)
		return 0;
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static void addr_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96];
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	snprintf(buf, len, "address %s dev %s", s->key.arg, label);
}

const struct tw_kind_ops tw_addr_ops = {
	.kind = TW_K_ADDR,
	.probe = addr_probe,
	.create = addr_create,
	.remove = addr_remove,
	.describe = addr_describe,
};
