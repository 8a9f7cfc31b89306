/* ICMP echo, or the neighbour table, for `up --probe` (net/ping.h). */
#include "net/ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "net/addr.h"
#include "net/nl.h"

static long long now_ms(void)
{
	return (long long)(tw_now_us() / 1000);
}

uint16_t tw_inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int echo_send(int fd, const struct tw_cidr *dst, uint16_t id, uint16_t seq)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	uint8_t pkt[16] = { 0 };
	if (dst->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst->addr, 4);
		sl = sizeof(*sin);
		pkt[0] = ICMP_ECHO;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst->addr, 16);
		sl = sizeof(*sin6);
		pkt[0] = ICMP6_ECHO_REQUEST; /* the kernel sums ICMPv6 itself */
	}
	memcpy(pkt + 4, &id, 2);
	memcpy(pkt + 6, &seq, 2);
	if (dst->family == AF_INET) {
		uint16_t c = tw_inet_csum(pkt, sizeof(pkt));
		memcpy(pkt + 2, &c, 2);
	}
	return sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) < 0 ? -errno : 0;
}

/* Is this datagram dst's echo reply to us? A raw IPv4 socket gets the IP
 * header too; an ICMPv6 one does not. */
static bool is_reply(const uint8_t *buf, ssize_t n, const struct sockaddr_storage *from,
		     const struct tw_cidr *dst, uint16_t id)
{
	const uint8_t *icmp = buf;
	if (dst->family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)from;
		if (n < 20 || memcmp(&sin->sin_addr, dst->addr, 4))
			return false;
		size_t hl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < hl + 8)
			return false;
		icmp = buf + hl;
		n -= (ssize_t)hl;
		if (icmp[0] != ICMP_ECHOREPLY)
			return false;
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)from;
		if (n < 8 || memcmp(&sin6->sin6_addr, dst->addr, 16) || icmp[0] != ICMP6_ECHO_REPLY)
			return false;
	}
	return !memcmp(icmp + 4, &id, 2);
}

struct neigh_arg {
	const struct tw_cidr *dst;
	int ifindex;       /* the device the route to dst goes through */
	long long max_age; /* clock ticks */
	bool fresh;
};

static int on_neigh(struct nl_msg *msg, void *arg)
{
	struct neigh_arg *a = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	const struct ndmsg *nd = nlmsg_data(nlh);
	struct nlattr *tb[NDA_MAX + 1];
	if (nlmsg_parse(nlh, sizeof(*nd), tb, NDA_MAX, NULL) < 0 || !tb[NDA_DST] ||
	    !tb[NDA_CACHEINFO] || !(nd->ndm_state & NUD_REACHABLE) || nd->ndm_ifindex != a->ifindex)
		return 0;
	size_t alen = a->dst->family == AF_INET ? 4 : 16;
	if ((size_t)nla_len(tb[NDA_DST]) != alen || memcmp(nla_data(tb[NDA_DST]), a->dst->addr, alen))
		return 0;
	/* Confirmed since the probe began, not by some earlier exchange. */
	const struct nda_cacheinfo *ci = nla_data(tb[NDA_CACHEINFO]);
	if ((long long)ci->ndm_confirmed <= a->max_age)
		a->fresh = true;
	return 0;
}

/* Did dst, a neighbour, answer ARP (or neighbour discovery) in the last
 * age_ms, on the device the route to it takes? (A bridge port's answers
 * reach the bridge, whose entry says nothing about the port's.) */
static bool neigh_fresh(struct tw_nl *nl, const struct tw_cidr *dst, long long age_ms)
{
	struct ndmsg nd = { .ndm_family = (unsigned char)dst->family };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNEIGH, NLM_F_DUMP);
	long hz = sysconf(_SC_CLK_TCK);
	struct neigh_arg a = { .dst = dst, .max_age = age_ms * (hz > 0 ? hz : 100) / 1000,
			       .ifindex = tw_route_dev(nl, dst) };
	if (a.ifindex > 0 && msg && nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO) == 0)
		tw_nl_talk(nl, msg, on_neigh, &a);
	nlmsg_free(msg);
	return a.fresh;
}

int tw_ping(const struct tw_cidr *dst, int timeout_ms)
{
	int fd = socket(dst->family, SOCK_RAW | SOCK_CLOEXEC,
			dst->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	struct tw_nl nl;
	bool have_nl = tw_nl_open(&nl) == 0;
	uint16_t id = (uint16_t)(getpid() ^ 0x7477), seq = 0;
	long long start = now_ms(), next = start;
	int r = 0;
	while (r == 0) {
		long long t = now_ms();
		if (t - start >= timeout_ms)
			break;
		if (t >= next) {
			echo_send(fd, dst, id, htons(++seq)); /* a refused send is retried */
			next = t + 200;
			if (have_nl && neigh_fresh(&nl, dst, t - start + 10)) {
				r = 1;
				break;
			}
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long wait = next - now_ms();
		if (poll(&p, 1, wait > 0 ? (int)wait : 0) <= 0)
			continue;
		uint8_t buf[1500];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 0 && is_reply(buf, n, &from, dst, id))
			r = 1;
	}
	if (have_nl)
		tw_nl_close(&nl);
	close(fd);
	return r;
}
