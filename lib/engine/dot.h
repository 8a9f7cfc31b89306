/* A topology as Graphviz (tapwire show --dot): each network namespace is a
 * cluster (the host's too), bridges and the devices that end somewhere are
 * nodes, a veth is one edge between the places of its two ends (the bridge
 * an end is on, else the end itself), taps, vxlans and ports hang off their
 * bridges, and the VMs that hold taps (or whose NICs are on a bridge) are
 * nodes outside every namespace. Every name is quoted and escaped: a name
 * can never end a string or start a statement. */
#ifndef TW_DOT_H
#define TW_DOT_H

#include <net/if.h>
#include <stdio.h>

#include "core/model.h"

/* A VM (or any process) and where its NIC is: the tap it holds, or the
 * bridge it is on when its tap is not known (a libvirt <interface
 * type='bridge'> before the domain runs). A tap that is not in the net (a
 * port another program made) is drawn too, on bridge. */
struct tw_dot_vm {
	char name[TW_OWNER_MAX + 32]; /* "web", "pid 4242 qemu-system-x86" */
	char ns[TW_NSNAME_MAX];
	char tap[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	char label[64];               /* on its edge: the guest MAC, ... */
};

struct tw_dot {
	const struct tw_net *net;
	const struct tw_dot_vm *vms;
	size_t n_vms;
	const char *title; /* the graph's label: the owner, the file */
};

void tw_dot_write(FILE *out, const struct tw_dot *g);
/* The same graph as one JSON document (tapwire show --json):
 * {"title", "namespaces": [{"id", "name" ("" the host), "nodes": [NODE...]}],
 *  "vms": [NODE...], "edges": [{"from", "to", "kind", "label", "tail", "head"}]},
 * a NODE {"id", "kind", "name", "label": [LINE...]}; ids as in the DOT graph,
 * an edge's empty or absent fields left out. */
void tw_dot_write_json(FILE *out, const struct tw_dot *g);

/* s as one DOT string: quoted, '"' and '\' escaped, control bytes as '?'. */
void tw_dot_str(FILE *out, const char *s);

/* What owner has on record in the state (show-owner.c), as a net: each
 * device on the bridge the kernel has it on now, and as VMs who holds the
 * taps on its bridges (libvirt's domain name when known, else pid and
 * command), its own taps and those others put there. 0; -ENOENT when
 * nothing is on record for owner; other -errno, with err set when the
 * state cannot be read. */
int tw_show_owner(const char *owner, struct tw_net **net, struct tw_dot_vm **vms,
		  size_t *n_vms, char *err, size_t len);

#endif
