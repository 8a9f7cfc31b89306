/* The macvtap kind: a macvlan whose frames go to a character device,
 * /dev/tapN (N its ifindex), instead of the stack. QEMU opens that node
 * (-netdev tap,fd=N), so the node, not the device, is what the owner gets.
 *
 * Ifindexes are per namespace but devtmpfs has one /dev: a macvtap whose
 * ifindex another namespace's macvtap already has gets no node at all
 * (net/macvlan.h). Such a device is made again with an ifindex whose node
 * is free, and a node that still cannot be shown to be its own is refused,
 * never handed out. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "net/macvlan.h"

#define RETRIES 8
#define CHOSEN_BASE 4096 /* far above the ifindexes a namespace counts up to */

static int mvt_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		     size_t len)
{
	return tw_macvlan_probe(c, s, "macvtap", live, why, len);
}

/* The new device's ifindex, or -errno. */
static int new_index(struct tw_nl *nl, const char *name)
{
	struct tw_link l;
	int r = tw_link_get(nl, name, 0, &l);
	return r < 0 ? r : l.ifindex;
}

static int mvt_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, s->key.ns, &nl);
	if (r < 0) {
		snprintf(why, len, "cannot reach namespace %s: %s", s->key.ns, strerror(-r));
		return r;
	}
	char other[IFNAMSIZ] = "";
	int idx = 0, want = 0;
	for (int i = 0; i < RETRIES; i++) {
		r = tw_macvlan_make(c, s, want, why, len);
		bool taken = want && (r == -EEXIST || r == -EBUSY); /* that ifindex, here */
		if (r < 0 && !taken)
			return r;
		if (r == 0) {
			if ((idx = new_index(nl, s->key.name)) < 0) {
				snprintf(why, len, "cannot find it after creating it: %s", strerror(-idx));
				return idx;
			}
			r = tw_macvtap_node_check(s->key.name, idx, other, sizeof(other));
			if (r == 0)
				break;
			tw_link_delete(nl, idx);
		}
		/* Another namespace's device has the node, or the ifindex asked
		 * for is taken here: ask for the next one whose node is free. */
		want = tw_macvtap_free_index(want ? want + 1 : CHOSEN_BASE, 1 << 16);
		if (want < 0)
			break;
	}
	if (r < 0 && r != -EEXIST && r != -ENOENT)
		return r;
	if (r < 0) {
		snprintf(why, len, "no /dev/tap%d of its own: %s (ifindexes collide across namespaces, "
			 "and devtmpfs keeps one node per name)",
			 idx, other[0] ? other : "the node is missing");
		return -EEXIST;
	}
	r = tw_macvtap_node_own(idx, s->uid, s->gid);
	if (r < 0) {
		snprintf(why, len, "giving /dev/tap%d to its owner: %s", idx, strerror(-r));
		tw_link_delete(nl, idx);
	}
	return r;
}

static int mvt_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	/* The kernel removes /dev/tapN with the device. */
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "macvtap", why, len);
}

const struct tw_kind_ops tw_macvtap_ops = {
	.kind = TW_K_MACVTAP,
	.probe = mvt_probe,
	.create = mvt_create,
	.remove = mvt_remove,
	.describe = tw_macvlan_describe,
};
