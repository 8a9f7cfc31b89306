#include "bridge.h"

#include <errno.h>

int tw_bridge_get(struct tw_nl *nl, const char *name, struct tw_link *out)
{
	int r = tw_link_get(nl, name, 0, out);
	if (r < 0)
		return r;
	return tw_link_is_bridge(out) ? 0 : -EMEDIUMTYPE;
}

/* ---- the engine's operations */

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>

#include "obj.h"

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

static int br_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		    size_t len)
{
	return tw_dev_probe(c, s->key.ns, s->key.name, "bridge", live, why, len);
}

/* A bridge whose MAC nobody set takes the lowest MAC of its ports and
 * changes it whenever ports come and go (to all zeros when the last one
 * leaves), so hosts that talk to an address on the bridge keep a stale ARP
 * entry. Like libvirt, give the bridges tapwire makes a fixed one: random,
 * locally administered, unicast. */
static int stable_mac(const struct tw_bridge_spec *b, uint8_t mac[TW_MAC_LEN])
{
	if (b->has_mac) {
		memcpy(mac, b->mac, TW_MAC_LEN);
		return 0;
	}
	int r = tw_random(mac, TW_MAC_LEN);
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	return r;
}

static int br_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_bridge_spec *b = s->spec;
	struct tw_nl *nl = NULL;
	uint8_t mac[TW_MAC_LEN];
	int r = stable_mac(b, mac);
	if (r == 0)
		r = tw_ctx_nl(c, s->key.ns, &nl);
	if (r == 0)
		r = tw_bridge_put(nl, b->name, 0, s->mtu ? s->mtu : b->mtu, mac,
				  b->stp == TW_UNSET ? -1 : b->stp, true);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int br_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "bridge", why, len);
}

static void br_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_bridge_spec *b = s->spec;
	char label[96], mtu[24] = "", stp[16] = "";
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	unsigned m = s->mtu ? s->mtu : b ? b->mtu : 0;
	if (m)
		snprintf(mtu, sizeof(mtu), " mtu %u", m);
	if (b && b->stp != TW_UNSET)
		snprintf(stp, sizeof(stp), " stp %s", b->stp ? "on" : "off");
	snprintf(buf, len, "bridge %s%s%s", label, mtu, stp);
}

const struct tw_kind_ops tw_bridge_ops = {
	.kind = TW_K_BRIDGE,
	.probe = br_probe,
	.create = br_create,
	.remove = br_remove,
	.describe = br_describe,
};
