/* veth pairs, each end made directly in the namespace where it lives: the
 * RTM_NEWLINK goes to the first end's namespace and names the second end's
 * namespace by fd (IFLA_NET_NS_FD). Moving a device into a namespace after
 * creating it costs ~15 ms (the kernel waits for a grace period); this costs
 * ~1 ms. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "kinds/kind.h"
#include "net/netns.h"

/* The key is the first end; data is "peerns/peer". */
static const struct tw_veth_end *ends(const struct tw_step *s, int i)
{
	const struct tw_veth_spec *v = s->spec;
	return &v->end[i];
}

static int set_mac(struct rtnl_link *l, const struct tw_veth_end *e)
{
	if (!e->has_mac)
		return 0;
	struct nl_addr *a = nl_addr_build(AF_LLC, e->mac, TW_MAC_LEN);
	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);
	nl_addr_put(a);
	return 0;
}

/* A bridge port without addresses of its own (see tw_link_come_up). */
static bool bare_port(const struct tw_veth_end *e)
{
	return e->bridge[0] && !e->addrs.n;
}

/* Whether the veth in ns with ifindex idx is the peer of end (ifindex me,
 * in another namespace); its name in name. */
static bool peer_in(struct tw_ctx *c, const char *ns, int idx, int me, char *name)
{
	struct tw_nl *nl;
	struct tw_link l;
	if (tw_ctx_nl(c, ns, &nl) < 0 || tw_link_get(nl, NULL, idx, &l) < 0)
		return false;
	if (strcmp(l.kind, "veth") || l.link != me || l.link_netnsid < 0)
		return false;
	tw_strscpy(name, l.name, IFNAMSIZ);
	return true;
}

/* The other end of the lone veth live (in ns), as the kernel reports it:
 * IFLA_LINK is its ifindex, in ns itself or, with IFLA_LINK_NETNSID, in
 * another namespace: looked for where tapwire runs and in /run/netns.
 * "" when it cannot be told. */
static void real_peer(struct tw_ctx *c, const char *ns, const struct tw_link *live, char *buf,
		      size_t len)
{
	char name[IFNAMSIZ];
	struct tw_nl *nl;
	struct tw_link l;
	buf[0] = '\0';
	if (live->link <= 0)
		return;
	if (live->link_netnsid < 0) {
		if (tw_ctx_nl(c, ns, &nl) == 0 && tw_link_get(nl, NULL, live->link, &l) == 0)
			tw_dev_label(ns, l.name, buf, len);
		return;
	}
	if (ns[0] && peer_in(c, "", live->link, live->ifindex, name)) {
		tw_dev_label("", name, buf, len);
		return;
	}
	DIR *d = opendir(TW_NETNS_DIR);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= TW_NSNAME_MAX || !strcmp(de->d_name, ns))
			continue;
		if (peer_in(c, de->d_name, live->link, live->ifindex, name)) {
			tw_dev_label(de->d_name, name, buf, len);
			break;
		}
	}
	if (d)
		closedir(d);
	if (!buf[0])
		snprintf(buf, len, "ifindex %d of another namespace (netnsid %d)", live->link,
			 live->link_netnsid);
}

static int veth_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		      size_t len)
{
	const struct tw_veth_end *a = ends(s, 0), *b = ends(s, 1);
	struct tw_link peer;
	char label[96];
	int ra, rb;
	/* One end without the other is, most often, a pair whose other
	 * namespace was deleted a moment ago: the kernel deletes the veths
	 * of a namespace, and with them their peers, only when it has torn
	 * the namespace down, in the background (milliseconds, more on a
	 * busy host). Give it up to 2 s before calling the lone end foreign. */
	for (int tries = 0;; tries++) {
		ra = tw_dev_probe(c, a->ns, a->name, "veth", live, why, len);
		if (ra < 0)
			return ra;
		rb = tw_dev_probe(c, b->ns, b->name, "veth", &peer, why, len);
		if (rb < 0) {
			tw_dev_label(b->ns, b->name, label, sizeof(label));
			char inner[160];
			snprintf(inner, sizeof(inner), "%s", why);
			snprintf(why, len, "other end %s: %s", label, inner);
			return rb;
		}
		if (ra == rb || tries == 40)
			break;
		usleep(50 * 1000);
	}
	if (ra == TW_ABSENT && rb == TW_ABSENT)
		return TW_ABSENT;
	if (ra != rb) {
		const struct tw_veth_end *here = ra == TW_PRESENT ? a : b;
		const struct tw_veth_end *there = ra == TW_PRESENT ? b : a;
		char want[96], real[128];
		tw_dev_label(here->ns, here->name, label, sizeof(label));
		tw_dev_label(there->ns, there->name, want, sizeof(want));
		real_peer(c, here->ns, ra == TW_PRESENT ? live : &peer, real, sizeof(real));
		if (real[0])
			snprintf(why, len, "veth %s exists already, paired with %s (not this file's %s)",
				 label, real, want);
		else
			snprintf(why, len, "veth %s exists already without its other end %s", label,
				 want);
		return -EEXIST;
	}
	/* Both exist: they must be each other's peer. */
	if (live->link != peer.ifindex || peer.link != live->ifindex) {
		tw_dev_label(b->ns, b->name, label, sizeof(label));
		snprintf(why, len, "exists, but its peer is not %s", label);
		return -EEXIST;
	}
	return TW_PRESENT;
}

