/* macvlan and macvtap devices on a lower device, and the /dev/tapN node
 * the kernel makes for a macvtap (N is its ifindex).
 *
 * devtmpfs has one /dev for every network namespace, while ifindexes are
 * counted per namespace: a second macvtap with the same ifindex in another
 * namespace is created without complaint but gets no node (devtmpfs keeps
 * the first one's), and loses nothing when the first goes, except that the
 * node goes with the first. So a node is checked to be this device's before
 * it is handed to anyone, and a collision is retried with a chosen ifindex. */
#ifndef TW_MACVLAN_H
#define TW_MACVLAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/nl.h"

struct tw_macvlan_opts {
	const char *name;
	bool tap;           /* macvtap */
	int lower;          /* ifindex of the lower device, in nl's namespace */
	int ns_fd;          /* the namespace to make it in; -1: nl's */
	uint32_t mode;      /* MACVLAN_MODE_* */
	const uint8_t *mac; /* NULL: the kernel's random one */
	unsigned mtu;       /* 0: the lower device's */
	unsigned queues;    /* 0: the kernel's default */
	int ifindex;        /* 0: the kernel's choice */
	bool up;
};

int tw_macvlan_create(struct tw_nl *nl, const struct tw_macvlan_opts *o);

/* Does this kernel know link kind ("ipvlan", "macvtap", ...)? Asks for a
 * device of that kind without a lower device: an unknown kind is refused
 * with EOPNOTSUPP, a known one with EINVAL; nothing is made. 1, 0 or
 * -errno. */
int tw_link_kind_known(struct tw_nl *nl, const char *kind);

/* Is /dev/tapN (N = ifindex) the node of macvtap name? 0 when it is,
 * -ENOENT when there is none, -EEXIST when it belongs to another device
 * (owner names it, "" when unknown). */
int tw_macvtap_node_check(const char *name, int ifindex, char *owner, size_t len);

/* Give /dev/tapN to owner/group ((uid_t)-1, (gid_t)-1: leave); mode 0660
 * with a group, 0600 without. */
int tw_macvtap_node_own(int ifindex, uid_t owner, gid_t group);

/* A free ifindex to ask for: none of /dev/tapN for N in [from, from+span). */
int tw_macvtap_free_index(int from, int span);

#endif
