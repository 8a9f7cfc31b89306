/* A record's key as the plan, `down` and `status` name it. */
#include <stdio.h>

#include "engine/state.h"

void tw_key_format(const struct tw_key *k, char *buf, size_t len)
{
	const char *kind = tw_kind_name(k->kind);
	/* The plan's way of naming things: "[ns] dev", "address 10.0.1.1/24 dev X". */
	char dev[TW_NSNAME_MAX + IFNAMSIZ + 4];
	snprintf(dev, sizeof(dev), "%s%s%s%s", k->ns[0] ? "[" : "", k->ns, k->ns[0] ? "] " : "", k->name);
	if (k->kind == TW_K_NETNS)
		snprintf(buf, len, "netns %s", k->ns);
	else if (k->kind == TW_K_ADDR)
		snprintf(buf, len, "address %s dev %s", k->arg, dev);
	else if (k->kind == TW_K_FDB)
		snprintf(buf, len, "fdb 00:00:00:00:00:00 dev %s dst %s", dev, k->arg);
	else if (k->kind == TW_K_ATTR)
		snprintf(buf, len, "set %s %s", dev, k->arg);
	else if (k->kind == TW_K_MOVE)
		snprintf(buf, len, "move addresses and routes of %s to %s", dev, k->arg);
	else if (k->kind == TW_K_OVSPORT)
		snprintf(buf, len, "ovs-port %s", dev);
	else
		snprintf(buf, len, "%s %s", kind, dev);
}
