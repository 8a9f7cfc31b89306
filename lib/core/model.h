/* The topology model: what a <tw:net> document or a libvirt domain asks for,
 * as plain C structs. xml/ fills these in; lib/ plans and applies them. This
 * header knows neither libxml2 nor netlink.
 *
 * Conventions: a name field that is "" means "not given"; numeric fields use
 * 0 for "not given" where 0 is not a legal value (mtu, queues, port), and the
 * tri-state enum below where it is. `line` is the source line of the element
 * (0 when unknown), so errors can name it. */
#ifndef TW_MODEL_H
#define TW_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

enum tw_tristate { TW_UNSET = -1, TW_NO = 0, TW_YES = 1 };

#define TW_MTU_MIN 68
#define TW_MTU_MAX 65535
#define TW_QUEUES_MAX 256 /* MAX_TAP_QUEUES in the kernel */
#define TW_VXLAN_ID_MAX 16777215u

struct tw_addrs {
	struct tw_cidr *v;
	size_t n;
};

struct tw_ns_spec {
	char name[TW_NSNAME_MAX];
	int line;
};

enum tw_bridge_type { TW_BRIDGE_LINUX = 0, TW_BRIDGE_OVS };

/* A bridge's services (<tw:nat>, <tw:dhcp> inside a <tw:bridge>): NAT out
 * of its namespace, DHCP and DNS on it (dnsmasq). Ranges and hosts lie in
 * the subnet of an IPv4 address of the bridge (xml/bridge-svc.c). */
#define TW_DHCP_RANGES_MAX 8
#define TW_DHCP_HOSTS_MAX 256
struct tw_dhcp_host {
	uint8_t mac[TW_MAC_LEN];
	struct tw_cidr ip;
	char name[64]; /* "" = none; a DNS label */
	int line;
};
struct tw_bridge_svc {
	bool nat;
	char uplink[IFNAMSIZ]; /* "" = the default route's device */
	int nat_line;
	bool dhcp;
	struct { struct tw_cidr lo, hi; } ranges[TW_DHCP_RANGES_MAX];
	size_t n_ranges;
	char lease[16];        /* dnsmasq's lease time: "3600", "12h", "infinite"; "" = 1h */
	bool dns;              /* answer DNS on the bridge (default), else DHCP only */
	struct tw_dhcp_host *hosts;
	size_t n_hosts;
	int dhcp_line;
};

struct tw_bridge_spec {
	char name[IFNAMSIZ];
	char ns[TW_NSNAME_MAX]; /* "" = where tapwire runs */
	enum tw_bridge_type type;
	char datapath[16];      /* type ovs: datapath_type, "" = Open vSwitch's ("system") */
	unsigned mtu;           /* 0 = leave to the kernel */
	enum tw_tristate stp;
	bool has_mac;
	uint8_t mac[TW_MAC_LEN];
	struct tw_addrs addrs;
	int line;
	struct tw_bridge_svc *svc; /* NULL: none */
};

struct tw_veth_end {
	char name[IFNAMSIZ];
	char ns[TW_NSNAME_MAX];
	char bridge[IFNAMSIZ]; /* "" = not enslaved */
	bool has_mac;
	uint8_t mac[TW_MAC_LEN];
	unsigned mtu;
	struct tw_addrs addrs;
	int line;
};

struct tw_veth_spec {
	struct tw_veth_end end[2];
	int line;
};

struct tw_tap_spec {
	char name[IFNAMSIZ];
	char ns[TW_NSNAME_MAX];
	char bridge[IFNAMSIZ];
	char owner[TW_OWNER_MAX]; /* user name or numeric uid; "" = root only */
	char group[TW_OWNER_MAX];
	unsigned queues;          /* 0 or 1 = single queue; >1 = IFF_MULTI_QUEUE */
	enum tw_tristate vnet_hdr;
	bool has_mac;
	uint8_t mac[TW_MAC_LEN];  /* the guest MAC as written; lib applies 0xFE */
	unsigned mtu;
	struct tw_addrs addrs;
	int line;
};

/* Where a vxlan's remotes come from: the file (remote=, group=,
 * <tw:remote>), or BGP EVPN (FRR's advertise-all-vni fills the FDB). */
enum tw_vxlan_control { TW_VXLAN_STATIC = 0, TW_VXLAN_EVPN };

