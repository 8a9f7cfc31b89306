/* The address kind: an IPv4 or IPv6 address on a device. The key is (ns,
 * device, "addr/len"), or "addr/len peer PEER" for a point-to-point one
 * (a tun's): IFA_LOCAL is the address, IFA_ADDRESS the peer. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/route/addr.h>

#include "kinds/kind.h"
#include "net/addr.h"

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

/* libnl refuses a local address with a prefix beside a peer, and IPv6
 * peers: a point-to-point address is built by hand. */
static int peer_request(struct tw_nl *nl, int add, int ifindex, const struct tw_cidr *c,
			const struct tw_cidr *peer)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)c->family, .ifa_prefixlen = (uint8_t)c->prefix,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (uint32_t)ifindex };
	int alen = c->family == AF_INET ? 4 : 16;
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWADDR : RTM_DELADDR,
						add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	int r = -ENOMEM;
	if (msg && nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) == 0 &&
	    nla_put(msg, IFA_LOCAL, alen, c->addr) == 0 && nla_put(msg, IFA_ADDRESS, alen, peer->addr) == 0)
		r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
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

/* "addr/len" or "addr/len peer PEER": the address and, maybe, its peer. */
static int parse_key(const char *arg, struct tw_cidr *cidr, struct tw_cidr *peer, bool *has_peer)
{
	char text[sizeof(((struct tw_key *)0)->arg)];
	tw_strscpy(text, arg, sizeof(text));
	char *p = strstr(text, " peer ");
	*has_peer = p != NULL;
	if (p) {
		*p = 0;
		if (tw_ip_parse(p + 6, peer) < 0)
			return -EINVAL;
	}
	return tw_cidr_parse(text, false, cidr);
}

static int addr_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct tw_cidr cidr, peer;
	struct tw_nl *nl = NULL;
	bool has_peer;
	int r = parse_key(s->key.arg, &cidr, &peer, &has_peer);
	int ifindex = r < 0 ? r : dev_index(c, s->key.ns, s->key.name, &nl);
	if (ifindex < 0) {
		snprintf(why, len, "%s", strerror(-ifindex));
		return ifindex;
	}
	r = has_peer ? peer_request(nl, 1, ifindex, &cidr, &peer) : addr_request(nl, 1, ifindex, &cidr);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int addr_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	struct tw_cidr cidr, peer;
	struct tw_nl *nl = NULL;
	bool has_peer;
	if (parse_key(rec->key.arg, &cidr, &peer, &has_peer) < 0)
		return 0;
	int ifindex = dev_index(c, rec->key.ns, rec->key.name, &nl);
	if (ifindex == -ENODEV || ifindex == -ENOENT)
		return 0; /* the device (or its namespace) is gone, and the address with it */
	if (ifindex < 0) {
		snprintf(why, len, "%s", strerror(-ifindex));
		return ifindex;
	}
	int r = has_peer ? peer_request(nl, 0, ifindex, &cidr, &peer) : addr_request(nl, 0, ifindex, &cidr);
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
