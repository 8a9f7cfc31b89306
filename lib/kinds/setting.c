/* A setting tapwire changed on a device it did not create: the MTU, the
 * master, up, the MAC, a bridge's STP, a vxlan's or bridge port's learning
 * and neigh_suppress (net/brport.h). The record keeps the value from
 * before, and releasing it puts that value back. The key is (ns, dev,
 * setting); data is the old value, step->value the new one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/bridge.h"
#include "net/brport.h"
#include "kinds/kind.h"
#include "net/ovs.h"

static int attr_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		      size_t len)
{
	return TW_ABSENT; /* the planner compares settings itself */
}

/* An Open vSwitch bridge's setting ("ovs-mtu", "ovs-stp"): in OVS's
 * database, which ovs-vswitchd applies to the device. */
static int ovs_set(const char *dev, const char *what, const char *value, char *why, size_t len)
{
	char set[48];
	bool stp = !strcmp(what, "ovs-stp");
	if (stp)
		snprintf(set, sizeof(set), "stp_enable=%s", !strcmp(value, "1") ? "true" : "false");
	else
		snprintf(set, sizeof(set), "mtu_request=%s", value);
	const char *args[] = { "set", stp ? "Bridge" : "Interface", dev, set, NULL };
	return tw_ovs_do(args, why, len);
}

static int attr_set(struct tw_ctx *c, const char *ns, const char *dev, const char *what,
		    const char *value, bool force, char *why, size_t len)
{
	if (!strncmp(what, "ovs-", 4))
		return ovs_set(dev, what, value, why, len);
	struct tw_nl *nl;
	struct tw_link live;
	int r = tw_ctx_nl(c, ns, &nl);
	if (r == 0)
		r = tw_link_get(nl, dev, 0, &live);
	if (r < 0) {
		snprintf(why, len, "%s", strerror(-r));
		return r;
	}
	if (!strcmp(what, "owner"))
		return tw_owner_set(c, ns, nl, &live, value, force, why, len);
	if (tw_evpn_setting(what)) {
		r = tw_evpn_setting_apply(nl, live.ifindex, what, !strcmp(value, "1"));
		if (r < 0)
			tw_nl_strerror(nl, r, why, len);
		return r;
	}
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	unsigned long v = 0;
	uint8_t mac[TW_MAC_LEN];
	if (!strcmp(what, "mtu") && tw_parse_uint(value, TW_MTU_MIN, TW_MTU_MAX, &v) == 0)
		ch.mtu = (unsigned)v;
	else if (!strcmp(what, "up"))
		ch.up = !strcmp(value, "1");
	else if (!strcmp(what, "master"))
		ch.master = value[0] ? tw_ctx_ifindex(c, ns, value) : 0;
	else if (!strcmp(what, "mac") && tw_mac_parse(value, mac) == 0)
		ch.mac = mac;
	else if (!strcmp(what, "stp"))
		return tw_bridge_put(nl, NULL, live.ifindex, 0, NULL, !strcmp(value, "1"), false);
	else
		return -EINVAL;
	if (ch.master < -1) {
		snprintf(why, len, "bridge %s: %s", value, strerror(-ch.master));
		return ch.master;
	}
	r = tw_link_change(nl, live.ifindex, &ch);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int attr_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	return attr_set(c, s->key.ns, s->key.name, s->key.arg, s->value, s->force, why, len);
}

static int attr_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	int r = attr_set(c, rec->key.ns, rec->key.name, rec->key.arg, rec->data, false, why, len);
	return r == -ENODEV || r == -ENOENT ? 0 : r;
}

static void attr_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96];
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	bool ovs = !strncmp(s->key.arg, "ovs-", 4);
	snprintf(buf, len, "set %s%s %s %s -> %s", ovs ? "ovs-bridge " : "", label,
		 s->key.arg + (ovs ? 4 : 0), s->data[0] ? s->data : "none",
		 s->value[0] ? s->value : "none");
}

const struct tw_kind_ops tw_setting_ops = {
	.kind = TW_K_ATTR,
	.probe = attr_probe,
	.create = attr_create,
	.remove = attr_remove,
	.describe = attr_describe,
};
