/* The addresses on a device and the route to an address, as the kernel says. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/route/addr.h>

#include "net/addr.h"

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
	struct tw_cidr *v = tw_grow(a->v, &a->cap, a->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->v = v;
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
