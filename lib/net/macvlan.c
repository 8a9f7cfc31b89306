#include "net/macvlan.h"

#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/macvtap.h>

#include "core/util.h"
#include "net/link.h"

int tw_macvlan_create(struct tw_nl *nl, const struct tw_macvlan_opts *o)
{
	struct rtnl_link *l = o->tap ? rtnl_link_macvtap_alloc() : rtnl_link_macvlan_alloc();
	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, o->name);
	rtnl_link_set_link(l, o->lower);
	if (o->tap)
		rtnl_link_macvtap_set_mode(l, o->mode);
	else
		rtnl_link_macvlan_set_mode(l, o->mode);
	/* Born where it belongs: moving it later would cost a grace period
	 * and a window in which it is in the wrong place. */
	if (o->ns_fd >= 0)
		rtnl_link_set_ns_fd(l, o->ns_fd);
	if (o->ifindex > 0)
		rtnl_link_set_ifindex(l, o->ifindex);
	if (o->mtu)
		rtnl_link_set_mtu(l, o->mtu);
	if (o->queues > 1) {
		rtnl_link_set_num_tx_queues(l, o->queues);
		rtnl_link_set_num_rx_queues(l, o->queues);
	}
	if (o->up)
		rtnl_link_set_flags(l, IFF_UP);
	int r = 0;
	if (o->mac) {
		struct nl_addr *a = nl_addr_build(AF_LLC, o->mac, TW_MAC_LEN);
		if (!a)
			r = -ENOMEM;
		else {
			rtnl_link_set_addr(l, a);
			nl_addr_put(a);
		}
	}
	if (r == 0)
		r = tw_link_create(nl, l);
	rtnl_link_put(l);
	return r;
}

int tw_link_kind_known(struct tw_nl *nl, const char *kind)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;
	int r = -ENOMEM;
	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
	    (info = nla_nest_start(msg, IFLA_LINKINFO)) &&
	    nla_put_string(msg, IFLA_INFO_KIND, kind) == 0) {
		nla_nest_end(msg, info);
		r = tw_nl_talk(nl, msg, NULL, NULL);
	}
	nlmsg_free(msg);
	if (r == -EOPNOTSUPP)
		return 0;
	if (r == -ENOMEM)
		return r;
	/* EINVAL: it wants its lower device, so the kernel knows the kind.
	 * Success cannot happen for the kinds asked about (each needs one). */
	return 1;
}

static int node_path(int ifindex, char *buf, size_t len)
{
	return snprintf(buf, len, "/dev/tap%d", ifindex) < (int)len ? 0 : -ENAMETOOLONG;
}

/* /sys/dev/char/MAJ:MIN links to .../net/NAME/macvtap/tapN whatever the
 * namespace of the reader: the one place that ties a node to its device. */
static int node_device(dev_t rdev, char *name, size_t len, int *index)
{
	char link[64], target[512];
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u", major(rdev), minor(rdev));
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	char *tap = strrchr(target, '/');
	if (!tap || strncmp(tap, "/tap", 4))
		return -ENOENT;
	*index = atoi(tap + 4);
	*tap = 0;
	char *mv = strrchr(target, '/');
	if (!mv || strcmp(mv, "/macvtap"))
		return -ENOENT;
	*mv = 0;
	char *dev = strrchr(target, '/');
	if (!dev)
		return -ENOENT;
	tw_strscpy(name, dev + 1, len);
	return 0;
}

/* How many macvtaps are called name with that ifindex, anywhere: two (in
 * two namespaces) make a node impossible to attribute. */
static int twins(const char *name, int ifindex)
{
	DIR *d = opendir("/sys/dev/char");
	if (!d)
		return -errno;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		unsigned ma, mi;
		char dev[IFNAMSIZ];
		int idx;
		if (sscanf(de->d_name, "%u:%u", &ma, &mi) == 2 &&
		    node_device(makedev(ma, mi), dev, sizeof(dev), &idx) == 0 && idx == ifindex &&
		    !strcmp(dev, name))
			n++;
	}
	closedir(d);
	return n;
}

int tw_macvtap_node_check(const char *name, int ifindex, char *owner, size_t len)
{
	char path[32], dev[IFNAMSIZ] = "";
	struct stat st;
	int idx = 0;
	owner[0] = 0;
	int r = node_path(ifindex, path, sizeof(path));
	if (r < 0)
		return r;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) || node_device(st.st_rdev, dev, sizeof(dev), &idx) < 0) {
		tw_strscpy(owner, "", len);
		return -EEXIST;
	}
	tw_strscpy(owner, dev, len);
	if (strcmp(dev, name) || idx != ifindex)
		return -EEXIST;
	r = twins(name, ifindex);
	return r < 0 ? r : r == 1 ? 0 : -EEXIST;
}

int tw_macvtap_node_own(int ifindex, uid_t owner, gid_t group)
{
	char path[32];
	int r = node_path(ifindex, path, sizeof(path));
	if (r < 0)
		return r;
	if ((owner != (uid_t)-1 || group != (gid_t)-1) && chown(path, owner, group) < 0)
		return -errno;
	if (group != (gid_t)-1 && chmod(path, 0660) < 0)
		return -errno;
	return 0;
}

int tw_macvtap_free_index(int from, int span)
{
	char path[32];
	for (int i = from; i < from + span; i++) {
		struct stat st;
		if (node_path(i, path, sizeof(path)) == 0 && stat(path, &st) < 0 && errno == ENOENT)
			return i;
	}
	return -ENOSPC;
}
