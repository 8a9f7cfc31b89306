/* Kept apart from link.c: it is the only link operation that needs
 * libnl-route, and the setuid helper must not pull that library in. */
#include "net/link.h"

#include <errno.h>

#include <netlink/route/link.h>

int tw_link_create(struct tw_nl *nl, struct rtnl_link *link)
{
	struct nl_msg *msg = NULL;
	if (rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg) < 0)
		return -ENOMEM;
	int r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	return r;
}
