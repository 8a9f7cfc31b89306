#include "engine/mtu.h"

#include <stdio.h>
#include <sys/socket.h>

#include "net/addr.h"
#include "net/link.h"

int tw_mtu_vxlan_family(const struct tw_vxlan_spec *v)
{
	const struct tw_cidr *peer = v->has_local ? &v->local : v->has_remote ? &v->remote
		: v->has_group ? &v->group : v->n_remotes ? &v->remotes[0] : NULL;
	return peer && peer->family == AF_INET6 ? AF_INET6 : AF_INET;
}

unsigned tw_mtu_vxlan(unsigned declared, unsigned underlay, int family)
{
	if (declared)
		return declared;
	unsigned over = family == AF_INET6 ? TW_VXLAN_OVERHEAD_V6 : TW_VXLAN_OVERHEAD_V4;
	unsigned under = underlay ? underlay : TW_UNDERLAY_MTU_GUESS;
	return under > over + TW_MTU_MIN ? under - over : TW_MTU_MIN;
}

/* The underlay's MTU: dev's, else that of the device the route to each
 * remote leaves by (the smallest). 0 when it cannot be told yet. */
static unsigned underlay_mtu(struct tw_ctx *c, const struct tw_vxlan_spec *v, char *dev,
			     size_t len)
{
	struct tw_nl *nl;
	struct tw_link l;
	if (tw_ctx_is_fresh(c, v->ns) || tw_ctx_nl(c, v->ns, &nl) < 0)
		return 0;
	if (v->dev[0]) {
		if (tw_link_get(nl, v->dev, 0, &l) < 0)
			return 0;
		tw_strscpy(dev, l.name, len);
		return l.mtu;
	}
	const struct tw_cidr *dst = v->has_remote ? &v->remote : v->remotes;
	size_t n = v->has_remote ? 1 : v->n_remotes;
	unsigned mtu = 0;
	for (size_t i = 0; i < n; i++) {
		int oif = tw_route_dev(nl, &dst[i]);
		if (oif > 0 && tw_link_get(nl, NULL, oif, &l) == 0 && (!mtu || l.mtu < mtu)) {
			mtu = l.mtu;
			tw_strscpy(dev, l.name, len);
		}
	}
	return mtu;
}

unsigned tw_mtu_vxlan_planned(struct tw_ctx *c, const struct tw_vxlan_spec *v, char *note,
			      size_t len)
{
	if (v->mtu) {
		snprintf(note, len, "as vxlan %s", v->name);
		return v->mtu;
	}
	int family = tw_mtu_vxlan_family(v), ipv = family == AF_INET6 ? 6 : 4;
	unsigned over = family == AF_INET6 ? TW_VXLAN_OVERHEAD_V6 : TW_VXLAN_OVERHEAD_V4;
	char dev[IFNAMSIZ] = "";
	unsigned under = underlay_mtu(c, v, dev, sizeof(dev));
	if (under)
		snprintf(note, len, "underlay %s mtu %u - %u for VXLAN over IPv%d", dev, under, over,
			 ipv);
	else
		snprintf(note, len, "underlay mtu unknown, %u assumed, - %u for VXLAN over IPv%d",
			 TW_UNDERLAY_MTU_GUESS, over, ipv);
	return tw_mtu_vxlan(0, under, family);
}
