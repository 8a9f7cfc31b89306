/* An existing device (a NIC, a device made by someone else) enslaved to a
 * bridge. tapwire never deletes it; releasing the port only takes it off
 * the bridge, and only if it is still on the one tapwire put it on. The key
 * is (ns, dev); data is the bridge. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"

static int port_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		      size_t len)
{
	int r = tw_dev_probe(c, s->key.ns, s->key.name, NULL, live, why, len);
	if (r == TW_ABSENT) {
		snprintf(why, len, "no such device");
		return -ENODEV;
	}
	if (r < 0)
		return r;
	int br = tw_ctx_is_fresh(c, s->key.ns) ? -ENODEV : tw_ctx_ifindex(c, s->key.ns, s->data);
	return br > 0 && live->master == br ? TW_PRESENT : TW_ABSENT;
}

static int port_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, s->key.ns, &nl);
	int br = r < 0 ? r : tw_ctx_ifindex(c, s->key.ns, s->data);
	if (br < 0) {
		snprintf(why, len, "bridge %s: %s", s->data, strerror(-br));
		return br;
	}
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	ch.master = br; /* "up", if it was down, is an attr step of its own */
	r = tw_link_change_by_name(nl, s->key.name, &ch);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int port_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	struct tw_nl *nl;
	struct tw_link live;
	if (tw_ctx_nl(c, rec->key.ns, &nl) < 0 || tw_link_get(nl, rec->key.name, 0, &live) < 0)
		return 0; /* gone, and its enslavement with it */
	int br = tw_ctx_ifindex(c, rec->key.ns, rec->data);
	if (br <= 0 || live.master != br)
		return 0; /* moved elsewhere since: not ours to undo */
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	ch.master = 0;
	int r = tw_link_change(nl, live.ifindex, &ch);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static void port_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96];
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	snprintf(buf, len, "port %s master %s", label, s->data);
}

const struct tw_kind_ops tw_port_ops = {
	.kind = TW_K_PORT,
	.probe = port_probe,
	.create = port_create,
	.remove = port_remove,
	.describe = port_describe,
};
