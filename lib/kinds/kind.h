/* Every kind of object the engine manages has the same shape: one file per
 * kind in lib/kinds/ (netns, bridge, ovs-bridge, vxlan, veth, tap, port,
 * ovs-port, setting, addr, fdb) ending in a table of these operations, and
 * one line in registry.c. Checking the model against the kernel (probe) is
 * separate from changing it (create, remove). */
#ifndef TW_KINDS_KIND_H
#define TW_KINDS_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"
#include "kinds/ctx.h"
#include "kinds/record.h"
#include "net/link.h"

enum tw_action {
	TW_ACT_CREATE, /* make it */
	TW_ACT_SET,    /* change a setting of a device tapwire did not make (ATTR) */
	TW_ACT_USE,    /* it is there: put this owner on record */
	TW_ACT_CHANGE, /* change a setting of a device tapwire made (ATTR: not recorded, the
			* device goes whole), or replace an address (ADDR: data is the old one) */
	TW_ACT_REMOVE, /* on record for this owner, no longer declared: undone as `down` would */
};

struct tw_step {
	enum tw_action action;
	struct tw_key key;
	const void *spec;      /* the model object behind it, when there is one */
	char data[128];        /* kept in the state: VETH "peerns/peer", ATTR old value, PORT bridge */
	char value[64];        /* ATTR: the new value */
	unsigned mtu;          /* a new device's MTU as planned (0: the kernel's default) */
	uid_t uid;             /* TAP: its owner and group, looked up once, by the plan; */
	gid_t gid;             /* (uid_t)-1 and (gid_t)-1 when none is given */
	char note[112];        /* why it is what it is, when tapwire chose it: the plan shows it */
	bool recorded;         /* this owner is on record already: no state change */
	int line;              /* source line, for messages */
	bool force;            /* ATTR owner: recreate the device if it is held (--force) */
	bool use_note;         /* USE: note says what of it is not changed (plan-owner.c) */
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
	/* Is the record's object there as tapwire made it (status)? NULL: the
	 * engine asks the kernel for the device named by the key. */
	bool (*live)(struct tw_ctx *c, const struct tw_rec *r);
};

/* The registry (registry.c): objects are made in enum order and removed in
 * reverse. A kind's name is how the state file and the messages call it. */
const struct tw_kind_ops *tw_kind_ops(enum tw_kind k);
/* A network device (bridge, veth, tap, ...), as opposed to a namespace,
 * a setting, an address or a port record. */
bool tw_kind_is_device(enum tw_kind k);

/* Shared by the device kinds. */
int tw_dev_probe(struct tw_ctx *c, const char *ns, const char *name, const char *kind,
		 struct tw_link *live, char *why, size_t len);
/* Mark a device for the batched deletion of its namespace (see remove). */
int tw_dev_doom(struct tw_ctx *c, const char *ns, const char *name, const char *kind,
		char *why, size_t len);

/* A persistent tun or tap made as o says in namespace ns (born there, from
 * /dev/net/tun opened there); *e is that namespace's context. 0 or -errno
 * with why set. */
struct tw_tap_opts;
int tw_dev_make_tun(struct tw_ctx *c, const char *ns, const struct tw_tap_opts *o,
		    struct tw_nsctx **e, char *why, size_t len);
/* /dev/net/tun opened in namespace ns (*e its context): fd or -errno. */
int tw_dev_tun_fd(struct tw_ctx *c, const char *ns, struct tw_nsctx **e);
/* owner.c: the "owner" setting (value "UID:GID", "-" for none) of live, a
 * tun, tap or macvtap in ns; force recreates a held single-queue tap. */
int tw_owner_set(struct tw_ctx *c, const char *ns, struct tw_nl *nl, const struct tw_link *live,
		 const char *value, bool force, char *why, size_t len);
/* macvlan.c, for macvtap.c too: make s's device (ifindex 0: the kernel's
 * choice) directly in its namespace, on its lower device. */
int tw_macvlan_make(struct tw_ctx *c, const struct tw_step *s, int ifindex, char *why,
		    size_t len);
void tw_macvlan_describe(const struct tw_step *s, char *buf, size_t len);
/* Probe a macvlan or macvtap (kind): present in another mode is refused. */
int tw_macvlan_probe(struct tw_ctx *c, const struct tw_step *s, const char *kind,
		     struct tw_link *live, char *why, size_t len);
/* Refuse a kind this kernel lacks, with one line: 0 or -EOPNOTSUPP. */
int tw_kind_known(struct tw_ctx *c, const char *kind, char *why, size_t len);

/* "[net0] veth0" or "veth0": a device as messages name it. */
void tw_dev_label(const char *ns, const char *name, char *buf, size_t len);

#endif /* TW_KINDS_KIND_H */
