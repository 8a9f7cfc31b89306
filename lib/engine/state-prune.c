/* tw_state_prune: the state and lock files of network namespaces that
 * are gone. A file is named after its namespace's cookie, which the kernel
 * never reuses; whether a namespace with that cookie still lives is found
 * by looking at everything that can hold one (bind mounts in every mount
 * namespace, threads, open fds) and entering each candidate in a child. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/netns-id.h"
#include "engine/pending.h"
#include "engine/state.h"


/* A live network namespace, found through something that holds it, and a
 * few ways into it: a process or an fd seen in the scan may be gone when
 * the namespace is entered, so the next one is tried. */
#define LIVE_PATHS 4
struct live_ns {
	dev_t dev;
	ino_t ino;
	char *paths[LIVE_PATHS]; /* bind mounts first: they stay */
	int known;               /* 0: cookie not read yet, 1: read, -1: cannot be read */
	uint64_t cookie;
};

struct live_set {
	struct live_ns *v;
	size_t n, cap;
	int err;
};

static void live_add(struct live_set *ls, const char *path)
{
	struct stat sb;
	if (ls->err || stat(path, &sb) < 0)
		return; /* gone meanwhile: it held nothing */
	struct live_ns *l = NULL;
	for (size_t i = 0; i < ls->n && !l; i++)
		if (ls->v[i].dev == sb.st_dev && ls->v[i].ino == sb.st_ino)
			l = &ls->v[i];
	if (!l) {
		struct live_ns *v = tw_grow(ls->v, &ls->cap, ls->n + 1, sizeof(*v));
		if (!v) {
			ls->err = -ENOMEM;
			return;
		}
		ls->v = v;
		l = &ls->v[ls->n++];
		*l = (struct live_ns){ .dev = sb.st_dev, .ino = sb.st_ino };
	}
	for (size_t k = 0; k < LIVE_PATHS; k++)
		if (!l->paths[k]) {
			if (!(l->paths[k] = strdup(path)))
				ls->err = -ENOMEM;
			return;
		}
}

static void live_free(struct live_set *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		for (size_t k = 0; k < LIVE_PATHS; k++)
			free(ls->v[i].paths[k]);
	free(ls->v);
}

/* Network namespace files bind-mounted in a mount namespace: those of
 * `ip netns` under /run/netns, and any other (container runtimes keep
 * theirs elsewhere). root is where that mount namespace's paths are
 * reached from ("" for this one, /proc/PID/root for another). mountinfo
 * escapes space, tab, newline and backslash as octal. */
static void live_scan_mountinfo(struct live_set *ls, const char *mountinfo, const char *root)
{
	FILE *f = fopen(mountinfo, "re");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char nsroot[64], mnt[PATH_MAX], path[PATH_MAX + 64];
		if (!strstr(line, " - nsfs ") ||
		    sscanf(line, "%*s %*s %*s %63s %4095s", nsroot, mnt) != 2 ||
		    strncmp(nsroot, "net:[", 5))
			continue;
		char *o = mnt;
		for (const char *c = mnt; *c; c++) {
			if (c[0] == '\\' && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' &&
			    c[3] >= '0' && c[3] <= '7') {
				*o++ = (char)((c[1] - '0') << 6 | (c[2] - '0') << 3 | (c[3] - '0'));
				c += 3;
			} else {
				*o++ = *c;
			}
		}
		*o = 0;
		snprintf(path, sizeof(path), "%s%s", root, mnt);
		live_add(ls, path);
	}
	free(line);
	fclose(f);
}

static bool is_pid(const char *s)
{
	return *s >= '1' && *s <= '9';
}

/* The bind mounts of every mount namespace a process is in (a namespace
 * made by `ip netns add` in a private mount namespace is held there, and
 * tapwire can run in it from there). */
