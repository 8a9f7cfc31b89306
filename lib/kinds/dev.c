#include "kinds/kind.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <unistd.h>

#include "net/tap.h"

void tw_dev_label(const char *ns, const char *name, char *buf, size_t len)
{
	if (ns && ns[0])
		snprintf(buf, len, "[%s] %s", ns, name);
	else
		snprintf(buf, len, "%s", name);
}

int tw_dev_probe(struct tw_ctx *c, const char *ns, const char *name, const char *kind,
		 struct tw_link *live, char *why, size_t len)
{
	if (tw_ctx_is_fresh(c, ns))
		return TW_ABSENT;
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, ns, &nl);
	if (r < 0) {
		snprintf(why, len, "cannot reach namespace %s: %s", ns, strerror(-r));
		return r;
	}
	r = tw_link_get(nl, name, 0, live);
	if (r == -ENODEV)
		return TW_ABSENT;
	if (r < 0) {
		snprintf(why, len, "cannot look it up: %s", strerror(-r));
		return r;
	}
	/* tun devices report kind "tun" for taps too. */
	if (kind && strcmp(live->kind, kind)) {
		const char *k = live->kind[0] ? live->kind : "non-virtual";
		snprintf(why, len, "%s %s device of that name exists already",
			 strchr("aeiou", k[0]) ? "an" : "a", k);
		return -EEXIST;
	}
	return TW_PRESENT;
}

int tw_dev_doom(struct tw_ctx *c, const char *ns, const char *name, const char *kind,
		char *why, size_t len)
{
	struct tw_nsctx *e;
	int r = tw_ctx_get(c, ns, &e);
	if (r == -ENOENT)
		return 0; /* its namespace is gone, and it went with it */
	if (r < 0) {
		snprintf(why, len, "cannot reach namespace %s: %s", ns, strerror(-r));
		return r;
	}
	struct tw_link live;
	r = tw_link_get(&e->nl, name, 0, &live);
	if (r == -ENODEV)
		return 0;
	if (r == 0 && kind && strcmp(live.kind, kind)) {
		/* Someone replaced it: not ours to delete. */
		return 0;
	}
	if (r == 0) {
		struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = live.ifindex };
		if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
		    nla_put_u32(msg, IFLA_GROUP, tw_ctx_doom_group(c)) < 0)
			r = -ENOMEM;
		else
			r = tw_nl_talk(&e->nl, msg, NULL, NULL);
		nlmsg_free(msg);
	}
	if (r < 0) {
		char buf[200];
		snprintf(why, len, "cannot mark it for deletion: %s",
			 tw_nl_strerror(&e->nl, r, buf, sizeof(buf)));
		return r;
	}
	e->doomed = true;
	return 0;
}

struct tun_open {
	int fd;
};

static int open_here(void *arg)
{
	((struct tun_open *)arg)->fd = tw_tap_open_ctl();
	return ((struct tun_open *)arg)->fd < 0 ? ((struct tun_open *)arg)->fd : 0;
}

static int open_tun(struct tw_nsctx *e)
{
	/* A tun or tap is born in the namespace /dev/net/tun was opened in. */
	struct tun_open op = { -1 };
	int r = e->fd >= 0 ? tw_in_netns(e->fd, open_here, &op) : open_here(&op);
	return r < 0 ? r : op.fd;
}

int tw_dev_tun_fd(struct tw_ctx *c, const char *ns, struct tw_nsctx **e)
{
	int r = tw_ctx_get(c, ns, e);
	return r < 0 ? r : open_tun(*e);
}

int tw_dev_make_tun(struct tw_ctx *c, const char *ns, const struct tw_tap_opts *o,
		    struct tw_nsctx **e, char *why, size_t len)
{
	int r = tw_ctx_get(c, ns, e);
	if (r < 0) {
		snprintf(why, len, "cannot reach namespace %s: %s", ns, strerror(-r));
		return r;
	}
	int fd = open_tun(*e);
	char name[IFNAMSIZ];
	r = fd < 0 ? fd : tw_tap_create(fd, o, name);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		snprintf(why, len, "%s", r == -EBUSY ? "a device of that name exists already" : strerror(-r));
	return r;
}
