/* A namespace's sysctl that tapwire changed: IPv4 forwarding, which NAT
 * needs. The key is (ns, setting, ""), data the value from before, which
 * comes back when the last owner that needed the change is gone (as ATTR
 * does for a device's settings). /proc/sys/net shows the namespace of the
 * process that opens it, so each read and write happens inside ns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kinds/kind.h"
#include "kinds/sysctl.h"
#include "net/nl.h"

static const struct {
	const char *name; /* as the key says it */
	const char *path;
} known[] = {
	{ "ip_forward", "/proc/sys/net/ipv4/ip_forward" },
};

static const char *path_of(const char *name)
{
	for (size_t i = 0; i < TW_ARRAY_SIZE(known); i++)
		if (!strcmp(known[i].name, name))
			return known[i].path;
	return NULL;
}

struct io {
	const char *path;
	char *buf;         /* read into */
	size_t len;
	const char *value; /* or write this */
};

static int io_here(void *arg)
{
	struct io *a = arg;
	if (!a->value) {
		ssize_t n = tw_read_small(a->path, a->buf, a->len);
		return n < 0 ? (int)n : 0;
	}
	int fd = open(a->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(a->value);
	int r = write(fd, a->value, n) == (ssize_t)n ? 0 : -errno;
	close(fd);
	return r;
}

static int io_in(struct tw_ctx *c, const char *ns, struct io *a)
{
	struct tw_nsctx *e;
	if (!a->path)
		return -EINVAL;
	int r = tw_ctx_get(c, ns, &e);
	return r < 0 ? r : tw_in_netns(e->fd, io_here, a);
}

int tw_sysctl_get(struct tw_ctx *c, const char *ns, const char *name, char *buf, size_t len)
{
	struct io a = { path_of(name), buf, len, NULL };
	return io_in(c, ns, &a);
}

static int set(struct tw_ctx *c, const char *ns, const char *name, const char *value, char *why,
	       size_t len)
{
	struct io a = { path_of(name), NULL, 0, value };
	int r = io_in(c, ns, &a);
	if (r < 0)
		snprintf(why, len, "writing %s: %s", a.path ? a.path : name, strerror(-r));
	return r;
}

static int sysctl_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live,
			char *why, size_t len)
{
	return TW_ABSENT; /* the planner compares the value itself */
}

static int sysctl_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	return set(c, s->key.ns, s->key.name, s->value, why, len);
}

static int sysctl_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	if (!rec->data[0])
		return 0;
	int r = set(c, rec->key.ns, rec->key.name, rec->data, why, len);
	return r == -ENOENT ? 0 : r; /* the namespace is gone, and its setting with it */
}

/* As tapwire set it: no longer the value from before. */
static bool sysctl_live(struct tw_ctx *c, const struct tw_rec *r)
{
	char now[32];
	return tw_sysctl_get(c, r->key.ns, r->key.name, now, sizeof(now)) == 0 &&
	       strcmp(now, r->data);
}

static void sysctl_describe(const struct tw_step *s, char *buf, size_t len)
{
	snprintf(buf, len, "sysctl %s%s%s%s %s -> %s", s->key.ns[0] ? "[" : "", s->key.ns,
		 s->key.ns[0] ? "] " : "", s->key.name, s->data[0] ? s->data : "?", s->value);
}

const struct tw_kind_ops tw_sysctl_ops = {
	.kind = TW_K_SYSCTL,
	.probe = sysctl_probe,
	.create = sysctl_create,
	.remove = sysctl_remove,
	.describe = sysctl_describe,
	.live = sysctl_live,
};
