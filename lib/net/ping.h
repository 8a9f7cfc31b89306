/* Does an address answer? ICMP echo (IPv4 or IPv6) from the network
 * namespace the caller is in, through a raw socket (root: no setuid ping),
 * or, for a neighbour on a directly attached link, its ARP (or neighbour
 * discovery) answer, which the kernel's neighbour table shows as reachable:
 * a gateway that drops pings still answers ARP. */
#ifndef TW_NET_PING_H
#define TW_NET_PING_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* 1: dst answered within timeout_ms; 0: it did not; -errno: could not ask. */
int tw_ping(const struct tw_cidr *dst, int timeout_ms);

/* The Internet checksum (RFC 1071) of data, in network byte order: what an
 * IPv4 header or an ICMP message carries in its checksum field. */
uint16_t tw_inet_csum(const void *data, size_t len);

#endif
