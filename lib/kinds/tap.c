/* The tap kind: persistent taps, for QEMU to open later
 * (-netdev tap,ifname=X,script=no) or for libvirt's managed='no'. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "net/tap.h"

static int tap_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		     size_t len)
{
	const struct tw_tap_spec *t = s->spec;
	int r = tw_dev_probe(c, s->key.ns, s->key.name, "tun", live, why, len);
	if (r != TW_PRESENT)
		return r;
	if (live->tun.type && live->tun.type != IFF_TAP) {
		snprintf(why, len, "a tun (layer 3) device of that name exists already");
		return -EEXIST;
	}
	if (!live->tun.persist) {
		snprintf(why, len, "a non-persistent tap of that name exists (someone else's)");
		return -EEXIST;
	}
	if (t && !!live->tun.multi_queue != (t->queues > 1)) {
		snprintf(why, len, "exists %s multi-queue", live->tun.multi_queue ? "with" : "without");
		return -EEXIST;
	}
	return TW_PRESENT;
}

static int tap_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_tap_spec *t = s->spec;
	struct tw_tap_opts o = { .name = t->name, .vnet_hdr = t->vnet_hdr == TW_YES,
				 .multi_queue = t->queues > 1, .persist = true,
				 .owner = s->uid, .group = s->gid };
	struct tw_nsctx *e;
	int r = tw_dev_make_tun(c, s->key.ns, &o, &e, why, len);
	if (r < 0)
		return r;
	uint8_t mac[TW_MAC_LEN];
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	if (t->has_mac) {
		tw_mac_host_side(t->mac, mac);
		ch.mac = mac;
	}
	ch.mtu = s->mtu;
	if (t->bridge[0] && (ch.master = tw_ctx_ifindex(c, s->key.ns, t->bridge)) < 0)
		r = ch.master;
	if (r == 0)
		r = tw_link_come_up(&e->nl, t->name, &ch, t->bridge[0] && !t->addrs.n);
	if (r < 0) {
		tw_nl_strerror(&e->nl, r, why, len);
		tw_link_delete_by_name(&e->nl, t->name);
	}
	return r;
}

static int tap_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "tun", why, len);
}

static void tap_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_tap_spec *t = s->spec;
	char label[96], extra[160] = "";
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	if (t) {
		char mac[TW_MAC_STRLEN];
		uint8_t host[TW_MAC_LEN];
		size_t n = 0;
		if (t->owner[0])
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, " owner %s", t->owner);
		if (t->queues > 1 && n < sizeof(extra))
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, " queues %u", t->queues);
		if (t->vnet_hdr == TW_YES && n < sizeof(extra))
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, " vnet_hdr");
		if (t->has_mac && n < sizeof(extra)) {
			tw_mac_host_side(t->mac, host);
			tw_mac_format(host, mac);
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, " mac %s", mac);
		}
		if (t->bridge[0] && n < sizeof(extra))
			snprintf(extra + n, sizeof(extra) - n, " master %s", t->bridge);
	}
	snprintf(buf, len, "tap %s%s", label, extra);
}

const struct tw_kind_ops tw_tap_ops = {
	.kind = TW_K_TAP,
	.probe = tap_probe,
	.create = tap_create,
	.remove = tap_remove,
	.describe = tap_describe,
};
