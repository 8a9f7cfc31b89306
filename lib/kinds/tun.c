/* The tun kind: a persistent layer-3 IFF_TUN device, owned like a tap, for
 * a user's process (a VPN daemon, a test) to open later by name. Its
 * point-to-point address is an address step (addr.c) with a peer. */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kinds/kind.h"
#include "net/tap.h"

static int tun_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		     size_t len)
{
	int r = tw_dev_probe(c, s->key.ns, s->key.name, "tun", live, why, len);
	if (r != TW_PRESENT)
		return r;
	if (live->tun.type && live->tun.type != IFF_TUN) {
		snprintf(why, len, "a tap (layer 2) device of that name exists already");
		return -EEXIST;
	}
	if (!live->tun.persist) {
		snprintf(why, len, "a non-persistent tun of that name exists (someone else's)");
		return -EEXIST;
	}
	return TW_PRESENT;
}

static int tun_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_tun_spec *t = s->spec;
	struct tw_tap_opts o = { .name = t->name, .persist = true, .tun = true,
				 .owner = s->uid, .group = s->gid };
	struct tw_nsctx *e;
	int r = tw_dev_make_tun(c, s->key.ns, &o, &e, why, len);
	if (r < 0)
		return r;
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	ch.mtu = s->mtu;
	r = tw_link_come_up(&e->nl, t->name, &ch, false);
	if (r < 0) {
		tw_nl_strerror(&e->nl, r, why, len);
		tw_link_delete_by_name(&e->nl, t->name);
	}
	return r;
}

static int tun_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "tun", why, len);
}

static void tun_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_tun_spec *t = s->spec;
	char label[96], peer[TW_CIDR_STRLEN] = "";
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	if (t && t->has_peer) {
		tw_cidr_format(&t->peer, peer, sizeof(peer));
		*strchr(peer, '/') = 0;
	}
	snprintf(buf, len, "tun %s%s%s%s%s", label, t && t->owner[0] ? " owner " : "",
		 t ? t->owner : "", peer[0] ? " peer " : "", peer);
}

const struct tw_kind_ops tw_tun_ops = {
	.kind = TW_K_TUN,
	.probe = tun_probe,
	.create = tun_create,
	.remove = tun_remove,
	.describe = tun_describe,
};
