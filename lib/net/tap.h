/* tun/tap devices. Netlink cannot create them: they are made with TUNSETIFF
 * on an open /dev/net/tun, in the namespace that file was opened in. */
#ifndef TW_TAP_H
#define TW_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <sys/types.h>

/* tapwire-bridge-helper gives its taps the alias "PREFIX uid=UID": only
 * CAP_NET_ADMIN sets an alias, so the fd's holder cannot forge or remove
 * it, and `tapwire gc` knows the helper's taps by it. */
#define TW_HELPER_ALIAS_PREFIX "tapwire-bridge-helper "

struct tw_tap_opts {
	const char *name;  /* NULL: pick a random free "twXXXXXXXX" name */
	bool vnet_hdr;     /* ask for IFF_VNET_HDR; ignored if the kernel lacks it */
	bool multi_queue;  /* IFF_MULTI_QUEUE */
	bool persist;      /* outlive the fd (TUNSETPERSIST) */
	uid_t owner;       /* (uid_t)-1 = none */
	gid_t group;       /* (gid_t)-1 = none */
	bool tun;          /* IFF_TUN (layer 3, no Ethernet header) instead of IFF_TAP */
};

/* Open /dev/net/tun (close-on-exec). Returns fd or -errno. */
int tw_tap_open_ctl(void);

/* Turn an open /dev/net/tun fd into a new tap (IFF_TAP|IFF_NO_PI); never
 * attaches to an existing device (IFF_TUN_EXCL). The chosen name goes to
 * name_out. With a random name, a clash is retried with a fresh one, so the
 * cost does not grow with the number of devices (the kernel's own "tap%d"
 * scans them all). Returns 0 or -errno. */
int tw_tap_create(int tunfd, const struct tw_tap_opts *o, char name_out[IFNAMSIZ]);

/* Give the existing tun/tap NAME a new owner and group ((uid_t)-1,
 * (gid_t)-1: none): attach tunfd to it with flags exactly as the device has
 * them (IFF_TUN or IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE, IFF_VNET_HDR: the
 * kernel takes the attach's flags as the device's), then TUNSETOWNER and
 * TUNSETGROUP. -EBUSY when a single-queue device is held by a process. */
int tw_tap_set_owner(int tunfd, const char *name, short flags, uid_t owner, gid_t group);

#endif
