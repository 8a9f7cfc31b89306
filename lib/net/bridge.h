/* Linux bridges. */
#ifndef TW_BRIDGE_H
#define TW_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/link.h"

static inline bool tw_link_is_bridge(const struct tw_link *l)
{
	return l->kind[0] && __builtin_strcmp(l->kind, "bridge") == 0;
}

/* Look up a bridge by name. -ENODEV when there is no such device,
 * -EMEDIUMTYPE when the device exists but is not a Linux bridge. */
int tw_bridge_get(struct tw_nl *nl, const char *name, struct tw_link *out);

/* Create a bridge (create=true: up, by name) or change one (by ifindex):
 * mtu 0, mac NULL and stp < 0 leave that setting alone. */
int tw_bridge_put(struct tw_nl *nl, const char *name, int ifindex, unsigned mtu,
		  const uint8_t *mac, int stp, bool create);

#endif