struct tw_vxlan_spec {
	char name[IFNAMSIZ];
	char ns[TW_NSNAME_MAX];
	uint32_t id;
	bool has_local, has_remote, has_group;
	struct tw_cidr local, remote, group; /* prefix is ignored */
	struct tw_cidr *remotes;             /* <tw:remote address=...> children */
	size_t n_remotes;
	unsigned port;                       /* 0 = default 4789 */
	char dev[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	unsigned mtu;
	int line;
	enum tw_vxlan_control control;
};

struct tw_port_spec {
	char dev[IFNAMSIZ];
	char ns[TW_NSNAME_MAX];
	char bridge[IFNAMSIZ];
	int line;
	bool move_addresses; /* its addresses and routes move to the bridge (kinds/move.c) */
};

/* A device on an Open vSwitch bridge: OVS, not the kernel, makes it a port
 * (ovs-vsctl add-port), with the external ids OVN and libvirt set when
 * the device is a guest's NIC (a libvirt <virtualport type='openvswitch'>).
 * The planner makes these from the bridge= of devices on an OVS bridge;
 * lib/domain.c from a libvirt interface. */
struct tw_ovs_port_spec {
	char dev[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	char iface_id[64];      /* external_ids:iface-id, "" = none */
	bool has_mac;
	uint8_t mac[TW_MAC_LEN]; /* external_ids:attached-mac: the guest's MAC */
	bool existing;          /* a <tw:port>: a device tapwire did not make */
	int line;
};

/* A bridge the description uses but does not declare (the source bridge of
 * a libvirt <interface type='bridge'>): it must exist already; tapwire
 * neither creates nor deletes it. */
struct tw_need_spec {
	char bridge[IFNAMSIZ];
	bool ovs;      /* an Open vSwitch bridge (<virtualport type='openvswitch'>) */
	char what[96]; /* for messages: "interface 52:54:00:38:06:f9" */
	int line;
};

/* The seed's other devices (contract section 6). A tun is a persistent
 * IFF_TUN device owned like a tap. A macvlan or macvtap sits on a lower
 * device where tapwire runs and is born in its namespace, never moved. */
enum tw_macvlan_mode {
	TW_MACVLAN_BRIDGE = 0, TW_MACVLAN_VEPA, TW_MACVLAN_PRIVATE, TW_MACVLAN_PASSTHRU,
	TW_MACVLAN_SOURCE
};

struct tw_tun_spec {
	char name[IFNAMSIZ];
	char ns[TW_NSNAME_MAX];
	char owner[TW_OWNER_MAX];
	char group[TW_OWNER_MAX];
	unsigned mtu;
	struct tw_addrs addrs;
	bool has_peer;           /* point-to-point: the peer is IFA_ADDRESS, addrs[0] IFA_LOCAL */
	struct tw_cidr peer;
	int line;
};

struct tw_macvlan_spec {
	bool tap;                /* a <tw:macvtap>: /dev/tapN for QEMU */
	char name[IFNAMSIZ];
	char ns[TW_NSNAME_MAX];
	char dev[IFNAMSIZ];      /* the lower device, where tapwire runs */
	enum tw_macvlan_mode mode;
	bool has_mac;
	uint8_t mac[TW_MAC_LEN]; /* as given: a macvtap's is the guest's own */
	unsigned mtu;
	unsigned queues;         /* macvtap: 0 or 1 = single queue */
	char owner[TW_OWNER_MAX];/* macvtap: who owns /dev/tapN */
	char group[TW_OWNER_MAX];
	struct tw_addrs addrs;   /* macvlan */
	int line;
};

/* A <tw:net>. Arrays are heap allocated; free with tw_net_free(). */
struct tw_net {
	char owner[TW_OWNER_MAX];
	char source[256]; /* file name for messages */
	struct tw_ns_spec *namespaces;
	size_t n_namespaces;
	struct tw_bridge_spec *bridges;
	size_t n_bridges;
	struct tw_veth_spec *veths;
	size_t n_veths;
	struct tw_tap_spec *taps;
	size_t n_taps;
	struct tw_vxlan_spec *vxlans;
	size_t n_vxlans;
	struct tw_port_spec *ports;
	size_t n_ports;
	struct tw_need_spec *needs;
	size_t n_needs;
	struct tw_ovs_port_spec *ovs_ports;
	size_t n_ovs_ports;
	struct tw_tun_spec *tuns;
	size_t n_tuns;
	struct tw_macvlan_spec *macvlans; /* <tw:macvlan> and <tw:macvtap> */
	size_t n_macvlans;
};

/* One libvirt <interface>. */
enum tw_iface_type {
	TW_IFACE_OTHER = 0,
	TW_IFACE_BRIDGE,
	TW_IFACE_NETWORK,
	TW_IFACE_ETHERNET,
	TW_IFACE_DIRECT,   /* a macvtap on <source dev> */
};

struct tw_iface {
	enum tw_iface_type type;
	char type_name[32];        /* as written, e.g. "direct" for TW_IFACE_OTHER */
	bool has_mac;
	uint8_t mac[TW_MAC_LEN];
	char source_bridge[IFNAMSIZ];
	char source_network[256];
	char target_dev[IFNAMSIZ];
	enum tw_tristate target_managed;
	char model[32];
	char driver_name[32];
	unsigned queues;           /* 0 = not given */
	unsigned mtu;              /* 0 = not given */
	enum tw_tristate link_up;  /* <link state='up|down'> */
	char virtualport_type[32]; /* "openvswitch", ... */
	char interfaceid[64];      /* <virtualport><parameters interfaceid=...> */
	char source_dev[IFNAMSIZ]; /* type='direct': the macvtap's lower device */
	char source_mode[16];      /* and its mode, "" = bridge */
	int line;
};

struct tw_domain {
	char name[TW_OWNER_MAX];
	char uuid[40];
	char type[16];        /* <domain type='qemu|kvm'> */
	/* The user part of <seclabel model='dac'><label>USER:GROUP</label>, as
	 * written ("+64055" is a uid): who QEMU runs as. "" when absent, as it is
	 * for a dynamic label before the domain starts. */
	char dac_user[TW_OWNER_MAX];
	struct tw_net *net;   /* <metadata><tw:net>, NULL when absent */
	struct tw_iface *ifaces;
	size_t n_ifaces;
};

void tw_net_free(struct tw_net *net);
/* A deep copy, or NULL when out of memory. */
struct tw_net *tw_net_clone(const struct tw_net *net);
void tw_domain_free(struct tw_domain *dom);
void tw_bridge_svc_free(struct tw_bridge_svc *s);
/* A deep copy of src (NULL gives NULL): 0 or -ENOMEM. */
int tw_bridge_svc_dup(struct tw_bridge_svc **dst, const struct tw_bridge_svc *src);

/* Lookups used by validation and planning. NULL when absent. */
const struct tw_bridge_spec *tw_net_find_bridge(const struct tw_net *net, const char *ns,
						const char *name);

/* ", 1 tuns, 1 macvlans, 1 macvtaps" for the devices a file declares
 * beyond the first kinds (check's summary), "" when it has none. The
 * buffer is static. */
const char *tw_net_more_devices(const struct tw_net *net);

#endif
