#include "bridge.h"

#include <errno.h>

int tw_bridge_get(struct tw_nl *nl, const char *name, struct tw_link *out)
{
	int r = tw_link_get(nl, name, 0, out);
	if (r < 0)
		return r;
	return tw_link_is_bridge(out) ? 0 : -EMEDIUMTYPE;
}
