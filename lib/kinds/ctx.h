/* One run's view of the kernel: a netlink socket and an fd per network
 * namespace it touches, opened once and kept for the whole run, so a
 * topology of N namespaces costs N socket opens, not one per object. */
#ifndef TW_CTX_H
#define TW_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "net/nl.h"
#include "core/util.h"

struct tw_nsctx {
	char name[TW_NSNAME_MAX]; /* "" = where tapwire runs */
	int fd;                   /* namespace fd; -1 for "" or not open */
	struct tw_nl nl;
	bool nl_open;
	bool fresh;               /* made by this run: nothing inside it exists yet */
	bool doomed;              /* holds devices marked for the batched deletion */
	bool dying;               /* to be deleted by this run: skip undoing things inside */
	struct tw_ifcache {       /* ifindex of bridges, asked once per run */
		char name[IFNAMSIZ];
		int ifindex;
	} *ifc;
	size_t n_ifc, cap_ifc;
};

struct tw_ctx;

struct tw_ctx *tw_ctx_new(void);
/* The device group this run marks devices with before deleting them in a
 * batch: random, so it never matches a group an administrator uses. */
uint32_t tw_ctx_doom_group(struct tw_ctx *c);
void tw_ctx_free(struct tw_ctx *c);
/* The run directory (engine.h: /run/tapwire or $TAPWIRE_RUNDIR), where the
 * daemons a run starts keep their files; the string must outlive c. */
void tw_ctx_set_rundir(struct tw_ctx *c, const char *rundir);
const char *tw_ctx_rundir(const struct tw_ctx *c);

/* The entry for ns, opened on first use. -ENOENT when the namespace does
 * not exist. */
int tw_ctx_get(struct tw_ctx *c, const char *ns, struct tw_nsctx **out);
/* Same, as the socket only. */
int tw_ctx_nl(struct tw_ctx *c, const char *ns, struct tw_nl **out);
/* A namespace this run is going to make: nothing inside it can exist yet,
 * so the planner need not ask the kernel about it. */
int tw_ctx_mark_fresh(struct tw_ctx *c, const char *ns);
/* ... and has now made (takes nsfd). */
int tw_ctx_add_fresh(struct tw_ctx *c, const char *ns, int nsfd);
/* Whether ns was made by this run (then lookups inside it can be skipped). */
bool tw_ctx_is_fresh(struct tw_ctx *c, const char *ns);
/* The ifindex of device name in ns (a bridge, typically), asked of the
 * kernel once per run. -ENODEV when it does not exist. */
int tw_ctx_ifindex(struct tw_ctx *c, const char *ns, const char *name);
void tw_ctx_mark_dying(struct tw_ctx *c, const char *ns);
bool tw_ctx_is_dying(struct tw_ctx *c, const char *ns);
/* Delete the devices marked for deletion (tw_dev_doom) in one RTM_DELLINK
 * per namespace. Returns the first error, with why set. */
int tw_ctx_reap_all(struct tw_ctx *c, char *why, size_t len);
/* Close the socket and fd of ns (before deleting it). */
void tw_ctx_forget(struct tw_ctx *c, const char *ns);

#endif
