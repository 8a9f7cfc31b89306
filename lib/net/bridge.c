#include "net/bridge.h"

#include <errno.h>

int tw_bridge_get(struct tw_nl *nl, const char *name, struct tw_link *out)
{
	int r = tw_link_get(nl, name, 0, out);
	if (r < 0)
		return r;
	return tw_link_is_bridge(out) ? 0 : -EMEDIUMTYPE;
}

/* Built by hand rather than with libnl-route's bridge object: libnl 3.7
 * cannot set IFLA_BR_STP_STATE. stp < 0 leaves the kernel's default. */
int tw_bridge_put(struct tw_nl *nl, const char *name, int ifindex, unsigned mtu,
		  const uint8_t *mac, int stp, bool create)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	if (create) {
		ifi.ifi_flags = IFF_UP;
		ifi.ifi_change = IFF_UP;
	}
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, create ? NLM_F_CREATE | NLM_F_EXCL : 0);
	int r = -ENOBUFS;
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto out;
	if ((name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	    (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0) ||
	    (mac && nla_put(msg, IFLA_ADDRESS, TW_MAC_LEN, mac) < 0))
		goto out;
	struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
		goto out;
	if (stp >= 0) {
		struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
		if (!data || nla_put_u32(msg, IFLA_BR_STP_STATE, (uint32_t)stp) < 0)
			goto out;
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	r = tw_nl_talk(nl, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return r;
}
