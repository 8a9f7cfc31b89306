/* Linux bridges. */
#ifndef TW_BRIDGE_H
#define TW_BRIDGE_H

#include <stdbool.h>

#include "link.h"

static inline bool tw_link_is_bridge(const struct tw_link *l)
{
	return l->kind[0] && __builtin_strcmp(l->kind, "bridge") == 0;
}

/* Look up a bridge by name. -ENODEV when there is no such device,
 * -EMEDIUMTYPE when the device exists but is not a Linux bridge. */
int tw_bridge_get(struct tw_nl *nl, const char *name, struct tw_link *out);

#endif
