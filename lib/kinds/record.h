/* The records of the state journal (engine/state.h): which object of which
 * kind, and what tapwire did to it for whom. Plain C: what reads the state
 * needs no netlink. The kinds' names are in registry.c (kind.h). */
#ifndef TW_KINDS_RECORD_H
#define TW_KINDS_RECORD_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

enum tw_kind {
	TW_K_NETNS = 0,
	TW_K_BRIDGE,
	TW_K_OVSBR, /* an Open vSwitch bridge (ovs-vsctl) */
	TW_K_VXLAN,
	TW_K_VETH,
	TW_K_TAP,
	TW_K_TUN,     /* a persistent IFF_TUN device */
	TW_K_MACVLAN, /* on a lower device; made directly in its namespace */
	TW_K_MACVTAP, /* the same, with a /dev/tapN for QEMU */
	TW_K_PORT,  /* an existing device enslaved to a bridge */
	TW_K_OVSPORT, /* a device on an Open vSwitch bridge; data: the bridge */
	TW_K_ATTR,  /* a setting changed on a device tapwire did not create */
	TW_K_ADDR,
	TW_K_FDB,
	TW_K_SYSCTL, /* a namespace's setting (ip_forward); data: the value before */
	TW_K_NAT,    /* a bridge's subnets masqueraded (nftables); arg: "UPLINK SUBNETS" */
	TW_K_DHCP,   /* a bridge's dnsmasq: DHCP and DNS on it */
	TW_K_MOVE,  /* a port's addresses and routes moved to its bridge; arg: the bridge, data:
		     * the file that lists what moved; removed first, so they are back before the
		     * port leaves the bridge */
	TW_K__MAX
};

struct tw_key {
	enum tw_kind kind;
	char ns[TW_NSNAME_MAX]; /* "" = the namespace tapwire runs in; for NETNS, its name */
	char name[IFNAMSIZ];    /* the device ("" for NETNS) */
	char arg[80];           /* ADDR: "10.0.1.1/24"; FDB: remote; ATTR: "mtu"|"up"|"master" */
};

struct tw_rec {
	struct tw_key key;
	bool created;   /* tapwire made it: removed when the last owner releases it */
	bool pending;   /* a run died between journaling and finishing its creation */
	bool gone;      /* no owner left: skipped and dropped at compaction */
	char data[128]; /* VETH: "peerns/peer"; ATTR: the value before tapwire changed it */
	char **owners;
	size_t n_owners;
	char *kept_by;  /* the owner a release kept it for (engine/state.h), or NULL */
	char *kept;     /* and why */
};

const char *tw_kind_name(enum tw_kind k);
int tw_kind_parse(const char *s, enum tw_kind *out);

#endif
