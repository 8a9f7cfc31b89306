/* Which network namespace tapwire runs in, as the names of the state and
 * lock files say it: the host's keeps plain "state" and "lock", any other
 * "state-nc<COOKIE>" and "lock-nc<COOKIE>" (see engine/state.h). */
#ifndef TW_NETNS_ID_H
#define TW_NETNS_ID_H

#include <stddef.h>
#include <stdint.h>

/* The first line of a lock-nc<COOKIE> file: which namespace it is for. */
#define TW_NETNS_ID_MAGIC "tapwire-netns 1"

/* The cookie of the network namespace the calling thread is in: a number
 * the kernel gives each namespace and never hands out again, unlike the
 * nsfs inode, which comes from an allocator that reuses freed numbers (a
 * namespace made after another died very likely gets its inode). Any
 * socket tells it. 0, -ENOPROTOOPT before Linux 5.14, or -errno. */
int tw_netns_id_cookie(uint64_t *out);

/* The file names' suffix for the namespace tapwire runs in ("", "-nc<COOKIE>",
 * or "-net<INODE>" on a kernel without cookies), and what goes into its
 * lock file so that tw_state_prune can tell cheaply whether the namespace
 * still lives ("" for the host's and the no-cookie fallback). 0 or -errno. */
int tw_netns_id_suffix(char *buf, size_t len, char *ident, size_t identlen);

#endif
