#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/util.h"

#define RANDOM_NAME_TRIES 16

int tw_tap_open_ctl(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Whether this kernel's tun driver offers IFF_VNET_HDR. */
static bool has_vnet_hdr(int tunfd)
{
	unsigned features = 0;
	if (ioctl(tunfd, TUNGETFEATURES, &features) < 0)
		return false;
	return features & IFF_VNET_HDR;
}

static int random_name(char name[IFNAMSIZ])
{
	uint32_t r;
	int e = tw_random(&r, sizeof(r));
	if (e < 0)
		return e;
	snprintf(name, IFNAMSIZ, "tw%08x", r);
	return 0;
}

static int set_iff(int tunfd, const char *name, short flags)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	tw_strscpy(ifr.ifr_name, name, IFNAMSIZ);
	return ioctl(tunfd, TUNSETIFF, &ifr) < 0 ? -errno : 0;
}

int tw_tap_create(int tunfd, const struct tw_tap_opts *o, char name_out[IFNAMSIZ])
{
	short flags = (o->tun ? IFF_TUN : IFF_TAP) | IFF_NO_PI | IFF_TUN_EXCL;
	if (o->vnet_hdr && has_vnet_hdr(tunfd))
		flags |= IFF_VNET_HDR;
	if (o->multi_queue)
		flags |= IFF_MULTI_QUEUE;

	int r;
	if (o->name) {
		if (!tw_ifname_valid(o->name, NULL, 0))
			return -EINVAL;
		tw_strscpy(name_out, o->name, IFNAMSIZ);
		r = set_iff(tunfd, name_out, flags);
	} else {
		r = -EBUSY;
		for (int i = 0; i < RANDOM_NAME_TRIES && r == -EBUSY; i++) {
			r = random_name(name_out);
			if (r == 0)
				r = set_iff(tunfd, name_out, flags);
		}
	}
	if (r < 0)
		return r;
	if (o->owner != (uid_t)-1 && ioctl(tunfd, TUNSETOWNER, (unsigned long)o->owner) < 0)
		return -errno;
	if (o->group != (gid_t)-1 && ioctl(tunfd, TUNSETGROUP, (unsigned long)o->group) < 0)
		return -errno;
	if (o->persist && ioctl(tunfd, TUNSETPERSIST, 1UL) < 0)
		return -errno;
	return 0;
}

int tw_tap_set_owner(int tunfd, const char *name, short flags, uid_t owner, gid_t group)
{
	int r = set_iff(tunfd, name, flags);
	if (r < 0)
		return r;
	if (owner != (uid_t)-1 && ioctl(tunfd, TUNSETOWNER, (unsigned long)owner) < 0)
		return -errno;
	if (group != (gid_t)-1 && ioctl(tunfd, TUNSETGROUP, (unsigned long)group) < 0)
		return -errno;
	return 0;
}
