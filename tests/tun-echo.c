/* A user's process on a persistent tun, as a VPN daemon would be: attaches
 * to tun NAME (IFF_TUN|IFF_NO_PI, the way it was made), reads the IPv4
 * packets the host routes into it and answers each ICMP echo request
 * itself, so `ping PEER` on the host side gets its replies from here.
 *
 *   tw-tun-echo NAME COUNT SECONDS
 *
 * Prints "attached NAME" once attached, one line per echo request answered,
 * and exits 0 after COUNT of them, 1 on an error or after SECONDS. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "net/ping.h"

/* Turn an echo request into its reply in place; 0 when it was one. */
static int reply(uint8_t *pkt, size_t n)
{
	if (n < sizeof(struct iphdr))
		return -1;
	struct iphdr *ip = (struct iphdr *)pkt;
	size_t hl = (size_t)ip->ihl * 4;
	if (ip->version != 4 || ip->protocol != IPPROTO_ICMP || n < hl + 8)
		return -1;
	struct icmphdr *icmp = (struct icmphdr *)(pkt + hl);
	if (icmp->type != ICMP_ECHO)
		return -1;
	uint32_t a = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = a;
	ip->check = 0;
	ip->check = tw_inet_csum(ip, hl);
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = 0;
	icmp->checksum = tw_inet_csum(icmp, n - hl);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: tw-tun-echo NAME COUNT SECONDS\n");
		return 2;
	}
	int want = atoi(argv[2]);
	time_t end = time(NULL) + atoi(argv[3]);
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tw-tun-echo: /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[1]);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tw-tun-echo: TUNSETIFF %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("attached %s\n", ifr.ifr_name);
	fflush(stdout);
	int got = 0;
	uint8_t pkt[65536];
	while (got < want && time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = read(fd, pkt, sizeof(pkt));
		if (n < 0) {
			fprintf(stderr, "tw-tun-echo: read: %s\n", strerror(errno));
			return 1;
		}
		if (reply(pkt, (size_t)n) < 0)
			continue;
		if (write(fd, pkt, (size_t)n) != n) {
			fprintf(stderr, "tw-tun-echo: write: %s\n", strerror(errno));
			return 1;
		}
		printf("echo %d answered (%zd bytes)\n", ++got, n);
		fflush(stdout);
	}
	return got == want ? 0 : 1;
}
