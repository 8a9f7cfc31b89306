/* Does an address answer? ICMP echo (IPv4 or IPv6) from the network
 * namespace the caller is in, through a raw socket (root: no setuid ping),
 * or, for a neighbour on a directly attached link, its ARP (or neighbour
 * discovery) answer, which the kernel's neighbour table shows as reachable:
 * a gateway that drops pings still answers ARP. */
#ifndef TW_NET_PING_H
#define TW_NET_PING_H

#include "core/util.h"

/* 1: dst answered within timeout_ms; 0: it did not; -errno: could not ask. */
int tw_ping(const struct tw_cidr *dst, int timeout_ms);

#endif
