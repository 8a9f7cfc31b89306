/* The macvlan kind: a second MAC address on a lower device where tapwire
 * runs, made directly in its namespace (IFLA_NET_NS_FD in the creating
 * message), never moved there afterwards. */
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "net/macvlan.h"

static const uint32_t kernel_mode[] = { /* enum tw_macvlan_mode */
	[TW_MACVLAN_BRIDGE] = MACVLAN_MODE_BRIDGE,     [TW_MACVLAN_VEPA] = MACVLAN_MODE_VEPA,
	[TW_MACVLAN_PRIVATE] = MACVLAN_MODE_PRIVATE,   [TW_MACVLAN_PASSTHRU] = MACVLAN_MODE_PASSTHRU,
	[TW_MACVLAN_SOURCE] = MACVLAN_MODE_SOURCE,
};
static const char *const mode_name[] = { "bridge", "vepa", "private", "passthru", "source" };

int tw_kind_known(struct tw_ctx *c, const char *kind, char *why, size_t len)
{
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, "", &nl);
	if (r == 0)
		r = tw_link_kind_known(nl, kind);
	if (r == 0) {
		snprintf(why, len, "this kernel has no %s devices (not built in, no module)", kind);
		return -EOPNOTSUPP;
	}
	return r < 0 ? r : 0;
}

int tw_macvlan_probe(struct tw_ctx *c, const struct tw_step *s, const char *kind,
		     struct tw_link *live, char *why, size_t len)
{
	const struct tw_macvlan_spec *m = s->spec;
	int r = tw_dev_probe(c, s->key.ns, s->key.name, kind, live, why, len);
	if (r == TW_ABSENT)
		return tw_kind_known(c, kind, why, len);
	if (r == TW_PRESENT && m && live->macvlan_mode && live->macvlan_mode != kernel_mode[m->mode]) {
		const char *had = "another mode";
		for (size_t i = 0; i < TW_ARRAY_SIZE(kernel_mode); i++)
			if (kernel_mode[i] == live->macvlan_mode)
				had = mode_name[i];
		snprintf(why, len, "exists in mode %s, not %s", had, mode_name[m->mode]);
		return -EEXIST;
	}
	/* IFLA_LINK is the lower device's ifindex where it lives: where
	 * tapwire runs, whichever namespace the macvlan is in. A lower device
	 * this plan has yet to make cannot be compared, nor be it. */
	int lower = r == TW_PRESENT && m ? tw_ctx_ifindex(c, "", m->dev) : -ENODEV;
	if (lower > 0 && live->link && live->link != lower) {
		snprintf(why, len, "exists on another lower device (ifindex %d), not on %s", live->link,
			 m->dev);
		return -EEXIST;
	}
	return r;
}

static int mv_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		    size_t len)
{
	return tw_macvlan_probe(c, s, "macvlan", live, why, len);
}

int tw_macvlan_make(struct tw_ctx *c, const struct tw_step *s, int ifindex, char *why,
		    size_t len)
{
	const struct tw_macvlan_spec *m = s->spec;
	struct tw_nsctx *here, *there;
	int r = tw_ctx_get(c, "", &here);
	if (r == 0)
		r = tw_ctx_get(c, s->key.ns, &there);
	if (r < 0) {
		snprintf(why, len, "cannot reach namespace %s: %s", s->key.ns, strerror(-r));
		return r;
	}
	int lower = tw_ctx_ifindex(c, "", m->dev);
	if (lower < 0) {
		snprintf(why, len, "lower device %s: %s", m->dev, strerror(-lower));
		return lower;
	}
	struct tw_macvlan_opts o = { .name = m->name, .tap = m->tap, .lower = lower,
				     .ns_fd = s->key.ns[0] ? there->fd : -1,
				     .mode = kernel_mode[m->mode], .mac = m->has_mac ? m->mac : NULL,
				     .mtu = s->mtu, .queues = m->queues, .ifindex = ifindex,
				     .up = true };
	r = tw_macvlan_create(&here->nl, &o);
	if (r < 0)
		tw_nl_strerror(&here->nl, r, why, len);
	return r;
}

static int mv_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	return tw_macvlan_make(c, s, 0, why, len);
}

static int mv_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "macvlan", why, len);
}

static void mv_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_macvlan_spec *m = s->spec;
	char label[96], mac[TW_MAC_STRLEN] = "";
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	if (!m) {
		snprintf(buf, len, "%s %s", s->key.kind == TW_K_MACVTAP ? "macvtap" : "macvlan", label);
		return;
	}
	if (m->has_mac)
		tw_mac_format(m->mac, mac);
	char extra[64] = "";
	if (m->tap && m->owner[0])
		snprintf(extra, sizeof(extra), " owner %.48s", m->owner);
	snprintf(buf, len, "%s %s link %s mode %s%s%s%s", m->tap ? "macvtap" : "macvlan", label,
		 m->dev, mode_name[m->mode], mac[0] ? " mac " : "", mac, extra);
}

const struct tw_kind_ops tw_macvlan_ops = {
	.kind = TW_K_MACVLAN,
	.probe = mv_probe,
	.create = mv_create,
	.remove = mv_remove,
	.describe = mv_describe,
};

/* The macvtap kind shares the description (macvtap.c). */
void tw_macvlan_describe(const struct tw_step *s, char *buf, size_t len)
{
	mv_describe(s, buf, len);
}
