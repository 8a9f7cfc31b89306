#include "engine/holders.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>

#include "core/util.h"

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

/* ---- /proc/PID/fdinfo */

/* Called with each tun device a process holds; nonzero stops the walk and
 * is returned (a negative value as an error). */
typedef int tun_fd_fn(const char *pid, const char *ifname, void *arg);

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

/* The device a tun fd's fdinfo text names ("iff:\tNAME"), or NULL. */
static const char *iff_of(char *buf)
{
	char *p = strstr(buf, "\niff:\t");
	if (!p)
		return NULL;
	p += 6;
	char *end = strchr(p, '\n');
	if (!end || end == p || end - p >= IFNAMSIZ)
		return NULL;
	*end = 0;
	return p;
}

/* Each tun fd listed in the fdinfo directory DIR (relative to /proc). A
 * process or descriptor that goes away while we read holds nothing. */
static int fdinfo_each(int procfd, const char *dir, const char *pid, tun_fd_fn *fn, void *arg)
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
		 * ino: well inside the first KiB. The leading newline lets a
		 * first line match too. */
		char buf[1024] = "\n";
		ssize_t k = read(fd, buf + 1, sizeof(buf) - 2);
		if (k < 0) {
			if (nothing_to_read(errno))
				continue;
			return -errno;
		}
		buf[k + 1] = 0;
		const char *name = iff_of(buf);
		if (name && (r = fn(pid, name, arg)) != 0)
			return r;
	}
	return errno && !nothing_to_read(errno) ? -errno : 0;
}

static bool same_fd_table(const char *pid, const char *tid)
{
	return syscall(SYS_kcmp, atoi(pid), atoi(tid), KCMP_FILES, 0, 0) == 0;
}

static int process_each(int procfd, const char *pid, tun_fd_fn *fn, void *arg)
{
	char path[2 * NAME_MAX + 32]; /* PID/task/TID/fdinfo */
	snprintf(path, sizeof(path), "%s/fdinfo", pid);
	int r = fdinfo_each(procfd, path, pid, fn, arg);
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
		if ((r = fdinfo_each(procfd, path, pid, fn, arg)) != 0)
			return r;
	}
	return 0;
}

static int proc_each(tun_fd_fn *fn, void *arg)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *e;
	while ((errno = 0, e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		int r = process_each(dirfd(d), e->d_name, fn, arg);
		if (r != 0)
			return r;
	}
	return errno ? -errno : 0;
}

struct find {
	const char *name;
	pid_t pid;
};

static int find_one(const char *pid, const char *ifname, void *arg)
{
	struct find *f = arg;
	if (strcmp(ifname, f->name))
		return 0;
	f->pid = (pid_t)atoi(pid);
	return 1;
}

int tw_tap_holder(const char *name, pid_t *pid)
{
	struct find f = { .name = name, .pid = 0 };
	int r = proc_each(find_one, &f);
	*pid = f.pid;
	return r < 0 ? r : 0;
}

static int add_one(const char *pid, const char *ifname, void *arg)
{
	struct tw_holders *h = arg;
	struct tw_holders_ent *v = tw_grow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	tw_strscpy(h->v[h->n].name, ifname, IFNAMSIZ);
	h->v[h->n++].pid = (pid_t)atoi(pid);
	return 0;
}

int tw_holders_scan(struct tw_holders *h)
{
	memset(h, 0, sizeof(*h));
	return proc_each(add_one, h);
}

void tw_holders_find(const struct tw_holders *h, const char *name, struct tw_holder *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < h->n && !out->pid; i++)
		if (!strcmp(h->v[i].name, name))
			out->pid = h->v[i].pid;
	tw_holder_describe(out);
}

void tw_holders_free(struct tw_holders *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* ---- what a holder is */

/* libvirt starts QEMU with "-name guest=NAME,debug-threads=on", a comma in
 * NAME doubled; "-name NAME" alone is anybody's QEMU. */
static void libvirt_domain(const char *cmdline, size_t len, char *out, size_t outlen)
{
	out[0] = 0;
	for (size_t i = 0; i < len; i += strlen(cmdline + i) + 1) {
		const char *a = cmdline + i;
		if (strcmp(a, "-name") && strcmp(a, "--name"))
			continue;
		i += strlen(a) + 1;
		if (i >= len || strncmp(cmdline + i, "guest=", 6))
			return;
		size_t k = 0;
		for (const char *p = cmdline + i + 6; *p && k + 1 < outlen; p++) {
			if (*p == ',' && p[1] != ',')
				break;
			if (*p == ',')
				p++;
			out[k++] = *p;
		}
		out[k] = 0;
		return;
	}
}

void tw_holder_describe(struct tw_holder *h)
{
	h->comm[0] = h->domain[0] = 0;
	if (!h->pid)
		return;
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)h->pid);
	tw_read_small(path, h->comm, sizeof(h->comm));
	/* Only what a terminal and JSON take as it is. */
	for (char *p = h->comm; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			*p = '?';
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)h->pid);
	ssize_t k = tw_read_small(path, buf, sizeof(buf));
	if (k > 0)
		libvirt_domain(buf, (size_t)k, h->domain, sizeof(h->domain));
	for (char *p = h->domain; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			*p = '?';
}

void tw_holder_format(const struct tw_holder *h, char *buf, size_t len)
{
	if (!h->pid)
		snprintf(buf, len, "an fd no process shows");
	else if (h->domain[0])
		snprintf(buf, len, "pid %ld %s, libvirt domain %s", (long)h->pid,
			 h->comm[0] ? h->comm : "?", h->domain);
	else
		snprintf(buf, len, "pid %ld %s", (long)h->pid, h->comm[0] ? h->comm : "?");
}

/* ---- the ports of a bridge */

int tw_bridge_ports(struct tw_nl *nl, int br_ifindex, struct tw_port **ports, size_t *n)
{
	struct nl_cache *cache = NULL;
	*ports = NULL;
	*n = 0;
	if (rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache) < 0)
		return -EIO;
	*ports = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(**ports));
	if (!*ports) {
		nl_cache_free(cache);
		return -ENOMEM;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		if (rtnl_link_get_master(l) != br_ifindex)
			continue;
		struct tw_port *p = &(*ports)[(*n)++];
		p->ifindex = rtnl_link_get_ifindex(l);
		tw_strscpy(p->name, rtnl_link_get_name(l), sizeof(p->name));
		const char *kind = rtnl_link_get_type(l);
		tw_strscpy(p->kind, kind ? kind : "", sizeof(p->kind));
		p->carrier = rtnl_link_get_carrier(l);
		if (strcmp(p->kind, "veth"))
			continue;
		int32_t nsid = -1;
		p->peer_ifindex = rtnl_link_get_link(l);
		p->peer_elsewhere = rtnl_link_get_link_netnsid(l, &nsid) == 0 && nsid >= 0;
		struct rtnl_link *peer = p->peer_elsewhere ? NULL :
			rtnl_link_get(cache, p->peer_ifindex);
		if (peer) {
			tw_strscpy(p->peer, rtnl_link_get_name(peer), sizeof(p->peer));
			rtnl_link_put(peer);
		}
	}
	nl_cache_free(cache);
	return 0;
}

int tw_dev_carrier(struct tw_nl *nl, const char *name)
{
	struct rtnl_link *rl = NULL;
	int r = rtnl_link_get_kernel(nl->sk, 0, name, &rl);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return -ENODEV;
	if (r < 0)
		return -EIO;
	r = rtnl_link_get_carrier(rl) ? 1 : 0;
	rtnl_link_put(rl);
	return r;
}
