/* A device's addresses and routes as the kernel dumps them, kept as raw
 * rtnetlink messages so that they can be put on another device, and back,
 * exactly as they were: flags, lifetimes, labels, metrics, tables,
 * preferences, everything the kernel reported. What the kernel derives
 * itself (prefix and local routes, IPv6 link-local addresses, multicast
 * routes) is left to it. */
#ifndef TW_NET_ADDR_MOVE_H
#define TW_NET_ADDR_MOVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/nl.h"

struct tw_rtmsg {
	uint16_t type;       /* RTM_NEWADDR or RTM_NEWROUTE */
	uint32_t len;        /* of body */
	unsigned char *body; /* struct ifaddrmsg or rtmsg, then attributes */
};

struct tw_moveset {
	struct tw_rtmsg *v; /* the addresses first, then the routes */
	size_t n, cap;
};

void tw_moveset_free(struct tw_moveset *s);
int tw_moveset_add(struct tw_moveset *s, uint16_t type, const void *body, size_t len);

/* The addresses of device ifindex (IPv4, and IPv6 but link-local) and every
 * route whose only way out is that device, in every table, but those the
 * kernel made itself. */
int tw_move_dump(struct tw_nl *nl, int ifindex, struct tw_moveset *out);

/* Put address m on device ifindex (named to; from names the device it was
 * dumped from, for IPv4 labels: "eth0:1" becomes "br0:1"), as it was, with
 * extra_flags added (IFA_F_NODAD: it was checked where it comes from).
 * Already there: replaced, so this can be repeated. */
int tw_move_addr_add(struct tw_nl *nl, const struct tw_rtmsg *m, int ifindex, const char *from,
		     const char *to, uint32_t extra_flags);
/* Delete address m from device ifindex; 0 when it is not there. */
int tw_move_addr_del(struct tw_nl *nl, const struct tw_rtmsg *m, int ifindex);
/* Route m through device ifindex instead: one RTM_NEWROUTE that replaces the
 * route of the same key (table, destination, tos, metric), or adds it. */
int tw_move_route_put(struct tw_nl *nl, const struct tw_rtmsg *m, int ifindex);

/* Address m's remaining lifetimes as the kernel has them on device ifindex
 * now, copied into m (an address that moved keeps counting down); 0 also
 * when it is not there. */
int tw_move_addr_refresh(struct tw_nl *nl, struct tw_moveset *s, int ifindex);

/* Add to into what from holds and into does not (the same address, the
 * same route: destination, gateway, metric, table), in from's order. */
int tw_moveset_merge(struct tw_moveset *into, const struct tw_moveset *from);

/* "a 0a000005..." / "r ...": one message per line, hex, for a file. */
int tw_rtmsg_format(const struct tw_rtmsg *m, char **line);
int tw_rtmsg_parse(const char *line, struct tw_moveset *s);

/* "address 10.0.0.5/24" / "route default via 10.0.0.1 metric 100 table 254". */
void tw_rtmsg_describe(const struct tw_rtmsg *m, char *buf, size_t len);

#endif
