#include "engine/teardown.h"

#include <errno.h>
#include <string.h>

#include "kinds/kind.h"

/* A veth whose own namespace dies but whose peer's does not is deleted
 * through the peer, in the peer's namespace batch. */
static int doom_veth(struct tw_ctx *c, const struct tw_rec *r, char *why, size_t len)
{
	if (!tw_ctx_is_dying(c, r->key.ns))
		return tw_kind_ops(TW_K_VETH)->remove(c, r, why, len);
	char ns[TW_NSNAME_MAX] = "";
	const char *slash = strchr(r->data, '/');
	if (!slash)
		return 0;
	size_t n = (size_t)(slash - r->data);
	if (n >= sizeof(ns))
		return 0;
	memcpy(ns, r->data, n);
	ns[n] = 0;
	if (tw_ctx_is_dying(c, ns))
		return 0;
	return tw_dev_doom(c, ns, slash + 1, "veth", why, len);
}

static void keep_first(int *first, int r, char *why, size_t len, char *buf)
{
	if (r < 0 && !*first) {
		*first = r;
		tw_strscpy(why, buf, len);
	}
}

int tw_teardown(struct tw_ctx *c, struct tw_rec *const *recs, size_t n, char *why, size_t len)
{
	int first = 0;
	char buf[256];
	for (size_t i = 0; i < n; i++)
		if (recs[i]->key.kind == TW_K_NETNS)
			tw_ctx_mark_dying(c, recs[i]->key.ns);
	/* From the last kind made to the first. */
	for (int k = TW_K__MAX - 1; k > TW_K_NETNS; k--) {
		for (size_t i = 0; i < n; i++) {
			const struct tw_rec *r = recs[i];
			if ((int)r->key.kind != k)
				continue;
			buf[0] = 0;
			int rc;
			if (k == TW_K_VETH)
				rc = doom_veth(c, r, buf, sizeof(buf));
			else if (tw_ctx_is_dying(c, r->key.ns))
				rc = 0;
			else
				rc = tw_kind_ops(r->key.kind)->remove(c, r, buf, sizeof(buf));
			keep_first(&first, rc, why, len, buf);
		}
	}
	/* Every marked device of a namespace goes in one batch, masters and
	 * ports together (the kernel unlinks them in the same pass): one RCU
	 * grace period per namespace instead of one per kind or device. */
	buf[0] = 0;
	keep_first(&first, tw_ctx_reap_all(c, buf, sizeof(buf)), why, len, buf);
	for (size_t i = 0; i < n; i++) {
		if (recs[i]->key.kind != TW_K_NETNS)
			continue;
		buf[0] = 0;
		keep_first(&first, tw_kind_ops(TW_K_NETNS)->remove(c, recs[i], buf, sizeof(buf)), why, len, buf);
	}
	return first;
}
