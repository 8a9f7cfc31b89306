#include "net/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "net/nl.h"
#include "core/util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int ns_path(const char *name, char path[PATH_MAX])
{
	if (!tw_nsname_valid(name, NULL, 0))
		return -EINVAL;
	snprintf(path, PATH_MAX, TW_NETNS_DIR "/%s", name);
	return 0;
}

int tw_netns_open(const char *name)
{
	char path[PATH_MAX];
	int r = ns_path(name, path);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	/* A plain file left by a run killed between creat() and mount(). */
	if ((unsigned long)sf.f_type != NSFS_MAGIC)
		return -ENOENT;
	return TW_TAKE_FD(fd);
}

/* iproute2's convention: /run/netns is a shared mount, so namespaces made
 * later propagate into mount namespaces that were copied earlier. Once per
 * process: changing the propagation of /run/netns walks every mount under
 * it, one per namespace, so doing it per namespace would cost O(N^2). */
static int make_shared(void)
{
	if (mkdir(TW_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("", TW_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* Not a mount point yet: make it one, then shared. */
	if (mount(TW_NETNS_DIR, TW_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", TW_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

static int prepare_dir(void)
{
	static bool done;
	int r = done ? 0 : make_shared();
	done = r == 0;
	return r;
}

static int bind_new_ns(void *arg)
{
	const char *path = arg;
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		return -errno;
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int tw_netns_create(const char *name)
{
	char path[PATH_MAX];
	int r = ns_path(name, path);
	if (r < 0)
		return r;
	r = prepare_dir();
	if (r < 0)
		return r;
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && errno == EEXIST) {
		/* Reuse a leftover plain file, never a live namespace. */
		int live = tw_netns_open(name);
		if (live >= 0) {
			close(live);
			return -EEXIST;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -errno;
	close(fd);
	int nsfd = tw_in_netns(-1, bind_new_ns, path);
	if (nsfd < 0)
		unlink(path);
	return nsfd;
}

int tw_netns_delete(const char *name)
{
	char path[PATH_MAX];
	int r = ns_path(name, path);
	if (r < 0)
		return r;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int tw_netns_discard_stale(const char *name)
{
	char path[PATH_MAX];
	int r = ns_path(name, path);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	struct statfs sf;
	struct stat st;
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
		return -errno;
	if ((unsigned long)sf.f_type == NSFS_MAGIC || !S_ISREG(st.st_mode) || st.st_size)
		return -EEXIST;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}
