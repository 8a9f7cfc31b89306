#include "engine/teardown.h"

#include <errno.h>
#include <stdlib.h>
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
			else if (tw_ctx_is_dying(c, r->key.ns) && k != TW_K_DHCP)
				rc = 0; /* goes with its namespace; a daemon would not */
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

/* ---- before removing anything: what is still in use */

/* Is r the record of device ns/name as a bridge port? */
static bool names_dev(const struct tw_rec *r, const char *ns, const char *name)
{
	bool key = !strcmp(r->key.ns, ns) && !strcmp(r->key.name, name);
	switch (r->key.kind) {
	case TW_K_TAP:
	case TW_K_VXLAN:
	case TW_K_PORT:
		return key;
	case TW_K_VETH: {
		const char *slash = strchr(r->data, '/');
		size_t nl = strlen(ns);
		return key || (slash && (size_t)(slash - r->data) == nl &&
			       !strncmp(r->data, ns, nl) && !strcmp(slash + 1, name));
	}
	default:
		return false;
	}
}

/* owner's record of the device when there is one, else anyone's. */
static const struct tw_rec *dev_rec(struct tw_state *st, const char *ns, const char *name,
				    const char *owner)
{
	const struct tw_rec *any = NULL;
	for (size_t i = 0; i < tw_state_count(st); i++) {
		const struct tw_rec *r = tw_state_at(st, i);
		if (!r || !r->n_owners || !names_dev(r, ns, name))
			continue;
		if (!owner || tw_rec_has_owner(r, owner))
			return r;
		if (!any)
			any = r;
	}
	return any;
}

const struct tw_rec *tw_teardown_dev_rec(struct tw_state *st, const char *ns, const char *name)
{
	return dev_rec(st, ns, name, NULL);
}

struct busy_list {
	struct tw_busy *v;
	size_t n, cap;
};

static struct tw_busy *busy_add(struct busy_list *l, size_t rec)
{
	struct tw_busy *v = tw_grow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	if (!v)
		return NULL;
	l->v = v;
	memset(&v[l->n], 0, sizeof(v[l->n]));
	v[l->n].rec = rec;
	return &v[l->n++];
}

/* The ports of bridge r that are not owner's. */
static int foreign_ports(struct tw_nl *nl, struct tw_state *st, const char *owner,
			 const struct tw_rec *r, size_t rec, struct busy_list *l)
{
	struct tw_link br;
	if (tw_link_get(nl, r->key.name, 0, &br) < 0 || strcmp(br.kind, "bridge"))
		return 0; /* gone already, or not what tapwire made: nothing to cut */
	struct tw_port *ports;
	size_t np;
	int k = tw_bridge_ports(nl, br.ifindex, &ports, &np);
	if (k < 0)
		return k;
	for (size_t i = 0; i < np && k == 0; i++) {
		const struct tw_rec *pr = dev_rec(st, r->key.ns, ports[i].name, owner);
		if (pr && tw_rec_has_owner(pr, owner))
			continue;
		struct tw_busy *b = busy_add(l, rec);
		if (!b) {
			k = -ENOMEM;
			break;
		}
		tw_strscpy(b->port, ports[i].name, sizeof(b->port));
		tw_strscpy(b->kind, ports[i].kind, sizeof(b->kind));
		if (pr)
			tw_strscpy(b->other, pr->owners[0], sizeof(b->other));
		b->held = !strcmp(ports[i].kind, "tun") && ports[i].carrier;
		if (ports[i].peer[0])
			tw_strscpy(b->peer, ports[i].peer, sizeof(b->peer));
		else if (ports[i].peer_elsewhere)
			tw_strscpy(b->peer, "elsewhere", sizeof(b->peer));
	}
	free(ports);
	return k;
}

/* A device where tapwire runs that is the lower device of another owner's
 * macvlan or macvtap: deleting it would delete those too. */
static int lower_of(struct tw_state *st, const char *owner, const struct tw_rec *r, size_t rec,
		    struct busy_list *l)
{
	if (r->key.ns[0] || !tw_kind_is_device(r->key.kind))
		return 0;
	for (size_t i = 0; i < tw_state_count(st); i++) {
		const struct tw_rec *m = tw_state_at(st, i);
		if (!m || (m->key.kind != TW_K_MACVLAN && m->key.kind != TW_K_MACVTAP) ||
		    strcmp(m->data, r->key.name))
			continue;
		const char *other = NULL;
		for (size_t k = 0; k < m->n_owners && !other; k++)
			if (strcmp(m->owners[k], owner))
				other = m->owners[k];
		if (!other)
			continue;
		struct tw_busy *b = busy_add(l, rec);
		if (!b)
			return -ENOMEM;
		tw_strscpy(b->port, m->key.name, sizeof(b->port));
		tw_strscpy(b->kind, tw_kind_name(m->key.kind), sizeof(b->kind));
		tw_strscpy(b->other, other, sizeof(b->other));
	}
	return 0;
}