static void live_scan_mounts(struct live_set *ls)
{
	live_scan_mountinfo(ls, "/proc/self/mountinfo", "");
	struct stat self;
	if (stat("/proc/self/ns/mnt", &self) < 0)
		return;
	DIR *proc = opendir("/proc");
	if (!proc)
		return;
	_cleanup_free_ ino_t *seen = NULL;
	size_t n = 0, cap = 0;
	char path[PATH_MAX], root[300];
	for (struct dirent *p; (p = readdir(proc)) && !ls->err;) {
		struct stat sb;
		snprintf(path, sizeof(path), "/proc/%s/ns/mnt", p->d_name);
		if (!is_pid(p->d_name) || stat(path, &sb) < 0 || sb.st_ino == self.st_ino)
			continue;
		bool dup = false;
		for (size_t i = 0; i < n && !dup; i++)
			dup = seen[i] == sb.st_ino;
		if (dup)
			continue;
		ino_t *v = tw_grow(seen, &cap, n + 1, sizeof(*v));
		if (!v) {
			ls->err = -ENOMEM;
			break;
		}
		seen = v;
		seen[n++] = sb.st_ino;
		snprintf(path, sizeof(path), "/proc/%s/mountinfo", p->d_name);
		snprintf(root, sizeof(root), "/proc/%s/root", p->d_name);
		live_scan_mountinfo(ls, path, root);
	}
	closedir(proc);
}

/* Every network namespace a thread is in, and every one a process holds
 * open (a namespace kept only by an fd can still be entered). */
static void live_scan_procs(struct live_set *ls)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return;
	char path[PATH_MAX], link[64];
	for (struct dirent *p; (p = readdir(proc));) {
		if (!is_pid(p->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		DIR *d = opendir(path);
		for (struct dirent *t; d && (t = readdir(d));)
			if (is_pid(t->d_name)) {
				snprintf(path, sizeof(path), "/proc/%s/task/%s/ns/net", p->d_name,
					 t->d_name);
				live_add(ls, path);
			}
		if (d)
			closedir(d);
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		d = opendir(path);
		for (struct dirent *fd; d && (fd = readdir(d));) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, fd->d_name);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n > 5 && !memcmp(link, "net:[", 5))
				live_add(ls, path);
		}
		if (d)
			closedir(d);
	}
	closedir(proc);
}

/* The cookie of the namespace l, read by a child that enters it, so that
 * this process never leaves its own (a failed way back would leave a
 * library caller in the wrong namespace). The namespace is opened here
 * first, by the first of its paths that still leads to it, which also
 * keeps it from going away meanwhile. */
static int live_cookie(const struct live_ns *l, uint64_t *out)
{
	_cleanup_close_ int nsfd = -1;
	for (size_t k = 0; k < LIVE_PATHS && l->paths[k] && nsfd < 0; k++) {
		struct stat sb;
		nsfd = open(l->paths[k], O_RDONLY | O_CLOEXEC);
		if (nsfd >= 0 && (fstat(nsfd, &sb) < 0 || sb.st_dev != l->dev || sb.st_ino != l->ino)) {
			close(nsfd); /* a pid or fd number reused by something else */
			nsfd = -1;
		}
	}
	if (nsfd < 0)
		return -ENOENT;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		uint64_t c;
		bool got = setns(nsfd, CLONE_NEWNET) == 0 && tw_netns_id_cookie(&c) == 0 &&
			   write(p[1], &c, sizeof(c)) == (ssize_t)sizeof(c);
		_exit(got ? 0 : 1);
	}
	close(p[1]);
	ssize_t n;
	do
		n = read(p[0], out, sizeof(*out));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(*out) ? 0 : -ESRCH;
}

/* What a lock-nc file says about its namespace; false if it says nothing
 * usable (then every live namespace is a candidate). */
static bool ident_read(int lockfd, uint64_t cookie, dev_t *dev, ino_t *ino)
{
	char buf[128];
	ssize_t n = pread(lockfd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = 0;
	uint64_t c;
	uintmax_t d, i;
	if (sscanf(buf, TW_NETNS_ID_MAGIC " cookie=%" SCNu64 " dev=%ju ino=%ju", &c, &d, &i) != 3 ||
	    c != cookie)
		return false;
	*dev = (dev_t)d;
	*ino = (ino_t)i;
	return true;
}

/* Whether the namespace with this cookie lives: some live namespace has
 * its inode (when known) and, entered, that cookie. One that cannot be
 * entered counts as this one: never remove what might be alive. */
static bool cookie_alive(struct live_set *ls, uint64_t cookie, bool ident, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct live_ns *l = &ls->v[i];
		if (ident && (l->dev != dev || l->ino != ino))
			continue;
		if (!l->known)
			l->known = live_cookie(l, &l->cookie) == 0 ? 1 : -1;
		if (l->known < 0 || l->cookie == cookie)
			return true;
	}
	return false;
}

