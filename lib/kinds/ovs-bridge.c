/* The ovs-bridge kind: an Open vSwitch bridge, key ("", name); made with
 * add-br, its device (ovs-vswitchd's: kind "openvswitch" on the kernel
 * datapath, a tap on the userspace one) brought up by netlink; removed with
 * del-br. It lives where ovs-vswitchd runs, which is where tapwire runs
 * (use --netns for another namespace). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "net/ovs.h"

/* ---- OVS bridges */

static int br_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		    size_t len)
{
	int r = tw_ovs_bridge_exists(s->key.name, why, len);
	if (r < 0)
		return r;
	if (r == 0) {
		/* Not OVS's: a device of that name is in the way. */
		r = tw_dev_probe(c, s->key.ns, s->key.name, NULL, live, why, len);
		if (r == TW_PRESENT) {
			const char *k = live->kind[0] ? live->kind : "non-virtual";
			snprintf(why, len, "%s %s device of that name exists already, not in Open vSwitch",
				 strchr("aeiou", k[0]) ? "an" : "a", k);
			return -EEXIST;
		}
		return r;
	}
	r = tw_dev_probe(c, s->key.ns, s->key.name, NULL, live, why, len);
	if (r == TW_ABSENT) {
		snprintf(why, len, "it is in the Open vSwitch database but has no device (is ovs-vswitchd running?)");
		return -ENODEV;
	}
	return r;
}

/* ovs-vswitchd makes the bridge's device once the database says so, and
 * ovs-vsctl waits for that; it comes down, as new devices do. */
static int bring_up(struct tw_ctx *c, const char *ns, const char *name, char *why, size_t len)
{
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, ns, &nl);
	for (int tries = 0; r == 0; tries++) {
		struct tw_link_change ch = TW_LINK_CHANGE_INIT;
		ch.up = 1;
		r = tw_link_change_by_name(nl, name, &ch);
		if (r != -ENODEV || tries == 40)
			break;
		usleep(50 * 1000);
		r = 0;
	}
	if (r < 0)
		snprintf(why, len, "cannot bring its device up: %s", strerror(-r));
	return r;
}

static int br_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_bridge_spec *b = s->spec;
	const char *args[24];
	char dp[48], hw[64], mtu[32], macs[TW_MAC_STRLEN];
	size_t n = 0;
	args[n++] = "--may-exist";
	args[n++] = "add-br";
	args[n++] = b->name;
	args[n++] = "--";
	args[n++] = "set";
	args[n++] = "Bridge";
	args[n++] = b->name;
	/* Its MAC would follow its ports' otherwise, as a Linux bridge's
	 * does (see bridge.c): a fixed one, given or random. */
	uint8_t mac[TW_MAC_LEN];
	if (b->has_mac) {
		memcpy(mac, b->mac, TW_MAC_LEN);
	} else if (tw_random(mac, TW_MAC_LEN) < 0) {
		snprintf(why, len, "no random bytes for a MAC");
		return -EIO;
	}
	mac[0] = b->has_mac ? mac[0] : (uint8_t)((mac[0] & 0xfc) | 0x02);
	tw_mac_format(mac, macs);
	tw_ovs_setting(hw, sizeof(hw), "other_config:hwaddr", macs);
	args[n++] = hw;
	if (b->datapath[0]) {
		snprintf(dp, sizeof(dp), "datapath_type=%s", b->datapath);
		args[n++] = dp;
	}
	if (b->stp != TW_UNSET)
		args[n++] = b->stp ? "stp_enable=true" : "stp_enable=false";
	if (s->mtu) {
		snprintf(mtu, sizeof(mtu), "mtu_request=%u", s->mtu);
		args[n++] = "--";
		args[n++] = "set";
		args[n++] = "Interface";
		args[n++] = b->name;
		args[n++] = mtu;
	}
	args[n] = NULL;
	int r = tw_ovs_do(args, why, len);
	if (r == 0 && (r = bring_up(c, s->key.ns, b->name, why, len)) < 0) {
		const char *undo[] = { "--if-exists", "del-br", b->name, NULL };
		tw_ovs_vsctl(undo, NULL, 0);
	}
	return r;
}

static int br_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	const char *args[] = { "--if-exists", "del-br", rec->key.name, NULL };
	return tw_ovs_do(args, why, len);
}

static void br_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_bridge_spec *b = s->spec;
	char mtu[24] = "";
	if (s->mtu)
		snprintf(mtu, sizeof(mtu), " mtu %u", s->mtu);
	const char *stp = !b || b->stp == TW_UNSET ? "" : b->stp ? " stp on" : " stp off";
	snprintf(buf, len, "ovs-bridge %s%s%s%s%s", s->key.name, b && b->datapath[0] ? " datapath " : "",
		 b ? b->datapath : "", mtu, stp);
}

const struct tw_kind_ops tw_ovsbr_ops = {
	.kind = TW_K_OVSBR,
	.probe = br_probe,
	.create = br_create,
	.remove = br_remove,
	.describe = br_describe,
};

