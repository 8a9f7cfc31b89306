/* The netns kind: named network namespaces, as `ip netns` makes them. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kinds/kind.h"
#include "net/link.h"
#include "net/netns.h"

static int ns_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		    size_t len)
{
	int fd = tw_netns_open(s->key.ns);
	if (fd == -ENOENT)
		return TW_ABSENT;
	if (fd < 0) {
		snprintf(why, len, "cannot open " TW_NETNS_DIR "/%s: %s", s->key.ns, strerror(-fd));
		return fd;
	}
	close(fd);
	return TW_PRESENT;
}

static int ns_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	int fd = tw_netns_create(s->key.ns);
	if (fd < 0) {
		snprintf(why, len, "%s", strerror(-fd));
		return fd;
	}
	int r = tw_ctx_add_fresh(c, s->key.ns, fd);
	struct tw_nl *nl;
	if (r == 0)
		r = tw_ctx_nl(c, s->key.ns, &nl);
	if (r == 0) {
		/* A namespace starts with lo down; `ip netns add` leaves it so,
		 * but nothing works without it (ping 127.0.0.1, local routes). */
		struct tw_link_change up = TW_LINK_CHANGE_INIT;
		up.up = 1;
		r = tw_link_change_by_name(nl, "lo", &up);
	}
	if (r < 0) {
		snprintf(why, len, "cannot set it up: %s", strerror(-r));
		tw_ctx_forget(c, s->key.ns);
		tw_netns_delete(s->key.ns);
	}
	return r;
}

static int ns_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	tw_ctx_forget(c, rec->key.ns);
	int r = tw_netns_delete(rec->key.ns);
	if (r < 0)
		snprintf(why, len, "%s", strerror(-r));
	return r;
}

static void ns_describe(const struct tw_step *s, char *buf, size_t len)
{
	snprintf(buf, len, "netns %s", s->key.ns);
}

const struct tw_kind_ops tw_netns_ops = {
	.kind = TW_K_NETNS,
	.probe = ns_probe,
	.create = ns_create,
	.remove = ns_remove,
	.describe = ns_describe,
};
