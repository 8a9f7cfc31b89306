#include "engine/gc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/kcmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>

#include "net/link.h"
#include "core/util.h"

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

/* ---- which devices carry the helper's mark */

static bool marked(const char *alias)
{
	return alias && !strncmp(alias, TW_HELPER_ALIAS_PREFIX, strlen(TW_HELPER_ALIAS_PREFIX));
}

static long alias_uid(const char *alias)
{
	const char *rest = alias + strlen(TW_HELPER_ALIAS_PREFIX);
	unsigned long uid;
	if (strncmp(rest, "uid=", 4) || tw_parse_uint(rest + 4, 0, UINT32_MAX - 1, &uid) < 0)
		return -1;
	return (long)uid;
}

/* Every device whose alias is the helper's mark (a dump: gc is no hot
 * path); what else each is, probe reads afresh. */
static int list_marked(struct tw_nl *nl, struct tw_gc_tap **out, size_t *n)
{
	struct nl_cache *cache = NULL;
	*out = NULL;
	*n = 0;
	if (rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache) < 0)
		return -EIO;
	*out = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(**out));
	if (!*out) {
		nl_cache_free(cache);
		return -ENOMEM;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(l);
		/* The helper's names always pass; one that does not was given
		 * by root's rename, and would need escaping on a terminal and
		 * in JSON. */
		if (!marked(rtnl_link_get_ifalias(l)) || !tw_ifname_valid(name, NULL, 0))
			continue;
		struct tw_gc_tap *t = &(*out)[(*n)++];
		t->ifindex = rtnl_link_get_ifindex(l);
		tw_strscpy(t->name, name, sizeof(t->name));
		t->uid = alias_uid(rtnl_link_get_ifalias(l));
	}
	nl_cache_free(cache);
	return 0;
}

/* Read t's device afresh: 1 when it is still the helper's tap it was when
 * listed (same index, name and mark, a tap), with t->persist and t->carrier
 * filled; 0 when it is gone or something else; -errno. */
static int probe(struct tw_nl *nl, struct tw_gc_tap *t)
{
	struct tw_link l;
	int r = tw_link_get(nl, NULL, t->ifindex, &l);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	if (strcmp(l.name, t->name) || !marked(l.alias) || strcmp(l.kind, "tun") ||
	    l.tun.type != IFF_TAP)
		return 0;
	t->persist = l.tun.persist;
	/* IFLA_CARRIER, which IFF_LOWER_UP shows only while the device is up. */
	struct rtnl_link *rl = NULL;
	r = rtnl_link_get_kernel(nl->sk, t->ifindex, NULL, &rl);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return 0;
	if (r < 0)
		return -EIO;
	t->carrier = rtnl_link_get_carrier(rl);
	rtnl_link_put(rl);
	return 1;
}

/* ---- who holds a tap: /proc/PID/fdinfo */

/* Gone while we read, or hidden from root (EACCES: an LSM; EPERM): either
 * way nothing to read, and the carrier still speaks for what it holds. */
static bool nothing_to_read(int err)
{
	return err == ENOENT || err == ESRCH || err == EACCES || err == EPERM;
}

/* The directory PATH under /proc, or NULL with *err 0 when it vanished,
 * -errno otherwise. */
static DIR *proc_dir(int procfd, const char *path, int *err)
{
	*err = 0;
	int dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		*err = nothing_to_read(errno) ? 0 : -errno;
		return NULL;
	}
	DIR *d = fdopendir(dfd);
	if (!d) {
		*err = -errno;
		close(dfd);
	}
	return d;
}

/* 1 when a descriptor listed in the fdinfo directory DIR (relative to
 * /proc) shows needle, 0 when none does, -errno. A process or descriptor
 * that goes away while we read counts as not holding anything. */
static int fdinfo_shows(int procfd, const char *dir, const char *needle)
{
	int r;
	_cleanup_closedir_ DIR *d = proc_dir(procfd, dir, &r);
	if (!d)
		return r;
	int dfd = dirfd(d);
	struct dirent *e;
	while ((errno = 0, e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		_cleanup_close_ int fd = openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (nothing_to_read(errno))
				continue;
			return -errno;
		}
		/* A tun fd's "iff:" line comes after pos, flags, mnt_id and
		 * ino: well inside the first KiB. The leading newline lets the
		 * needle match a first line too. */
		char buf[1024] = "\n";
		ssize_t k = read(fd, buf + 1, sizeof(buf) - 2);
		if (k < 0) {
			if (nothing_to_read(errno))
				continue;
			return -errno;
		}
		buf[k + 1] = 0;
		if (strstr(buf, needle))
			return 1;
	}
	return errno && !nothing_to_read(errno) ? -errno : 0;
}

