/* The kernel's share of a helper call, without any helper: in one process,
 * N times, look the bridge up, create a tap (TUNSETIFF) and attach it
 * (MAC/MTU/master, then up), keeping every tap open, PER_BRIDGE taps per
 * bridge (bridges b0, b1, ... are made here). Prints the mean cost of each
 * step over the first and the last 50 taps: what no helper can avoid, and
 * how it grows with the number of devices.
 *
 *   tw-kernel-floor N PER_BRIDGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "net/bridge.h"
#include "net/link.h"
#include "net/nl.h"
#include "net/tap.h"

static long us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s N PER_BRIDGE\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]), per = atoi(argv[2]);
	if (n < 100 || per < 1)
		return 2;
	struct rlimit rl = { (rlim_t)n + 64, (rlim_t)n + 64 };
	setrlimit(RLIMIT_NOFILE, &rl);
	struct tw_nl nl;
	if (tw_nl_open(&nl) < 0)
		return 1;
	long sum[2][3] = { { 0 } };
	for (int i = 0; i < n; i++) {
		char brname[IFNAMSIZ];
		snprintf(brname, sizeof(brname), "b%d", i / per);
		if (i % per == 0 && tw_bridge_put(&nl, brname, 0, 0, NULL, -1, true) < 0)
			return 1;
		struct tw_link br;
		char tap[IFNAMSIZ];
		struct tw_tap_opts o = { .vnet_hdr = true, .owner = (uid_t)-1, .group = (gid_t)-1 };
		long t0 = us();
		int fd = tw_bridge_get(&nl, brname, &br) < 0 ? -1 : tw_tap_open_ctl();
		long t1 = us();
		if (fd < 0 || tw_tap_create(fd, &o, tap) < 0)
			return 1;
		long t2 = us();
		uint8_t mac[TW_MAC_LEN] = { 0xfe, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		struct tw_link_change c = TW_LINK_CHANGE_INIT;
		c.mac = mac;
		c.mtu = br.mtu;
		c.master = br.ifindex;
		if (tw_link_come_up(&nl, tap, &c, true) < 0)
			return 1;
		long t3 = us();
		int k = i < 50 ? 0 : i >= n - 50 ? 1 : -1;
		if (k >= 0) {
			sum[k][0] += t1 - t0;
			sum[k][1] += t2 - t1;
			sum[k][2] += t3 - t2;
		}
	}
	printf("kernel floor (N=%d, %d per bridge)   lookup  TUNSETIFF  attach+up   total\n", n, per);
	for (int k = 0; k < 2; k++)
		printf("  %-32s %7ld %10ld %10ld %7ld\n", k ? "last 50 taps (us)" : "first 50 taps (us)",
		       sum[k][0] / 50, sum[k][1] / 50, sum[k][2] / 50,
		       (sum[k][0] + sum[k][1] + sum[k][2]) / 50);
	return 0;
}
