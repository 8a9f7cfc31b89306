/* MTU over VXLAN: a frame that fits a bridge must fit the tunnel on it, or
 * it is dropped in the tunnel, silently. The arithmetic is pure (the unit
 * test calls it); tw_mtu_vxlan_planned asks the kernel for the underlay. */
#ifndef TW_MTU_H
#define TW_MTU_H

#include <stddef.h>

#include "core/model.h"
#include "kinds/ctx.h"

/* What VXLAN adds to every frame: outer Ethernet 14, IPv4 20 or IPv6 40,
 * UDP 8 and VXLAN 8 bytes. */
#define TW_VXLAN_OVERHEAD_V4 50
#define TW_VXLAN_OVERHEAD_V6 70
/* When the underlay cannot be asked (its namespace is made by this run, no
 * route yet): Ethernet's. */
#define TW_UNDERLAY_MTU_GUESS 1500

/* The family VXLAN v's packets travel in (its local, remote, group or
 * first remote address): AF_INET6 or AF_INET, IPv4 when it names none. */
int tw_mtu_vxlan_family(const struct tw_vxlan_spec *v);

/* The largest frame a VXLAN carries without fragmenting its underlay:
 * declared when not 0; else underlay (0: not known, TW_UNDERLAY_MTU_GUESS
 * assumed) less the encapsulation over family, never below TW_MTU_MIN. */
unsigned tw_mtu_vxlan(unsigned declared, unsigned underlay, int family);

/* The same for vxlan v as planned: its underlay asked of the kernel (its
 * dev=, else the devices the routes to its remotes leave by, the smallest);
 * note says how it was chosen ("underlay eth0 mtu 1500 - 50 for VXLAN over
 * IPv4"). */
unsigned tw_mtu_vxlan_planned(struct tw_ctx *c, const struct tw_vxlan_spec *v, char *note,
			      size_t len);

#endif
