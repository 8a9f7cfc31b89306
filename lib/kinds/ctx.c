#include "kinds/ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/index.h"
#include "net/link.h"
#include "net/netns.h"
#include "kinds/kind.h"

struct tw_ctx {
	struct tw_nsctx **v; /* stable pointers: entries never move */
	size_t n, cap;
	struct tw_index by_name;
	uint32_t doom_group;
	const char *rundir;  /* where daemons keep their files (dhcp.c) */
};

struct tw_ctx *tw_ctx_new(void)
{
	struct tw_ctx *c = calloc(1, sizeof(struct tw_ctx));
	if (c && tw_random(&c->doom_group, sizeof(c->doom_group)) < 0) {
		free(c);
		return NULL;
	}
	if (c) /* far from the small numbers people give groups */
		c->doom_group |= 0x40000000u;
	return c;
}

void tw_ctx_set_rundir(struct tw_ctx *c, const char *rundir)
{
	c->rundir = rundir;
}

const char *tw_ctx_rundir(const struct tw_ctx *c)
{
	return c->rundir ? c->rundir : "/run/tapwire";
}

uint32_t tw_ctx_doom_group(struct tw_ctx *c)
{
	return c->doom_group;
}

static void ns_close(struct tw_nsctx *e)
{
	free(e->ifc);
	e->ifc = NULL;
	e->n_ifc = e->cap_ifc = 0;
	if (e->nl_open)
		tw_nl_close(&e->nl);
	if (e->fd >= 0)
		close(e->fd);
	e->nl_open = false;
	e->fd = -1;
}

void tw_ctx_free(struct tw_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		ns_close(c->v[i]);
		free(c->v[i]);
	}
	free(c->v);
	tw_index_free(&c->by_name);
	free(c);
}

static struct tw_nsctx *lookup(struct tw_ctx *c, const char *ns, bool add)
{
	size_t h = tw_hash_str(TW_HASH_SEED, ns), cursor = 0, i;
	while (tw_index_next(&c->by_name, h, &cursor, &i))
		if (!strcmp(c->v[i]->name, ns))
			return c->v[i];
	if (!add)
		return NULL;
	struct tw_nsctx **v = tw_grow(c->v, &c->cap, c->n + 1, sizeof(*v));
	if (!v)
		return NULL;
	c->v = v;
	struct tw_nsctx *e = calloc(1, sizeof(*e));
	if (!e || tw_index_add(&c->by_name, h, c->n) < 0) {
		free(e);
		return NULL;
	}
	tw_strscpy(e->name, ns, sizeof(e->name));
	e->fd = -1;
	c->v[c->n++] = e;
	return e;
}

int tw_ctx_get(struct tw_ctx *c, const char *ns, struct tw_nsctx **out)
{
	struct tw_nsctx *e = lookup(c, ns, true);
	if (!e)
		return -ENOMEM;
	if (ns[0] && e->fd < 0) {
		int fd = tw_netns_open(ns);
		if (fd < 0)
			return fd;
		e->fd = fd;
	}
	if (!e->nl_open) {
		int r = tw_nl_open_ns(&e->nl, e->fd, ns);
		if (r < 0)
			return r;
		e->nl_open = true;
	}
	*out = e;
	return 0;
}

int tw_ctx_nl(struct tw_ctx *c, const char *ns, struct tw_nl **out)
{
	struct tw_nsctx *e;
	int r = tw_ctx_get(c, ns, &e);
	if (r == 0)
		*out = &e->nl;
	return r;
}

int tw_ctx_mark_fresh(struct tw_ctx *c, const char *ns)
{
	struct tw_nsctx *e = lookup(c, ns, true);
	if (!e)
		return -ENOMEM;
	e->fresh = true;
	return 0;
}

int tw_ctx_add_fresh(struct tw_ctx *c, const char *ns, int nsfd)
{
	struct tw_nsctx *e = lookup(c, ns, true);
	if (!e) {
		close(nsfd);
		return -ENOMEM;
	}
	ns_close(e);
	e->fd = nsfd;
	e->fresh = true;
	return 0;
}

bool tw_ctx_is_fresh(struct tw_ctx *c, const char *ns)
{
	struct tw_nsctx *e = lookup(c, ns, false);
	return e && e->fresh;
}

void tw_ctx_forget(struct tw_ctx *c, const char *ns)
{
	struct tw_nsctx *e = lookup(c, ns, false);
	if (e) {
		ns_close(e);
		e->fresh = false;
	}
}

int tw_ctx_ifindex(struct tw_ctx *c, const char *ns, const char *name)
{
	struct tw_nsctx *e;
	int r = tw_ctx_get(c, ns, &e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < e->n_ifc; i++)
		if (!strcmp(e->ifc[i].name, name))
			return e->ifc[i].ifindex;
	struct tw_link l;
	r = tw_link_get(&e->nl, name, 0, &l);
	if (r < 0)
		return r;
	struct tw_ifcache *v = tw_grow(e->ifc, &e->cap_ifc, e->n_ifc + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->ifc = v;
	tw_strscpy(v[e->n_ifc].name, name, IFNAMSIZ);
	v[e->n_ifc++].ifindex = l.ifindex;
	return l.ifindex;
}

void tw_ctx_mark_dying(struct tw_ctx *c, const char *ns)
{
	struct tw_nsctx *e = lookup(c, ns, true);
	if (e)
		e->dying = true;
}

bool tw_ctx_is_dying(struct tw_ctx *c, const char *ns)
{
	struct tw_nsctx *e = lookup(c, ns, false);
	return e && e->dying;
}

/* Delete every device of ns marked for deletion in one RTM_DELLINK. */
static int reap(struct tw_ctx *c, const char *ns, char *why, size_t len)
{
	struct tw_nsctx *e;
	if (tw_ctx_get(c, ns, &e) < 0 || !e->doomed)
		return 0;
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 0 };
	int r = -ENOMEM;
	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
	    nla_put_u32(msg, IFLA_GROUP, tw_ctx_doom_group(c)) == 0)
		r = tw_nl_talk(&e->nl, msg, NULL, NULL);
	nlmsg_free(msg);
	if (r < 0 && r != -ENODEV) {
		char buf[200];
		snprintf(why, len, "cannot delete devices: %s", tw_nl_strerror(&e->nl, r, buf, sizeof(buf)));
		return r;
	}
	e->doomed = false;
	return 0;
}

int tw_ctx_reap_all(struct tw_ctx *c, char *why, size_t len)
{
	int first = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (!c->v[i]->doomed)
			continue;
		int r = reap(c, c->v[i]->name, why, len);
		if (r < 0 && !first)
			first = r;
	}
	return first;
}