/* "state-nc123", "state-nc123.new" (a compaction cut short), "lock-nc123":
 * the cookie, or false for any other name. */
static bool nc_name(const char *name, uint64_t *cookie)
{
	bool is_state = !strncmp(name, "state-nc", 8);
	const char *d = is_state ? name + 8 : !strncmp(name, "lock-nc", 7) ? name + 7 : NULL;
	if (!d || *d < '1' || *d > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(d, &end, 10);
	if (errno || (*end && (!is_state || strcmp(end, ".new"))))
		return false;
	*cookie = v;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int tw_state_prune(const char *rundir, bool dry_run, char *err, size_t errlen)
{
	uint64_t self;
	int r = tw_netns_id_cookie(&self);
	if (r == -ENOPROTOOPT)
		return 0; /* no cookies: no file of ours is named after one */
	if (r < 0) {
		snprintf(err, errlen, "the cookie of this network namespace: %s", strerror(-r));
		return r;
	}
	DIR *dir = opendir(rundir);
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "%s: %s", rundir, strerror(-r));
		return r;
	}
	_cleanup_free_ uint64_t *cookies = NULL;
	size_t n = 0, cap = 0;
	uint64_t c;
	for (struct dirent *de; (de = readdir(dir));) {
		if (!nc_name(de->d_name, &c) || c == self)
			continue;
		uint64_t *v = tw_grow(cookies, &cap, n + 1, sizeof(*v));
		if (!v) {
			closedir(dir);
			snprintf(err, errlen, "%s: %s", rundir, strerror(ENOMEM));
			return -ENOMEM;
		}
		cookies = v;
		cookies[n++] = c;
	}
	closedir(dir);
	if (!n)
		return 0;
	qsort(cookies, n, sizeof(*cookies), cmp_u64);

	/* Scanned once, after the listing: a namespace that dies meanwhile
	 * is only left for the next run. */
	struct live_set ls = { 0 };
	live_scan_mounts(&ls);
	live_scan_procs(&ls);
	if (ls.err) {
		live_free(&ls);
		snprintf(err, errlen, "listing the live network namespaces: %s", strerror(-ls.err));
		return ls.err;
	}
	int removed = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && cookies[i] == cookies[i - 1])
			continue;
		char state[600], lock[600], tmp[620];
		snprintf(state, sizeof(state), "%s/state-nc%" PRIu64, rundir, cookies[i]);
		snprintf(lock, sizeof(lock), "%s/lock-nc%" PRIu64, rundir, cookies[i]);
		snprintf(tmp, sizeof(tmp), "%s.new", state);
		/* Held while deciding and removing: a run that holds it is
		 * using the state, so it is left alone. (A dry run does not
		 * make a missing one, nor is one made here counted.) */
		bool had_lock = access(lock, F_OK) == 0;
		_cleanup_close_ int lockfd = open(
			lock, O_RDWR | (dry_run ? 0 : O_CREAT) | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (lockfd < 0 ? !dry_run || errno != ENOENT : flock(lockfd, LOCK_EX | LOCK_NB) < 0)
			continue;
		dev_t dev = 0;
		ino_t ino = 0;
		bool ident = lockfd >= 0 && ident_read(lockfd, cookies[i], &dev, &ino);
		if (cookie_alive(&ls, cookies[i], ident, dev, ino))
			continue;
		/* Dead, and its cookie never comes back: nobody opens these
		 * names again, so removing them under the lock is final. */
		char suffix[32];
		snprintf(suffix, sizeof(suffix), "-nc%" PRIu64, cookies[i]);
		tw_run_files_prune(rundir, suffix, dry_run);
		const char *const files[] = { state, tmp, lock };
		for (size_t f = 0; f < TW_ARRAY_SIZE(files); f++) {
			bool gone = dry_run ? access(files[f], F_OK) == 0 : unlink(files[f]) == 0;
			removed += gone && (files[f] != lock || had_lock);
		}
	}
	live_free(&ls);
	return removed;
}
