/* Any network device, looked up and changed one at a time: a lookup asks the
 * kernel for that device by name or index (RTM_GETLINK), never for a dump, so
 * it costs the same with 5 or 5,000 devices present. */
#ifndef TW_LINK_H
#define TW_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/nl.h"
#include "core/util.h"

struct tw_link {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];      /* IFLA_INFO_KIND: "bridge", "veth", "tun", "vxlan"; "" for plain */
	char slave_kind[16];/* IFLA_INFO_SLAVE_KIND: "bridge" when enslaved to one */
	unsigned mtu;
	uint8_t mac[TW_MAC_LEN];
	int master;         /* ifindex of the master, 0 = none */
	unsigned flags;     /* IFF_UP, ... */
	unsigned operstate; /* IF_OPER_* */
	int link;           /* IFLA_LINK: a veth's peer ifindex */
	int link_netnsid;   /* -1 when the peer is in the same namespace */
	unsigned num_tx_queues;
	unsigned num_rx_queues;
	int stp;            /* bridges: IFLA_BR_STP_STATE, -1 when not a bridge */
	char alias[64];     /* IFLA_IFALIAS, cut to fit; "" for none */
	uint32_t vxlan_id;  /* vxlan: VNI */
	uint32_t macvlan_mode; /* macvlan, macvtap: MACVLAN_MODE_*, 0 unknown */
	struct {            /* vxlan (net/brport.c): -1 when the kernel did not say */
		int learning;   /* IFLA_VXLAN_LEARNING */
		bool has_remote; /* a default destination (IFLA_VXLAN_GROUP/GROUP6) */
	} vx;
	struct {            /* a bridge port's flags (IFLA_INFO_SLAVE_DATA), -1 unknown */
		int learning, neigh_suppress;
	} brport;
	struct {            /* tun/tap (IFLA_INFO_KIND "tun") */
		int type;       /* IFF_TUN or IFF_TAP, 0 unknown */
		long owner;     /* -1 = none */
		long group;     /* -1 = none */
		bool persist, multi_queue, vnet_hdr;
		unsigned num_queues;
	} tun;
};

/* By name (ifindex 0) or by index (name NULL). -ENODEV when absent. */
int tw_link_get(struct tw_nl *nl, const char *name, int ifindex, struct tw_link *out);

/* A change to one device, sent as one RTM_SETLINK. The kernel applies the
 * parts in a fixed order: address, MTU, flags, then master, so the MTU is
 * always set before the device joins a bridge. */
struct tw_link_change {
	const uint8_t *mac;  /* NULL = keep */
	unsigned mtu;        /* 0 = keep */
	int up;              /* -1 keep, 0 down, 1 up */
	int master;          /* -1 keep, 0 leave the master, >0 ifindex */
	const char *name;    /* NULL = keep */
	const char *alias;   /* NULL = keep (IFLA_IFALIAS: only CAP_NET_ADMIN sets it) */
	/* No IPv6 link-local address (addr_gen_mode none): for bridge ports,
	 * which never use one. Applied after the flags: send it while the
	 * device is still down. */
	bool no_ipv6_ll;
};
#define TW_LINK_CHANGE_INIT \
	{ .mac = NULL, .mtu = 0, .up = -1, .master = -1, .name = NULL, .alias = NULL, \
	  .no_ipv6_ll = false }

int tw_link_change(struct tw_nl *nl, int ifindex, const struct tw_link_change *c);
/* The same, finding the device by name in the kernel (saves a lookup). */
int tw_link_change_by_name(struct tw_nl *nl, const char *name, const struct tw_link_change *c);
int tw_link_delete(struct tw_nl *nl, int ifindex);
/* For undoing a creation that failed halfway (one device, so the ~25 ms of
 * a single unregistration do not matter there). */
int tw_link_delete_by_name(struct tw_nl *nl, const char *name);

/* Apply set (MAC, MTU, master; may be NULL) to a new device and bring it
 * up. A bare bridge port (no addresses of its own) first loses its IPv6
 * link-local address, in a message of its own while it is still down (the
 * kernel applies flags before IPv6 settings): a port never uses one, and
 * making it costs the kernel a walk of every fe80::/64 route of the
 * namespace, plus DAD and MLD packets on the bridge. */
int tw_link_come_up(struct tw_nl *nl, const char *name, const struct tw_link_change *set,
		    bool bare_port);

/* Send an RTM_NEWLINK built by libnl for a new device of some kind and wait
 * for the kernel: the one place devices come into being over netlink. */
struct rtnl_link;
int tw_link_create(struct tw_nl *nl, struct rtnl_link *link);

#endif
