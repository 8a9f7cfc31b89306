/* tapwire gc: taps that tapwire-bridge-helper made and that nobody holds any
 * more.
 *
 * The helper's taps are never persistent: each lives as long as QEMU's fd.
 * But TUNSETPERSIST and TUNSETOWNER on that fd need no capability, so whoever
 * holds it can make the tap outlive them, on the bridge, and open it again
 * later, even after the policy has taken the bridge away. gc removes those
 * and nothing else. The helper marks each of its taps with the interface
 * alias "tapwire-bridge-helper uid=N", set with CAP_NET_ADMIN, which the
 * holder of the fd cannot change; `tapwire attach` makes persistent taps with
 * the same twXXXXXXXX names, but without that alias. */
#ifndef TW_GC_H
#define TW_GC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/nl.h"
#include "net/tap.h" /* TW_HELPER_ALIAS_PREFIX */

enum tw_gc_verdict {
	TW_GC_KEPT_TRANSIENT, /* not persistent: it lives only while someone holds it */
	TW_GC_KEPT_HELD,      /* persistent, but held: by holder, or by an fd no
	                       * process of ours shows (carrier on) */
	TW_GC_REMOVE,         /* persistent, held by nobody: removed, or would be (dry run) */
	TW_GC_GONE,           /* vanished while gc was about to remove it */
};

struct tw_gc_tap {
	int ifindex;
	char name[IFNAMSIZ];
	long uid;       /* the caller of the helper, from the alias; -1 when it names none */
	bool persist;
	bool carrier;   /* the kernel's sign that a queue is attached: someone holds it */
	pid_t holder;   /* a process holding it, 0 = none found */
	enum tw_gc_verdict verdict;
};

/* Find every tap of tapwire-bridge-helper in nl's namespace (a tap with the
 * helper's alias), decide on each, and remove the persistent ones nobody
 * holds (unless dry_run). Each is read afresh, and its holder looked for,
 * right before its removal. *taps (free() it) lists them in the kernel's
 * order with their verdicts; when an error stops gc, those decided before
 * it. Returns 0, or -errno with why filled. */
int tw_gc(struct tw_nl *nl, bool dry_run, struct tw_gc_tap **taps, size_t *n, char *why,
	  size_t whylen);

#endif
