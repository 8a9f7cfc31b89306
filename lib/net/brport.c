#include "net/brport.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

static int flag(const struct nlattr *a)
{
	return a ? nla_get_u8((struct nlattr *)a) != 0 : -1;
}

void tw_vxlan_parse(struct tw_link *out, struct nlattr **vx)
{
	out->vx.learning = flag(vx[IFLA_VXLAN_LEARNING]);
	/* The kernel sends a group only when the default destination is set. */
	out->vx.has_remote = vx[IFLA_VXLAN_GROUP] || vx[IFLA_VXLAN_GROUP6];
}

void tw_brport_parse(struct tw_link *out, struct nlattr *slave_data)
{
	struct nlattr *p[IFLA_BRPORT_MAX + 1];
	if (!slave_data || strcmp(out->slave_kind, "bridge") != 0 ||
	    nla_parse_nested(p, IFLA_BRPORT_MAX, slave_data, NULL) < 0)
		return;
	out->brport.learning = flag(p[IFLA_BRPORT_LEARNING]);
	out->brport.neigh_suppress = flag(p[IFLA_BRPORT_NEIGH_SUPPRESS]);
}

/* RTM_NEWLINK on an existing device: IFLA_LINKINFO with the kind (or the
 * master's kind, for a port) and one nested block of u8 flags. */
static int change(struct tw_nl *nl, int ifindex, bool port, const int *attr, const int *value,
		  size_t n)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	int r = -ENOBUFS;
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto out;
	struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, port ? IFLA_INFO_SLAVE_KIND : IFLA_INFO_KIND,
				    port ? "bridge" : "vxlan") < 0)
		goto out;
	struct nlattr *data = nla_nest_start(msg, port ? IFLA_INFO_SLAVE_DATA : IFLA_INFO_DATA);
	if (!data)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (value[i] >= 0 && nla_put_u8(msg, attr[i], (uint8_t)(value[i] != 0)) < 0)
			goto out;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	r = tw_nl_talk(nl, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return r;
}

int tw_vxlan_set_learning(struct tw_nl *nl, int ifindex, bool on)
{
	const int attr[] = { IFLA_VXLAN_LEARNING }, value[] = { on };
	return change(nl, ifindex, false, attr, value, 1);
}

int tw_brport_set(struct tw_nl *nl, int ifindex, int learning, int neigh_suppress)
{
	const int attr[] = { IFLA_BRPORT_LEARNING, IFLA_BRPORT_NEIGH_SUPPRESS };
	const int value[] = { learning, neigh_suppress };
	return change(nl, ifindex, true, attr, value, 2);
}

bool tw_evpn_setting(const char *what)
{
	return !strcmp(what, "learning") || !strcmp(what, "port-learning") ||
	       !strcmp(what, "neigh-suppress");
}

int tw_evpn_setting_apply(struct tw_nl *nl, int ifindex, const char *what, bool on)
{
	if (!strcmp(what, "learning"))
		return tw_vxlan_set_learning(nl, ifindex, on);
	if (!strcmp(what, "port-learning"))
		return tw_brport_set(nl, ifindex, on, -1);
	return tw_brport_set(nl, ifindex, -1, on);
}
