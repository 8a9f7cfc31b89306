#include "net/link.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <netlink/attr.h>

#include "net/brport.h"

static void copy_str_attr(char *dst, size_t len, const struct nlattr *a)
{
	if (a)
		snprintf(dst, len, "%.*s", nla_len(a), (const char *)nla_data(a));
}

static void parse_info_data(struct tw_link *out, struct nlattr *data)
{
	if (!strcmp(out->kind, "bridge")) {
		struct nlattr *br[IFLA_BR_MAX + 1];
		if (nla_parse_nested(br, IFLA_BR_MAX, data, NULL) == 0 && br[IFLA_BR_STP_STATE])
			out->stp = (int)nla_get_u32(br[IFLA_BR_STP_STATE]);
	} else if (!strcmp(out->kind, "tun")) {
		struct nlattr *t[IFLA_TUN_MAX + 1];
		if (nla_parse_nested(t, IFLA_TUN_MAX, data, NULL) < 0)
			return;
		if (t[IFLA_TUN_TYPE])
			out->tun.type = nla_get_u8(t[IFLA_TUN_TYPE]);
		if (t[IFLA_TUN_OWNER])
			out->tun.owner = (long)nla_get_u32(t[IFLA_TUN_OWNER]);
		if (t[IFLA_TUN_GROUP])
			out->tun.group = (long)nla_get_u32(t[IFLA_TUN_GROUP]);
		if (t[IFLA_TUN_PERSIST])
			out->tun.persist = nla_get_u8(t[IFLA_TUN_PERSIST]);
		if (t[IFLA_TUN_MULTI_QUEUE])
			out->tun.multi_queue = nla_get_u8(t[IFLA_TUN_MULTI_QUEUE]);
		if (t[IFLA_TUN_VNET_HDR])
			out->tun.vnet_hdr = nla_get_u8(t[IFLA_TUN_VNET_HDR]);
		if (t[IFLA_TUN_NUM_QUEUES])
			out->tun.num_queues = nla_get_u32(t[IFLA_TUN_NUM_QUEUES]);
	} else if (!strcmp(out->kind, "macvlan") || !strcmp(out->kind, "macvtap")) {
		struct nlattr *mv[IFLA_MACVLAN_MAX + 1];
		if (nla_parse_nested(mv, IFLA_MACVLAN_MAX, data, NULL) == 0 && mv[IFLA_MACVLAN_MODE])
			out->macvlan_mode = nla_get_u32(mv[IFLA_MACVLAN_MODE]);
	} else if (!strcmp(out->kind, "vxlan")) {
		struct nlattr *vx[IFLA_VXLAN_MAX + 1];
		if (nla_parse_nested(vx, IFLA_VXLAN_MAX, data, NULL) < 0)
			return;
		if (vx[IFLA_VXLAN_ID])
			out->vxlan_id = nla_get_u32(vx[IFLA_VXLAN_ID]);
		tw_vxlan_parse(out, vx);
	}
}

static int parse_link(struct nl_msg *msg, void *arg)
{
	struct tw_link *out = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	struct nlattr *tb[IFLA_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
		return -EPROTO;
	const struct ifinfomsg *ifi = nlmsg_data(nlh);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	out->link_netnsid = -1;
	copy_str_attr(out->name, sizeof(out->name), tb[IFLA_IFNAME]);
	copy_str_attr(out->alias, sizeof(out->alias), tb[IFLA_IFALIAS]);
	if (tb[IFLA_MTU])
		out->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == TW_MAC_LEN)
		memcpy(out->mac, nla_data(tb[IFLA_ADDRESS]), TW_MAC_LEN);
	if (tb[IFLA_MASTER])
		out->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_OPERSTATE])
		out->operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_LINK])
		out->link = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		out->link_netnsid = (int)nla_get_s32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_NUM_TX_QUEUES])
		out->num_tx_queues = nla_get_u32(tb[IFLA_NUM_TX_QUEUES]);
	if (tb[IFLA_NUM_RX_QUEUES])
		out->num_rx_queues = nla_get_u32(tb[IFLA_NUM_RX_QUEUES]);
	out->stp = -1;
	out->vx.learning = out->brport.learning = out->brport.neigh_suppress = -1;
	out->tun.owner = out->tun.group = -1;
	if (tb[IFLA_LINKINFO]) {
		struct nlattr *li[IFLA_INFO_MAX + 1];
		if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0) {
			copy_str_attr(out->kind, sizeof(out->kind), li[IFLA_INFO_KIND]);
			copy_str_attr(out->slave_kind, sizeof(out->slave_kind), li[IFLA_INFO_SLAVE_KIND]);
			if (li[IFLA_INFO_DATA])
				parse_info_data(out, li[IFLA_INFO_DATA]);
			tw_brport_parse(out, li[IFLA_INFO_SLAVE_DATA]);
		}
	}
	return 0;
}

