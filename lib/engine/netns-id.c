/* Which network namespace tapwire runs in, as the state's file names say
 * it (see engine/state.h). */
#include "engine/netns-id.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

int tw_netns_id_cookie(uint64_t *out)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	socklen_t len = sizeof(*out);
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, out, &len) < 0)
		return -errno;
	return len == sizeof(*out) ? 0 : -EIO;
}

int tw_netns_id_suffix(char *buf, size_t len, char *ident, size_t identlen)
{
	struct stat self, init;
	buf[0] = ident[0] = 0;
	/* The calling thread's namespace: the one its sockets are made in. */
	if (stat("/proc/thread-self/ns/net", &self) < 0)
		return -errno;
	/* In the host's namespace the files are plain "state" and "lock". */
	if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self.st_ino &&
	    init.st_dev == self.st_dev)
		return 0;
	/* Elsewhere (--netns, `ip netns exec`, nsenter, a container) each
	 * namespace keeps its own, after its cookie. The inode-named files of
	 * earlier versions (state-net<INODE>) are no longer looked at: a
	 * namespace that got a dead one's inode would take its records. */
	uint64_t cookie;
	int r = tw_netns_id_cookie(&cookie);
	if (r == -ENOPROTOOPT) {
		/* Before Linux 5.14 there is no cookie; the inode is the best
		 * key there is, with its reuse, as in earlier versions. */
		snprintf(buf, len, "-net%lu", (unsigned long)self.st_ino);
		return 0;
	}
	if (r < 0)
		return r;
	snprintf(buf, len, "-nc%" PRIu64, cookie);
	snprintf(ident, identlen, TW_NETNS_ID_MAGIC " cookie=%" PRIu64 " dev=%ju ino=%ju\n", cookie,
		 (uintmax_t)self.st_dev, (uintmax_t)self.st_ino);
	return 0;
}