/* A macvtap is held when a process has its /dev/tapN open. */
static int macvtap_held(struct tw_ctx *c, const struct tw_rec *r, size_t rec, struct busy_list *l)
{
	struct tw_nl *nl;
	struct tw_link live;
	char node[32];
	pid_t pid;
	if (tw_ctx_nl(c, r->key.ns, &nl) < 0 || tw_link_get(nl, r->key.name, 0, &live) < 0)
		return 0; /* gone with its namespace, or gone */
	snprintf(node, sizeof(node), "/dev/tap%d", live.ifindex);
	int k = tw_node_holder(node, &pid);
	if (k < 0 || !pid)
		return k;
	struct tw_busy *b = busy_add(l, rec);
	if (!b)
		return -ENOMEM;
	b->held = true;
	b->holder.pid = pid;
	tw_holder_describe(&b->holder);
	return 0;
}

int tw_teardown_busy(struct tw_ctx *c, struct tw_state *st, const char *owner,
		     struct tw_rec *const *recs, size_t n, struct tw_busy **busy, char *why,
		     size_t len)
{
	struct busy_list l = { NULL, 0, 0 };
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct tw_rec *r = recs[i];
		struct tw_nl *nl;
		char dev[TW_NSNAME_MAX + IFNAMSIZ + 4];
		if ((rc = lower_of(st, owner, r, i, &l)) < 0) {
			snprintf(why, len, "out of memory");
			break;
		}
		if (r->key.kind == TW_K_MACVTAP) {
			if ((rc = macvtap_held(c, r, i, &l)) < 0)
				snprintf(why, len, "looking for the holder of macvtap %s: %s", r->key.name,
					 strerror(-rc));
			continue;
		}
		if (r->key.kind != TW_K_BRIDGE && r->key.kind != TW_K_TAP && r->key.kind != TW_K_TUN)
			continue;
		if (tw_ctx_nl(c, r->key.ns, &nl) < 0)
			continue; /* its namespace is gone, and it with it */
		tw_dev_label(r->key.ns, r->key.name, dev, sizeof(dev));
		if (r->key.kind == TW_K_BRIDGE) {
			if ((rc = foreign_ports(nl, st, owner, r, i, &l)) < 0)
				snprintf(why, len, "listing the ports of bridge %s: %s", dev, strerror(-rc));
			continue;
		}
		int k = tw_dev_carrier(nl, r->key.name);
		if (k < 0 && k != -ENODEV) {
			snprintf(why, len, "reading tap %s: %s", dev, strerror(-k));
			rc = k;
		} else if (k == 1) {
			struct tw_busy *b = busy_add(&l, i);
			if (b)
				b->held = true;
			else
				rc = -ENOMEM;
		}
	}
	/* Only to name the holders: the carrier has decided. */
	bool any_held = false;
	for (size_t i = 0; i < l.n; i++)
		any_held |= l.v[i].held;
	struct tw_holders h;
	if (rc == 0 && any_held && tw_holders_scan(&h) >= 0) {
		for (size_t i = 0; i < l.n; i++)
			if (l.v[i].held && !l.v[i].holder.pid)
				tw_holders_find(&h, l.v[i].port[0] ? l.v[i].port : recs[l.v[i].rec]->key.name,
						&l.v[i].holder);
		tw_holders_free(&h);
	}
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(why, len, "out of memory");
		free(l.v);
		return rc;
	}
	*busy = l.v;
	return (int)l.n;
}

void tw_busy_format(const struct tw_busy *b, const struct tw_rec *r, char *buf, size_t len)
{
	char dev[TW_NSNAME_MAX + IFNAMSIZ + 4], holder[160], what[320];
	tw_dev_label(r->key.ns, r->key.name, dev, sizeof(dev));
	tw_holder_format(&b->holder, holder, sizeof(holder));
	if (!b->port[0]) {
		snprintf(buf, len, "%s %s is held by %s", tw_kind_name(r->key.kind), dev, holder);
		return;
	}
	if (!strcmp(b->kind, "macvlan") || !strcmp(b->kind, "macvtap")) {
		snprintf(buf, len, "%s is the lower device of %s %s, of tapwire owner %s", dev, b->kind,
			 b->port, b->other);
		return;
	}
	bool tap = !strcmp(b->kind, "tun");
	int k;
	if (b->held)
		k = snprintf(what, sizeof(what), "held by %s", holder);
	else if (tap)
		k = snprintf(what, sizeof(what), "a tap nobody holds");
	else
		k = snprintf(what, sizeof(what), "%s", b->kind[0] ? b->kind : "a device");
	if (b->other[0] && k > 0 && (size_t)k < sizeof(what))
		k += snprintf(what + k, sizeof(what) - (size_t)k, ", of tapwire owner %s", b->other);
	if (b->peer[0] && k > 0 && (size_t)k < sizeof(what))
		snprintf(what + k, sizeof(what) - (size_t)k, ", peer %s",
			 strcmp(b->peer, "elsewhere") ? b->peer : "in another namespace");
	snprintf(buf, len, "bridge %s still has port %s (%s)", dev, b->port, what);
}