static int veth_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_veth_spec *v = s->spec;
	const struct tw_veth_end *a = &v->end[0], *b = &v->end[1];
	struct tw_nsctx *na, *nb;
	int r = tw_ctx_get(c, a->ns, &na);
	if (r == 0)
		r = tw_ctx_get(c, b->ns, &nb);
	if (r < 0) {
		snprintf(why, len, "cannot reach its namespaces: %s", strerror(-r));
		return r;
	}
	int master_a = 0;
	if (a->bridge[0] && (master_a = tw_ctx_ifindex(c, a->ns, a->bridge)) < 0) {
		snprintf(why, len, "bridge %s: %s", a->bridge, strerror(-master_a));
		return master_a;
	}
	struct rtnl_link *la = rtnl_link_veth_alloc();
	if (!la)
		return -ENOMEM;
	struct rtnl_link *lb = rtnl_link_veth_get_peer(la);
	rtnl_link_set_name(la, a->name);
	rtnl_link_set_name(lb, b->name);
	/* Only the first end can come up in the creating message: the kernel
	 * brings the second up before the two are tied, and a veth without
	 * its peer refuses to open (ENOTCONN). A bare port waits (see above). */
	if (!bare_port(a))
		rtnl_link_set_flags(la, IFF_UP);
	unsigned mtu_a = s->mtu, mtu_b = b->mtu ? b->mtu : s->mtu;
	if (a->mtu)
		mtu_a = a->mtu;
	if (mtu_a)
		rtnl_link_set_mtu(la, mtu_a);
	if (mtu_b)
		rtnl_link_set_mtu(lb, mtu_b);
	if (master_a)
		rtnl_link_set_master(la, master_a);
	/* The namespace tapwire runs in has no fd in the context: name it by
	 * one of this thread's (which is always back home between calls). */
	_cleanup_close_ int home = -1;
	if (strcmp(a->ns, b->ns) && nb->fd < 0 &&
	    (home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		r = -errno;
		rtnl_link_put(la);
		snprintf(why, len, "cannot open this namespace: %s", strerror(-r));
		return r;
	}
	if (strcmp(a->ns, b->ns))
		rtnl_link_set_ns_fd(lb, nb->fd >= 0 ? nb->fd : home);
	r = set_mac(la, a);
	if (r == 0)
		r = set_mac(lb, b);
	rtnl_link_put(lb);
	if (r == 0)
		r = tw_link_create(&na->nl, la);
	rtnl_link_put(la);
	if (r < 0) {
		tw_nl_strerror(&na->nl, r, why, len);
		return r;
	}
	r = bare_port(a) ? tw_link_come_up(&na->nl, a->name, NULL, true) : 0;
	/* The second end: on its bridge, and up. */
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	if (r == 0 && b->bridge[0])
		r = ch.master = tw_ctx_ifindex(c, b->ns, b->bridge);
	if (r >= 0)
		r = tw_link_come_up(&nb->nl, b->name, &ch, bare_port(b));
	if (r < 0) {
		char buf[160];
		snprintf(why, len, "cannot set up %s%s%s: %s", b->name, b->bridge[0] ? " on bridge " : "",
			 b->bridge, tw_nl_strerror(&nb->nl, r, buf, sizeof(buf)));
		tw_link_delete_by_name(&na->nl, a->name);
	}
	return r;
}

static int veth_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "veth", why, len);
}

static void veth_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_veth_spec *v = s->spec;
	char la[96], lb[96];
	if (!v) {
		tw_dev_label(s->key.ns, s->key.name, la, sizeof(la));
		snprintf(buf, len, "veth %s", la);
		return;
	}
	tw_dev_label(v->end[0].ns, v->end[0].name, la, sizeof(la));
	tw_dev_label(v->end[1].ns, v->end[1].name, lb, sizeof(lb));
	snprintf(buf, len, "veth %s <-> %s", la, lb);
}

const struct tw_kind_ops tw_veth_ops = {
	.kind = TW_K_VETH,
	.probe = veth_probe,
	.create = veth_create,
	.remove = veth_remove,
	.describe = veth_describe,
};
