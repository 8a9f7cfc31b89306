/* Planning a changed owner= or group= on a tun, tap or macvtap that is
 * there (contract section 5): compared with what the kernel reports (the
 * device's owner and group; a macvtap's /dev/tapN node), and changed, as
 * the setting "owner" "UID:GID" (kinds/owner.c), only on a device tapwire
 * made for this owner alone. A device that was there is used as it is,
 * which the plan's note says.
 *
 * A single-queue tap or tun a process holds cannot take the fd the change
 * needs: refused (exit 1) naming the holder, unless --force, which makes
 * the device again with the new owner. */
#include "engine/plan-int.h"

#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/holders.h"

static void ids_format(long uid, long gid, char *buf, size_t len)
{
	char u[24] = "-", g[24] = "-";
	if (uid >= 0)
		snprintf(u, sizeof(u), "%ld", uid);
	if (gid >= 0)
		snprintf(g, sizeof(g), "%ld", gid);
	snprintf(buf, len, "%s:%s", u, g);
}

/* What the kernel says the owner is: 0, or -1 when it cannot tell. */
static int live_ids(const struct tw_step *dev, const struct tw_link *live, long *uid, long *gid)
{
	if (dev->key.kind != TW_K_MACVTAP) {
		*uid = live->tun.owner;
		*gid = live->tun.group;
		return 0;
	}
	char path[32];
	struct stat sb;
	snprintf(path, sizeof(path), "/dev/tap%d", live->ifindex);
	if (stat(path, &sb) < 0)
		return -1;
	*uid = (long)sb.st_uid;
	*gid = (long)sb.st_gid;
	return 0;
}

/* NULL when tapwire made it for this owner alone; else why it stays. */
static const char *not_ours(struct tw_state *st, const struct tw_step *dev, const char *owner)
{
	const struct tw_rec *r = tw_state_find(st, &dev->key);
	if (!r || !r->created || r->pending)
		return "tapwire did not create it";
	return r->n_owners == 1 && tw_rec_has_owner(r, owner) ? NULL : "another owner uses it";
}

/* The process holding a single-queue tun/tap, "" when none does. */
static void holder_of(struct tw_ctx *c, const struct tw_step *dev, const struct tw_link *live,
		      char *buf, size_t len)
{
	struct tw_nl *nl;
	buf[0] = 0;
	if (dev->key.kind == TW_K_MACVTAP || live->tun.multi_queue || tw_ctx_nl(c, dev->key.ns, &nl) < 0 ||
	    tw_dev_carrier(nl, dev->key.name) != 1)
		return;
	struct tw_holder h = { 0 };
	if (tw_tap_holder(dev->key.name, &h.pid) < 0 || !h.pid) {
		snprintf(buf, len, "a process");
		return;
	}
	tw_holder_describe(&h);
	tw_holder_format(&h, buf, len);
}

int tw_plan_owner(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, struct tw_step *dev,
		  const struct tw_link *live, struct tw_err *e)
{
	long uid, gid;
	if ((dev->uid == (uid_t)-1 && dev->gid == (gid_t)-1) || live_ids(dev, live, &uid, &gid) < 0)
		return 0;
	long want_uid = dev->uid == (uid_t)-1 ? uid : (long)dev->uid;
	long want_gid = dev->gid == (gid_t)-1 ? gid : (long)dev->gid;
	if (want_uid == uid && want_gid == gid)
		return 0;
	char old[56], val[56], label[96], held[160], loc[300];
	ids_format(uid, gid, old, sizeof(old));
	ids_format(want_uid, want_gid, val, sizeof(val));
	const char *why = not_ours(st, dev, p->owner);
	if (why) {
		snprintf(dev->note, sizeof(dev->note), "exists: use it; owner %.20s, not %.20s: %.26s",
			 old, val, why);
		dev->use_note = true;
		return 0;
	}
	holder_of(c, dev, live, held, sizeof(held));
	if (held[0] && !p->force) {
		tw_dev_label(dev->key.ns, dev->key.name, label, sizeof(label));
		return tw_err_set(e, 1, "%s%s: owner %s -> %s: held by %s, which leaves no way to change "
				  "it in place; --force recreates it (the holder loses it)",
				  tw_plan_where(p, dev->line, loc, sizeof(loc)), label, old, val, held);
	}
	if (setting(p, st, dev->key.ns, dev->key.name, "owner", true, old, val, dev->line) < 0)
		return tw_err_set(e, 1, "out of memory");
	struct tw_step *s = &p->v[p->n - 1];
	if (held[0]) {
		s->force = true;
		snprintf(s->note, sizeof(s->note), "held by %.80s: recreated (--force)", held);
	}
	return 0;
}