static bool same_fd_table(const char *pid, const char *tid)
{
	return syscall(SYS_kcmp, atoi(pid), atoi(tid), KCMP_FILES, 0, 0) == 0;
}

static int process_holds(int procfd, const char *pid, const char *needle)
{
	char path[2 * NAME_MAX + 32]; /* PID/task/TID/fdinfo */
	snprintf(path, sizeof(path), "%s/fdinfo", pid);
	int r = fdinfo_shows(procfd, path, needle);
	if (r != 0)
		return r;
	/* /proc/PID/fdinfo is the leader's table; a thread that called
	 * unshare(CLONE_FILES) has one of its own that only its task entry
	 * shows. kcmp skips the (usual) threads that share the leader's; when
	 * it cannot tell, the thread's table is read too. */
	snprintf(path, sizeof(path), "%s/task", pid);
	_cleanup_closedir_ DIR *d = proc_dir(procfd, path, &r);
	if (!d)
		return r;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || !strcmp(e->d_name, pid) ||
		    same_fd_table(pid, e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/task/%s/fdinfo", pid, e->d_name);
		if ((r = fdinfo_shows(procfd, path, needle)) != 0)
			return r;
	}
	return 0;
}

/* The pid of a process that holds the tun/tap device NAME open (its
 * /proc/PID/fdinfo shows "iff:\tNAME"), 0 when none shown does, or -errno.
 * Processes that even root may not inspect (an LSM, a sandbox's
 * supervisor) are passed over: gc also asks the kernel (the carrier). */
static int holder(const char *name, pid_t *pid)
{
	*pid = 0;
	char needle[IFNAMSIZ + 16];
	snprintf(needle, sizeof(needle), "\niff:\t%s\n", name);
	_cleanup_closedir_ DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *e;
	while ((errno = 0, e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		int r = process_holds(dirfd(d), e->d_name, needle);
		if (r < 0)
			return r;
		if (r > 0) {
			*pid = (pid_t)atoi(e->d_name);
			return 0;
		}
	}
	return errno ? -errno : 0;
}

/* ---- deciding and removing */

/* Only a persistent tap can be an orphan: a non-persistent one exists while
 * someone holds it, or while its fd is on its way from the helper to QEMU
 * inside an SCM_RIGHTS message, where no fdinfo shows it. A persistent one
 * is held when a process's fdinfo shows it, or when its carrier is on: tun
 * turns the carrier on when an fd attaches and off when the last one goes,
 * and it cannot be set from outside, so it also covers an fd in flight or
 * in a process root may not inspect. Both are read right before the
 * removal, not when the list was made; a tap its owner reopens in the
 * microseconds between the two is removed under it, as it would have been
 * a moment earlier. */
static int decide(struct tw_nl *nl, struct tw_gc_tap *t, bool dry_run, char *why, size_t whylen)
{
	char err[300];
	if (!t->persist) {
		t->verdict = TW_GC_KEPT_TRANSIENT;
		return 0;
	}
	int r = holder(t->name, &t->holder);
	if (r < 0) {
		snprintf(why, whylen, "cannot tell who holds tap %s: reading /proc/PID/fdinfo: %s",
			 t->name, strerror(-r));
		return r;
	}
	if (t->holder || t->carrier) {
		t->verdict = TW_GC_KEPT_HELD;
		return 0;
	}
	if (!dry_run && (r = tw_link_delete(nl, t->ifindex)) < 0) {
		if (r == -ENODEV) {
			t->verdict = TW_GC_GONE;
			return 0;
		}
		snprintf(why, whylen, "removing tap %s: %s", t->name, tw_nl_strerror(nl, r, err, sizeof(err)));
		return r;
	}
	t->verdict = TW_GC_REMOVE;
	return 0;
}

int tw_gc(struct tw_nl *nl, bool dry_run, struct tw_gc_tap **taps, size_t *n, char *why,
	  size_t whylen)
{
	size_t nmarked;
	char err[300];
	*n = 0;
	int r = list_marked(nl, taps, &nmarked);
	if (r < 0) {
		snprintf(why, whylen, "listing devices: %s", tw_nl_strerror(nl, r, err, sizeof(err)));
		return r;
	}
	/* *taps keeps the taps among the marked devices, each decided on
	 * right after it is read afresh. */
	for (size_t i = 0; i < nmarked; i++) {
		struct tw_gc_tap *t = &(*taps)[*n];
		*t = (*taps)[i];
		if ((r = probe(nl, t)) < 0) {
			snprintf(why, whylen, "reading device %s: %s", t->name,
				 tw_nl_strerror(nl, r, err, sizeof(err)));
			return r;
		}
		if (r == 0)
			continue;
		if ((r = decide(nl, t, dry_run, why, whylen)) < 0)
			return r;
		(*n)++;
	}
	return 0;
}
