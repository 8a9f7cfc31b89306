/* Every kind of object the engine manages has the same shape: one file per
 * kind (netns.c, bridge.c, veth.c, tap.c, vxlan.c, port.c, attr.c, addr.c,
 * fdb.c; ovs.c has two, Open vSwitch bridges and ports) ending in a table of these operations. Checking the model against
 * the kernel (probe) is separate from changing it (create, remove). */
#ifndef TW_OBJ_H
#define TW_OBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "link.h"
#include "model.h"
#include "state.h"

enum tw_action {
	TW_ACT_CREATE, /* make it */
	TW_ACT_SET,    /* change a setting of a device tapwire did not make (ATTR) */
	TW_ACT_USE,    /* it is there: put this owner on record */
};

struct tw_step {
	enum tw_action action;
	struct tw_key key;
	const void *spec;      /* the model object behind it, when there is one */
	char data[128];        /* kept in the state: VETH "peerns/peer", ATTR old value, PORT bridge */
	char value[64];        /* ATTR: the new value */
	unsigned mtu;          /* a new device's MTU as planned (0: the kernel's default) */
	char note[112];        /* why it is what it is, when tapwire chose it: the plan shows it */
	bool recorded;         /* this owner is on record already: no state change */
	int line;              /* source line, for messages */
};

enum tw_probe { TW_ABSENT = 0, TW_PRESENT = 1 };

struct tw_kind_ops {
	enum tw_kind kind;
	/* Is it in the kernel? TW_ABSENT, TW_PRESENT (with live filled in for
	 * a device), or -errno with why set when something else stands in its
	 * place (a veth where a bridge should be, ...). */
	int (*probe)(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		     size_t len);
	int (*create)(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len);
	/* Undo what the record says tapwire did. A device is not deleted here
	 * but marked: devices are deleted in one batch per namespace, because
	 * each unregistration waits for an RCU grace period (~25 ms). */
	int (*remove)(struct tw_ctx *c, const struct tw_rec *r, char *why, size_t len);
	/* "bridge br0 (mtu 9000, stp off)": the step as the plan prints it. */
	void (*describe)(const struct tw_step *s, char *buf, size_t len);
};

const struct tw_kind_ops *tw_kind_ops(enum tw_kind k);

extern const struct tw_kind_ops tw_netns_ops, tw_bridge_ops, tw_vxlan_ops, tw_veth_ops,
	tw_tap_ops, tw_port_ops, tw_attr_ops, tw_addr_ops, tw_fdb_ops, tw_ovsbr_ops,
	tw_ovsport_ops;

/* Shared by the device kinds. */
int tw_dev_probe(struct tw_ctx *c, const char *ns, const char *name, const char *kind,
		 struct tw_link *live, char *why, size_t len);
/* Mark a device for the batched deletion of its namespace (see remove). */
int tw_dev_doom(struct tw_ctx *c, const char *ns, const char *name, const char *kind,
		char *why, size_t len);
/* Delete every marked device of ns in one RTM_DELLINK. */
int tw_dev_reap(struct tw_ctx *c, const char *ns, char *why, size_t len);

/* "[net0] veth0" or "veth0": a device as messages name it. */
void tw_dev_label(const char *ns, const char *name, char *buf, size_t len);

#endif
