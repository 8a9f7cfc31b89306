#ifndef TW_ADDR_H
#define TW_ADDR_H

#include <stddef.h>

#include "net/nl.h"
#include "core/util.h"

/* The addresses on one device (a dump the kernel filters by ifindex).
 * *out is malloc'd. */
int tw_addr_list(struct tw_nl *nl, int ifindex, struct tw_cidr **out, size_t *n);

/* The device the kernel would send a packet to dst through, as `ip route
 * get DST` says: its ifindex, or -errno (-ENETUNREACH: no route). */
int tw_route_dev(struct tw_nl *nl, const struct tw_cidr *dst);

#endif
