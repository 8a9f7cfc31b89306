/* What BGP EVPN needs of a vxlan and of its bridge port (contract section
 * 9): no learning on either, since FRR fills the FDB from BGP, and ARP/ND
 * suppression on the port, since the bridge answers from the neighbours
 * BGP told it about. */
#ifndef TW_BRPORT_H
#define TW_BRPORT_H

#include <netlink/attr.h>

#include "net/link.h"

/* Fill out->vx and out->brport from a parsed IFLA_VXLAN_* table and an
 * IFLA_INFO_SLAVE_DATA (may be NULL): for tw_link_get only. */
void tw_vxlan_parse(struct tw_link *out, struct nlattr **vx);
void tw_brport_parse(struct tw_link *out, struct nlattr *slave_data);

/* Turn a vxlan's learning on or off in place (IFLA_VXLAN_LEARNING is one
 * of the few vxlan attributes the kernel lets change). */
int tw_vxlan_set_learning(struct tw_nl *nl, int ifindex, bool on);

/* A bridge port's learning and neigh_suppress flags: < 0 leaves one as it
 * is. The kernel resets both when the device leaves its bridge. */
int tw_brport_set(struct tw_nl *nl, int ifindex, int learning, int neigh_suppress);

/* The settings above by the names the state records ("learning" of the
 * vxlan, "port-learning" and "neigh-suppress" of its bridge port). */
bool tw_evpn_setting(const char *what);
int tw_evpn_setting_apply(struct tw_nl *nl, int ifindex, const char *what, bool on);

#endif