static struct nl_msg *link_msg(int type, int flags, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int tw_link_get(struct tw_nl *nl, const char *name, int ifindex, struct tw_link *out)
{
	struct nl_msg *msg = link_msg(RTM_GETLINK, 0, ifindex);
	if (!msg)
		return -ENOMEM;
	/* Skip the VF and statistics blocks: we never read them. */
	if ((name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return -ENOBUFS;
	}
	out->ifindex = 0;
	int r = tw_nl_talk(nl, msg, parse_link, out);
	nlmsg_free(msg);
	if (r == 0 && out->ifindex == 0)
		r = -ENODEV;
	return r;
}

static int change(struct tw_nl *nl, int ifindex, const char *name,
		  const struct tw_link_change *c)
{
	struct nl_msg *msg = link_msg(RTM_SETLINK, 0, ifindex);
	if (!msg)
		return -ENOMEM;
	/* With index 0 the kernel finds the device by IFLA_IFNAME, so a rename
	 * is only possible by index. */
	if (name && (c->name || nla_put_string(msg, IFLA_IFNAME, name) < 0)) {
		nlmsg_free(msg);
		return c->name ? -EINVAL : -ENOBUFS;
	}
	struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));
	if (c->up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = c->up ? IFF_UP : 0;
	}
	int r = 0;
	if (c->mac)
		r |= nla_put(msg, IFLA_ADDRESS, TW_MAC_LEN, c->mac);
	if (c->mtu)
		r |= nla_put_u32(msg, IFLA_MTU, c->mtu);
	if (c->master >= 0)
		r |= nla_put_u32(msg, IFLA_MASTER, (uint32_t)c->master);
	if (c->name)
		r |= nla_put_string(msg, IFLA_IFNAME, c->name);
	if (c->alias)
		r |= nla_put_string(msg, IFLA_IFALIAS, c->alias);
	if (c->no_ipv6_ll) {
		struct nlattr *af = nla_nest_start(msg, IFLA_AF_SPEC);
		struct nlattr *in6 = af ? nla_nest_start(msg, AF_INET6) : NULL;
		if (!in6 || nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) < 0)
			r = -1;
		else {
			nla_nest_end(msg, in6);
			nla_nest_end(msg, af);
		}
	}
	if (r < 0) {
		nlmsg_free(msg);
		return -ENOBUFS;
	}
	r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	/* A kernel without IPv6 has no link-local address to skip. */
	if (r == -EAFNOSUPPORT && c->no_ipv6_ll) {
		struct tw_link_change again = *c;
		again.no_ipv6_ll = false;
		return change(nl, ifindex, name, &again);
	}
	return r;
}

int tw_link_change(struct tw_nl *nl, int ifindex, const struct tw_link_change *c)
{
	return change(nl, ifindex, NULL, c);
}

int tw_link_change_by_name(struct tw_nl *nl, const char *name, const struct tw_link_change *c)
{
	return change(nl, 0, name, c);
}

int tw_link_delete_by_name(struct tw_nl *nl, const char *name)
{
	struct tw_link live;
	int r = tw_link_get(nl, name, 0, &live);
	return r < 0 ? r : tw_link_delete(nl, live.ifindex);
}

int tw_link_delete(struct tw_nl *nl, int ifindex)
{
	struct nl_msg *msg = link_msg(RTM_DELLINK, 0, ifindex);
	if (!msg)
		return -ENOMEM;
	int r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	return r;
}

int tw_link_come_up(struct tw_nl *nl, const char *name, const struct tw_link_change *set,
		    bool bare_port)
{
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	if (set)
		ch = *set;
	if (bare_port) {
		ch.no_ipv6_ll = true;
		ch.up = -1;
		int r = tw_link_change_by_name(nl, name, &ch);
		if (r < 0)
			return r;
		ch = (struct tw_link_change)TW_LINK_CHANGE_INIT;
	}
	ch.up = 1;
	return tw_link_change_by_name(nl, name, &ch);
}
