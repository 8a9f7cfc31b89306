#include "engine/gc.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>

#include "engine/holders.h"
#include "net/link.h"
#include "core/util.h"

/* ---- which devices carry the helper's mark */

static bool marked(const char *alias)
{
	return alias && !strncmp(alias, TW_HELPER_ALIAS_PREFIX, strlen(TW_HELPER_ALIAS_PREFIX));
}

static long alias_uid(const char *alias)
{
	const char *rest = alias + strlen(TW_HELPER_ALIAS_PREFIX);
	unsigned long uid;
	if (strncmp(rest, "uid=", 4) || tw_parse_uint(rest + 4, 0, UINT32_MAX - 1, &uid) < 0)
		return -1;
	return (long)uid;
}

/* Every device whose alias is the helper's mark (a dump: gc is no hot
 * path); what else each is, probe reads afresh. */
static int list_marked(struct tw_nl *nl, struct tw_gc_tap **out, size_t *n)
{
	struct nl_cache *cache = NULL;
	*out = NULL;
	*n = 0;
	if (rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache) < 0)
		return -EIO;
	*out = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(**out));
	if (!*out) {
		nl_cache_free(cache);
		return -ENOMEM;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(l);
		/* The helper's names always pass; one that does not was given
		 * by root's rename, and would need escaping on a terminal and
		 * in JSON. */
		if (!marked(rtnl_link_get_ifalias(l)) || !tw_ifname_valid(name, NULL, 0))
			continue;
		struct tw_gc_tap *t = &(*out)[(*n)++];
		t->ifindex = rtnl_link_get_ifindex(l);
		tw_strscpy(t->name, name, sizeof(t->name));
		t->uid = alias_uid(rtnl_link_get_ifalias(l));
	}
	nl_cache_free(cache);
	return 0;
}

/* Read t's device afresh: 1 when it is still the helper's tap it was when
 * listed (same index, name and mark, a tap), with t->persist and t->carrier
 * filled; 0 when it is gone or something else; -errno. */
static int probe(struct tw_nl *nl, struct tw_gc_tap *t)
{
	struct tw_link l;
	int r = tw_link_get(nl, NULL, t->ifindex, &l);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	if (strcmp(l.name, t->name) || !marked(l.alias) || strcmp(l.kind, "tun") ||
	    l.tun.type != IFF_TAP)
		return 0;
	t->persist = l.tun.persist;
	/* IFLA_CARRIER, which IFF_LOWER_UP shows only while the device is up. */
	struct rtnl_link *rl = NULL;
	r = rtnl_link_get_kernel(nl->sk, t->ifindex, NULL, &rl);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return 0;
	if (r < 0)
		return -EIO;
	t->carrier = rtnl_link_get_carrier(rl);
	rtnl_link_put(rl);
	return 1;
}

/* ---- deciding and removing */

/* Only a persistent tap can be an orphan: a non-persistent one exists while
 * someone holds it, or while its fd is on its way from the helper to QEMU
 * inside an SCM_RIGHTS message, where no fdinfo shows it. A persistent one
 * is held when a process's fdinfo shows it, or when its carrier is on: tun
 * turns the carrier on when an fd attaches and off when the last one goes,
 * and it cannot be set from outside, so it also covers an fd in flight or
 * in a process root may not inspect. Both are read right before the
 * removal, not when the list was made; a tap its owner reopens in the
 * microseconds between the two is removed under it, as it would have been
 * a moment earlier. */
static int decide(struct tw_nl *nl, struct tw_gc_tap *t, bool dry_run, char *why, size_t whylen)
{
	char err[300];
	if (!t->persist) {
		t->verdict = TW_GC_KEPT_TRANSIENT;
		return 0;
	}
	int r = tw_tap_holder(t->name, &t->holder);
	if (r < 0) {
		snprintf(why, whylen, "cannot tell who holds tap %s: reading /proc/PID/fdinfo: %s",
			 t->name, strerror(-r));
		return r;
	}
	if (t->holder || t->carrier) {
		t->verdict = TW_GC_KEPT_HELD;
		return 0;
	}
	if (!dry_run && (r = tw_link_delete(nl, t->ifindex)) < 0) {
		if (r == -ENODEV) {
			t->verdict = TW_GC_GONE;
			return 0;
		}
		snprintf(why, whylen, "removing tap %s: %s", t->name, tw_nl_strerror(nl, r, err, sizeof(err)));
		return r;
	}
	t->verdict = TW_GC_REMOVE;
	return 0;
}

int tw_gc(struct tw_nl *nl, bool dry_run, struct tw_gc_tap **taps, size_t *n, char *why,
	  size_t whylen)
{
	size_t nmarked;
	char err[300];
	*n = 0;
	int r = list_marked(nl, taps, &nmarked);
	if (r < 0) {
		snprintf(why, whylen, "listing devices: %s", tw_nl_strerror(nl, r, err, sizeof(err)));
		return r;
	}
	/* *taps keeps the taps among the marked devices, each decided on
	 * right after it is read afresh. */
	for (size_t i = 0; i < nmarked; i++) {
		struct tw_gc_tap *t = &(*taps)[*n];
		*t = (*taps)[i];
		if ((r = probe(nl, t)) < 0) {
			snprintf(why, whylen, "reading device %s: %s", t->name,
				 tw_nl_strerror(nl, r, err, sizeof(err)));
			return r;
		}
		if (r == 0)
			continue;
		if ((r = decide(nl, t, dry_run, why, whylen)) < 0)
			return r;
		(*n)++;
	}
	return 0;
}
