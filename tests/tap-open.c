/* Opens a persistent tap the way QEMU does with -netdev tap,ifname=NAME
 * (net/tap-linux.c, tap_open): /dev/net/tun, then TUNSETIFF with IFF_TAP,
 * IFF_NO_PI and, when asked, IFF_VNET_HDR. Run as the tap's owner it must
 * succeed; as anyone else the kernel must refuse (EPERM).
 *
 *   tw-tap-open NAME [vnet_hdr]
 *
 * Exit 0 when the kernel attached us to the tap, 1 (and one line saying
 * why) when it refused. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: tw-tap-open NAME [vnet_hdr]\n");
		return 2;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tw-tap-open: /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (argc == 3 && !strcmp(argv[2], "vnet_hdr"))
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tw-tap-open: %s: %s\n", argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
