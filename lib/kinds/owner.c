/* The "owner" setting (contract section 5): a tun, tap or macvtap tapwire
 * made, given a new owner and group by a later `up`. The value is
 * "UID:GID", "-" for none (engine/plan-owner.c plans it).
 *
 * A macvtap's owner is its /dev/tapN node's: chowned, once the node is
 * shown to be the device's own (macvtap.c). A tun/tap's is the device's:
 * TUNSETOWNER needs an fd attached to it, and a single-queue device a
 * process holds takes no second one (EBUSY). With --force the device is
 * made again, as it was (flags, MTU, MAC, master, addresses), with the new
 * owner: the holder loses it, which the plan said. */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinds/kind.h"
#include "net/addr-move.h"
#include "net/macvlan.h"
#include "net/tap.h"

static int parse_id(const char *s, size_t n, unsigned long *out)
{
	char buf[24];
	if (n == 1 && s[0] == '-') {
		*out = (unsigned long)-1;
		return 0;
	}
	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	return tw_parse_uint(buf, 0, 0xfffffffeUL, out);
}

static int parse_ids(const char *v, uid_t *uid, gid_t *gid)
{
	const char *colon = strchr(v, ':');
	unsigned long u, g;
	if (!colon || parse_id(v, (size_t)(colon - v), &u) < 0 ||
	    parse_id(colon + 1, strlen(colon + 1), &g) < 0)
		return -EINVAL;
	*uid = u == (unsigned long)-1 ? (uid_t)-1 : (uid_t)u;
	*gid = g == (unsigned long)-1 ? (gid_t)-1 : (gid_t)g;
	return 0;
}

static int macvtap_own(const struct tw_link *live, uid_t uid, gid_t gid, char *why, size_t len)
{
	char other[IFNAMSIZ] = "";
	int r = tw_macvtap_node_check(live->name, live->ifindex, other, sizeof(other));
	if (r < 0) {
		snprintf(why, len, "/dev/tap%d is not its own (%s): not changed", live->ifindex,
			 other[0] ? other : strerror(-r));
		return r;
	}
	r = tw_macvtap_node_own(live->ifindex, uid, gid);
	if (r < 0)
		snprintf(why, len, "giving /dev/tap%d to its owner: %s", live->ifindex, strerror(-r));
	return r;
}

/* What the old device had, back on the new one exactly as the kernel
 * dumped it: addresses with their peers (a tun's point-to-point address),
 * flags and lifetimes, and the routes through it (IPv6 link-local addresses
 * and the kernel's own routes come by themselves). */
static int restore(struct tw_nl *nl, const char *dev, const struct tw_moveset *set, char *why,
		   size_t len)
{
	struct tw_link now;
	int r = tw_link_get(nl, dev, 0, &now);
	for (size_t i = 0; r == 0 && i < set->n; i++) {
		const struct tw_rtmsg *m = &set->v[i];
		r = m->type == RTM_NEWADDR ? tw_move_addr_add(nl, m, now.ifindex, dev, dev, 0) :
					     tw_move_route_put(nl, m, now.ifindex);
		if (r < 0) {
			char what[128];
			tw_rtmsg_describe(m, what, sizeof(what));
			snprintf(why, len, "recreating it (--force): %s: %s", what, strerror(-r));
		}
	}
	return r;
}

static int recreate(struct tw_ctx *c, const char *ns, const char *dev, struct tw_nl *nl,
		    const struct tw_link *live, uid_t uid, gid_t gid, char *why, size_t len)
{
	struct tw_moveset set = { 0 };
	int r = tw_move_dump(nl, live->ifindex, &set);
	if (r == 0)
		r = tw_link_delete(nl, live->ifindex);
	if (r < 0) {
		snprintf(why, len, "recreating it (--force): %s", strerror(-r));
		tw_moveset_free(&set);
		return r;
	}
	struct tw_tap_opts o = { .name = dev, .vnet_hdr = live->tun.vnet_hdr,
				 .multi_queue = live->tun.multi_queue, .persist = true,
				 .owner = uid, .group = gid, .tun = live->tun.type == IFF_TUN };
	struct tw_nsctx *e;
	r = tw_dev_make_tun(c, ns, &o, &e, why, len);
	if (r == 0) {
		struct tw_link_change ch = TW_LINK_CHANGE_INIT;
		ch.mtu = live->mtu;
		if (!o.tun)
			ch.mac = live->mac;
		if (live->master > 0)
			ch.master = live->master;
		r = tw_link_come_up(&e->nl, dev, &ch, false);
		if (r < 0)
			tw_nl_strerror(&e->nl, r, why, len);
	}
	if (r == 0)
		r = restore(&e->nl, dev, &set, why, len);
	tw_moveset_free(&set);
	return r;
}

static int tun_own(struct tw_ctx *c, const char *ns, const char *dev, bool force, struct tw_nl *nl,
		   const struct tw_link *live, uid_t uid, gid_t gid, char *why, size_t len)
{
	short flags = (live->tun.type == IFF_TUN ? IFF_TUN : IFF_TAP) | IFF_NO_PI;
	if (live->tun.multi_queue)
		flags |= IFF_MULTI_QUEUE;
	if (live->tun.vnet_hdr)
		flags |= IFF_VNET_HDR;
	struct tw_nsctx *e;
	int fd = tw_dev_tun_fd(c, ns, &e);
	int r = fd < 0 ? fd : tw_tap_set_owner(fd, dev, flags, uid, gid);
	if (fd >= 0)
		close(fd);
	if (r == -EBUSY && force)
		return recreate(c, ns, dev, nl, live, uid, gid, why, len);
	if (r == -EBUSY)
		snprintf(why, len, "a process holds it; --force recreates it with the new owner");
	else if (r < 0)
		snprintf(why, len, "changing its owner: %s", strerror(-r));
	return r;
}

int tw_owner_set(struct tw_ctx *c, const char *ns, struct tw_nl *nl, const struct tw_link *live,
		 const char *value, bool force, char *why, size_t len)
{
	uid_t uid;
	gid_t gid;
	if (parse_ids(value, &uid, &gid) < 0) {
		snprintf(why, len, "bad owner value '%s'", value);
		return -EINVAL;
	}
	if (!strcmp(live->kind, "macvtap"))
		return macvtap_own(live, uid, gid, why, len);
	if (!strcmp(live->kind, "tun"))
		return tun_own(c, ns, live->name, force, nl, live, uid, gid, why, len);
	snprintf(why, len, "a %s device has no owner", live->kind[0] ? live->kind : "plain");
	return -EINVAL;
}
