/* VXLAN devices: one VNI over a UDP underlay, to one remote, a multicast
 * group, (with fdb.c) a list of remotes by head-end replication, or the
 * remotes BGP EVPN tells FRR about (control="evpn": no learning, and its
 * bridge port without learning and with neigh_suppress). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>

#include "kinds/kind.h"
#include "net/brport.h"

#define VXLAN_PORT 4789 /* IANA; the kernel's own default is Linux's old 8472 */

static struct nl_addr *ip_addr(const struct tw_cidr *c)
{
	return nl_addr_build(c->family, c->addr, c->family == AF_INET ? 4 : 16);
}

static int vx_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		    size_t len)
{
	const struct tw_vxlan_spec *v = s->spec;
	int r = tw_dev_probe(c, s->key.ns, s->key.name, "vxlan", live, why, len);
	if (r == TW_PRESENT && v && live->vxlan_id != v->id) {
		snprintf(why, len, "exists with VNI %u, not %u", live->vxlan_id, v->id);
		return -EEXIST;
	}
	/* The kernel cannot drop a default destination in place, and one
	 * beside EVPN's flood list would get every broadcast. */
	if (r == TW_PRESENT && v && v->control == TW_VXLAN_EVPN && live->vx.has_remote) {
		snprintf(why, len, "exists with a remote of its own, which control='evpn' takes from BGP; remove the device first (tapwire down)");
		return -EEXIST;
	}
	return r;
}

static int vx_fill(struct tw_ctx *c, const struct tw_step *s, struct rtnl_link *l, char *why,
		   size_t len)
{
	const struct tw_vxlan_spec *v = s->spec;
	rtnl_link_set_name(l, v->name);
	rtnl_link_set_flags(l, IFF_UP);
	if (s->mtu)
		rtnl_link_set_mtu(l, s->mtu);
	rtnl_link_vxlan_set_id(l, v->id);
	rtnl_link_vxlan_set_port(l, v->port ? v->port : VXLAN_PORT);
	if (v->control == TW_VXLAN_EVPN)
		rtnl_link_vxlan_set_learning(l, 0);
	struct nl_addr *a;
	if (v->has_local && (a = ip_addr(&v->local))) {
		rtnl_link_vxlan_set_local(l, a);
		nl_addr_put(a);
	}
	const struct tw_cidr *dst = v->has_remote ? &v->remote : v->has_group ? &v->group : NULL;
	if (dst && (a = ip_addr(dst))) {
		rtnl_link_vxlan_set_group(l, a);
		nl_addr_put(a);
	}
	if (v->dev[0]) {
		int dev = tw_ctx_ifindex(c, s->key.ns, v->dev);
		if (dev < 0) {
			snprintf(why, len, "underlay device %s: %s", v->dev, strerror(-dev));
			return dev;
		}
		rtnl_link_vxlan_set_link(l, (uint32_t)dev);
	}
	if (v->bridge[0]) {
		int br = tw_ctx_ifindex(c, s->key.ns, v->bridge);
		if (br < 0) {
			snprintf(why, len, "bridge %s: %s", v->bridge, strerror(-br));
			return br;
		}
		rtnl_link_set_master(l, br);
	}
	return 0;
}

/* The port flags go in a second message: the creating one carries the
 * master, but a port's flags only exist once it is one. */
static int evpn_port(struct tw_nl *nl, const struct tw_step *s, char *why, size_t len)
{
	struct tw_link l;
	int r = tw_link_get(nl, s->key.name, 0, &l);
	if (r == 0)
		r = tw_brport_set(nl, l.ifindex, 0, 1);
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int vx_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, s->key.ns, &nl);
	if (r < 0) {
		snprintf(why, len, "cannot reach namespace %s: %s", s->key.ns, strerror(-r));
		return r;
	}
	struct rtnl_link *l = rtnl_link_vxlan_alloc();
	if (!l)
		return -ENOMEM;
	const struct tw_vxlan_spec *v = s->spec;
	r = vx_fill(c, s, l, why, len);
	if (r == 0 && (r = tw_link_create(nl, l)) < 0)
		tw_nl_strerror(nl, r, why, len);
	rtnl_link_put(l);
	/* Half made is not made: this run's rollback knows only steps done. */
	if (r == 0 && v->control == TW_VXLAN_EVPN && (r = evpn_port(nl, s, why, len)) < 0)
		tw_link_delete_by_name(nl, s->key.name);
	return r;
}

static int vx_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return tw_dev_doom(c, rec->key.ns, rec->key.name, "vxlan", why, len);
}

static void vx_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_vxlan_spec *v = s->spec;
	char label[96], dst[TW_CIDR_STRLEN + 16] = "", local[TW_CIDR_STRLEN + 16] = "";
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	if (!v) {
		snprintf(buf, len, "vxlan %s", label);
		return;
	}
	if (v->has_remote || v->has_group) {
		char ip[TW_CIDR_STRLEN];
		tw_cidr_format(v->has_remote ? &v->remote : &v->group, ip, sizeof(ip));
		*strchr(ip, '/') = 0;
		snprintf(dst, sizeof(dst), " %s %s", v->has_remote ? "remote" : "group", ip);
	}
	if (v->has_local) {
		char ip[TW_CIDR_STRLEN];
		tw_cidr_format(&v->local, ip, sizeof(ip));
		*strchr(ip, '/') = 0;
		snprintf(local, sizeof(local), " local %s", ip);
	}
	char mtu[24] = "";
	if (s->mtu)
		snprintf(mtu, sizeof(mtu), " mtu %u", s->mtu);
	snprintf(buf, len, "vxlan %s id %u%s%s dstport %u%s%s%s%s%s%s", label, v->id, local, dst,
		 v->port ? v->port : VXLAN_PORT, v->dev[0] ? " dev " : "", v->dev,
		 v->bridge[0] ? " master " : "", v->bridge, mtu,
		 v->control == TW_VXLAN_EVPN ? " nolearning, port learning off neigh_suppress on; "
					       "remotes from BGP EVPN (FRR advertise-all-vni)" : "");
}

const struct tw_kind_ops tw_vxlan_ops = {
	.kind = TW_K_VXLAN,
	.probe = vx_probe,
	.create = vx_create,
	.remove = vx_remove,
	.describe = vx_describe,
};
