/* The bridge kind: Linux bridges tapwire makes or uses. */
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "net/bridge.h"

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
