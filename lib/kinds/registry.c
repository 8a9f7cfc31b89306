/* The kinds, in the order objects are made (and the reverse of the order
 * they are removed in), each with its name and its operations. A new kind
 * is an enum value in kind.h, a file ending in its ops table, and a line
 * here. */
#include <errno.h>
#include <string.h>

#include "kinds/kind.h"

extern const struct tw_kind_ops tw_netns_ops, tw_bridge_ops, tw_vxlan_ops, tw_veth_ops,
	tw_tap_ops, tw_port_ops, tw_setting_ops, tw_addr_ops, tw_fdb_ops, tw_ovsbr_ops,
	tw_ovsport_ops;
extern const struct tw_kind_ops tw_tun_ops, tw_macvlan_ops, tw_macvtap_ops;
extern const struct tw_kind_ops tw_sysctl_ops, tw_nat_ops, tw_dhcp_ops;
extern const struct tw_kind_ops tw_move_ops;

static const struct {
	const char *name; /* as the state file says it: never rename one */
	const struct tw_kind_ops *ops;
} kinds[TW_K__MAX] = {
	[TW_K_NETNS] = { "netns", &tw_netns_ops },
	[TW_K_BRIDGE] = { "bridge", &tw_bridge_ops },
	[TW_K_OVSBR] = { "ovs-bridge", &tw_ovsbr_ops },
	[TW_K_VXLAN] = { "vxlan", &tw_vxlan_ops },
	[TW_K_VETH] = { "veth", &tw_veth_ops },
	[TW_K_TAP] = { "tap", &tw_tap_ops },
	[TW_K_PORT] = { "port", &tw_port_ops },
	[TW_K_OVSPORT] = { "ovs-port", &tw_ovsport_ops },
	[TW_K_ATTR] = { "attr", &tw_setting_ops },
	[TW_K_ADDR] = { "address", &tw_addr_ops },
	[TW_K_FDB] = { "fdb", &tw_fdb_ops },
	[TW_K_TUN] = { "tun", &tw_tun_ops },
	[TW_K_MACVLAN] = { "macvlan", &tw_macvlan_ops },
	[TW_K_MACVTAP] = { "macvtap", &tw_macvtap_ops },
	[TW_K_SYSCTL] = { "sysctl", &tw_sysctl_ops },
	[TW_K_NAT] = { "nat", &tw_nat_ops },
	[TW_K_DHCP] = { "dhcp", &tw_dhcp_ops },
	[TW_K_MOVE] = { "move", &tw_move_ops },
};

const struct tw_kind_ops *tw_kind_ops(enum tw_kind k)
{
	return k < TW_K__MAX ? kinds[k].ops : NULL;
}

const char *tw_kind_name(enum tw_kind k)
{
	return k < TW_K__MAX ? kinds[k].name : "?";
}

int tw_kind_parse(const char *s, enum tw_kind *out)
{
	for (int k = 0; k < TW_K__MAX; k++)
		if (!strcmp(s, kinds[k].name)) {
			*out = (enum tw_kind)k;
			return 0;
		}
	return -EINVAL;
}

bool tw_kind_is_device(enum tw_kind k)
{
	switch (k) {
	case TW_K_BRIDGE: case TW_K_OVSBR: case TW_K_VXLAN: case TW_K_VETH: case TW_K_TAP:
	case TW_K_TUN: case TW_K_MACVLAN: case TW_K_MACVTAP:
		return true;
	default:
		return false;
	}
}
