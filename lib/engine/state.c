#include "engine/state.h"

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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/index.h"

#define STATE_MAGIC "tapwire-state 1"
/* The first line of a lock-nc<COOKIE> file: which namespace it is for. */
#define NETNS_MAGIC "tapwire-netns 1"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

struct tw_state {
	char dir[512];
	char path[600];
	int lockfd;
	int journal;       /* append fd, -1 until the first change */
	bool exclusive;
	bool dirty;
	struct tw_rec *recs;
	size_t n, cap;
	struct tw_index by_key;
};

/* ---- keys and hashing */

static size_t key_hash(const struct tw_key *k)
{
	size_t h = TW_HASH_SEED ^ (size_t)k->kind;
	return tw_hash_str(tw_hash_str(tw_hash_str(h, k->ns), k->name), k->arg);
}

static bool key_eq(const struct tw_key *a, const struct tw_key *b)
{
	return a->kind == b->kind && !strcmp(a->ns, b->ns) && !strcmp(a->name, b->name) &&
	       !strcmp(a->arg, b->arg);
}

/* The record for key, dropped ones included. */
static struct tw_rec *rec_lookup(struct tw_state *st, const struct tw_key *key, size_t hash)
{
	size_t cursor = 0, i;
	while (tw_index_next(&st->by_key, hash, &cursor, &i))
		if (key_eq(&st->recs[i].key, key))
			return &st->recs[i];
	return NULL;
}

struct tw_rec *tw_state_find(struct tw_state *st, const struct tw_key *key)
{
	struct tw_rec *r = rec_lookup(st, key, key_hash(key));
	return r && !r->gone ? r : NULL;
}

/* The record for key, made (empty, ownerless) when missing. */
static struct tw_rec *rec_get(struct tw_state *st, const struct tw_key *key)
{
	size_t h = key_hash(key);
	struct tw_rec *r = rec_lookup(st, key, h);
	if (r) {
		r->gone = false;
		return r;
	}
	struct tw_rec *recs = tw_grow(st->recs, &st->cap, st->n + 1, sizeof(*recs));
	if (!recs)
		return NULL;
	st->recs = recs;
	if (tw_index_add(&st->by_key, h, st->n) < 0)
		return NULL;
	r = &st->recs[st->n++];
	memset(r, 0, sizeof(*r));
	r->key = *key;
	return r;
}

size_t tw_state_count(const struct tw_state *st)
{
	return st->n;
}

struct tw_rec *tw_state_at(struct tw_state *st, size_t i)
{
	return i < st->n && !st->recs[i].gone ? &st->recs[i] : NULL;
}

bool tw_rec_has_owner(const struct tw_rec *r, const char *owner)
{
	for (size_t i = 0; i < r->n_owners; i++)
		if (!strcmp(r->owners[i], owner))
			return true;
	return false;
}

static int rec_add_owner(struct tw_rec *r, const char *owner)
{
	if (tw_rec_has_owner(r, owner))
		return 0;
	char **o = realloc(r->owners, (r->n_owners + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	r->owners = o;
	if (!(o[r->n_owners] = strdup(owner)))
		return -ENOMEM;
	r->n_owners++;
	return 0;
}

static void rec_clear(struct tw_rec *r)
{
	for (size_t i = 0; i < r->n_owners; i++)
		free(r->owners[i]);
	free(r->owners);
	r->owners = NULL;
	r->n_owners = 0;
	r->gone = true;
	r->created = r->pending = false;
	r->data[0] = 0;
}

static void rec_drop_owner(struct tw_rec *r, const char *owner)
{
	for (size_t i = 0; i < r->n_owners; i++)
		if (!strcmp(r->owners[i], owner)) {
			free(r->owners[i]);
			r->owners[i] = r->owners[--r->n_owners];
			break;
		}
	if (!r->n_owners)
		rec_clear(r);
}

/* ---- the text format: space-separated fields, "-" for empty, and
 * percent-escapes for anything that could split a field or a line. */

static void field_put(FILE *f, const char *s)
{
	if (!*s) {
		fputs(" -", f);
		return;
	}
	fputc(' ', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c <= 0x20 || *c >= 0x7f || *c == '%' || (c == (const unsigned char *)s && *c == '-' && !c[1]))
			fprintf(f, "%%%02X", *c);
		else
			fputc(*c, f);
	}
}

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode one field in place; returns false on a malformed escape. */
static bool field_get(char *s, char *out, size_t len)
{
	if (!strcmp(s, "-")) {
		out[0] = 0;
		return true;
	}
	size_t n = 0;
	for (char *c = s; *c; c++) {
		int ch = (unsigned char)*c;
		if (ch == '%') {
			int hi = hexv(c[1]), lo = hi < 0 ? -1 : hexv(c[2]);
			if (lo < 0)
				return false;
			ch = hi << 4 | lo;
			c += 2;
		}
		if (n + 1 >= len || ch == 0)
			return false;
		out[n++] = (char)ch;
	}
	out[n] = 0;
	return true;
}

static void line_put(FILE *f, char op, const struct tw_key *k, const char *created,
		     const char *owner, const char *data)
{
	fputc(op, f);
	field_put(f, tw_kind_name(k->kind));
	field_put(f, k->ns);
	field_put(f, k->name);
	field_put(f, k->arg);
	if (created)
		field_put(f, created);
	field_put(f, owner);
	if (data)
		field_put(f, data);
	fputc('\n', f);
}

/* Apply one journal line. Unknown or broken lines are skipped: the state
 * is tapwire's own file, and a torn last line is what a crash leaves. */
static void line_apply(struct tw_state *st, char *line)
{
	char *f[9];
	size_t nf = 0;
	for (char *tok = strtok(line, " \n"); tok && nf < 9; tok = strtok(NULL, " \n"))
		f[nf++] = tok;
	if (nf < 6 || strlen(f[0]) != 1)
		return;
	struct tw_key k;
	char kind[16], owner[TW_OWNER_MAX], data[128] = "", created[4] = "0";
	memset(&k, 0, sizeof(k));
	if (!field_get(f[1], kind, sizeof(kind)) || tw_kind_parse(kind, &k.kind) < 0 ||
	    !field_get(f[2], k.ns, sizeof(k.ns)) || !field_get(f[3], k.name, sizeof(k.name)) ||
	    !field_get(f[4], k.arg, sizeof(k.arg)))
		return;
	char op = f[0][0];
	size_t o = 5;
	if (op == '+') {
		if (nf < 7 || !field_get(f[o++], created, sizeof(created)))
			return;
	}
	if (!field_get(f[o++], owner, sizeof(owner)) || !owner[0])
		return;
	if (o < nf && !field_get(f[o], data, sizeof(data)))
		return;
	struct tw_rec *r;
	switch (op) {
	case '+':
	case '!':
		if (!(r = rec_get(st, &k)) || rec_add_owner(r, owner) < 0)
			return;
		if (op == '!') {
			r->pending = true;
			r->created = true;
		} else {
			r->pending = false;
			r->created |= created[0] == '1';
		}
		if (data[0])
			tw_strscpy(r->data, data, sizeof(r->data));
		break;
	case '-':
		if ((r = tw_state_find(st, &k)))
			rec_drop_owner(r, owner);
		break;
	case 'x':
		if ((r = tw_state_find(st, &k)))
			rec_clear(r);
		break;
	}
}

static int load(struct tw_state *st)
{
	FILE *f = fopen(st->path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	char *line = NULL;
	size_t cap = 0;
	bool first = true;
	int r = 0;
	while (getline(&line, &cap, f) > 0) {
		if (first) {
			first = false;
			if (strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC))) {
				r = -EBADMSG;
				break;
			}
			continue;
		}
		line_apply(st, line);
	}
	free(line);
	fclose(f);
	return r;
}

/* ---- opening, journaling, compaction */

/* The cookie of the network namespace the calling thread is in: a number
 * the kernel gives each namespace and never hands out again, unlike the
 * nsfs inode, which comes from an allocator that reuses freed numbers (a
 * namespace made after another died very likely gets its inode). Any
 * socket tells it. */
static int netns_cookie(uint64_t *out)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	socklen_t len = sizeof(*out);
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, out, &len) < 0)
		return -errno;
	return len == sizeof(*out) ? 0 : -EIO;
}

/* The file names' suffix for the namespace tapwire runs in, and what goes
 * into its lock file so that tw_state_prune can tell cheaply whether the
 * namespace still lives ("" for the host's and the no-cookie fallback). */
static int netns_suffix(char *buf, size_t len, char *ident, size_t identlen)
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
	int r = netns_cookie(&cookie);
	if (r == -ENOPROTOOPT) {
		/* Before Linux 5.14 there is no cookie; the inode is the best
		 * key there is, with its reuse, as in earlier versions. */
		snprintf(buf, len, "-net%lu", (unsigned long)self.st_ino);
		return 0;
	}
	if (r < 0)
		return r;
	snprintf(buf, len, "-nc%" PRIu64, cookie);
	snprintf(ident, identlen, NETNS_MAGIC " cookie=%" PRIu64 " dev=%ju ino=%ju\n", cookie,
		 (uintmax_t)self.st_dev, (uintmax_t)self.st_ino);
	return 0;
}

int tw_state_file(const char *rundir, char *path, size_t len)
{
	char suffix[40], ident[128];
	int r = netns_suffix(suffix, sizeof(suffix), ident, sizeof(ident));
	if (r == 0)
		snprintf(path, len, "%s/state%s", rundir, suffix);
	return r;
}

int tw_state_open(const char *rundir, bool exclusive, struct tw_state **out, char *err,
		  size_t errlen)
{
	struct tw_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->lockfd = st->journal = -1;
	st->exclusive = exclusive;
	tw_strscpy(st->dir, rundir, sizeof(st->dir));
	char suffix[40], ident[128];
	int r = netns_suffix(suffix, sizeof(suffix), ident, sizeof(ident));
	char lockpath[620];
	snprintf(st->path, sizeof(st->path), "%s/state%s", rundir, suffix);
	snprintf(lockpath, sizeof(lockpath), "%s/lock%s", rundir, suffix);
	if (r == 0 && mkdir(rundir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0 && (st->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		r = -errno;
	if (r == 0 && flock(st->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		r = -errno;
	struct stat lst;
	if (r == 0 && ident[0] && fstat(st->lockfd, &lst) == 0 && lst.st_size == 0 &&
	    pwrite(st->lockfd, ident, strlen(ident), 0) < 0) {
		/* Not fatal: tw_state_prune then checks the cookie against
		 * every live namespace instead of those with this inode. Two
		 * runs holding it shared write the same bytes. */
	}
	if (r == 0)
		r = load(st);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", r == -EBADMSG ? st->path : rundir,
			 r == -EBADMSG ? "not a tapwire state file" : strerror(-r));
		tw_state_close(st);
		return r;
	}
	*out = st;
	return 0;
}

static int journal_open(struct tw_state *st)
{
	if (!st->exclusive)
		return -EPERM; /* a shared lock is for reading only */
	if (st->journal >= 0)
		return 0;
	bool fresh = access(st->path, F_OK) < 0;
	st->journal = open(st->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (st->journal < 0)
		return -errno;
	if (fresh && write(st->journal, STATE_MAGIC "\n", strlen(STATE_MAGIC) + 1) < 0)
		return -errno;
	return 0;
}

/* One line, written with one write(2), so a crash leaves whole lines. */
static int journal_line(struct tw_state *st, char op, const struct tw_key *k,
			const char *created, const char *owner, const char *data)
{
	int r = journal_open(st);
	if (r < 0)
		return r;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	line_put(m, op, k, created, owner, data);
	fclose(m);
	st->dirty = true;
	ssize_t n = write(st->journal, buf, len);
	free(buf);
	return n == (ssize_t)len ? 0 : -EIO;
}

int tw_state_pending(struct tw_state *st, const struct tw_key *key, const char *data,
		     const char *owner)
{
	struct tw_rec *r = rec_get(st, key);
	if (!r || rec_add_owner(r, owner) < 0)
		return -ENOMEM;
	r->pending = r->created = true;
	if (data && data[0])
		tw_strscpy(r->data, data, sizeof(r->data));
	return journal_line(st, '!', key, NULL, owner, data ? data : "");
}

int tw_state_add(struct tw_state *st, const struct tw_key *key, bool created, const char *data,
		 const char *owner)
{
	struct tw_rec *r = rec_get(st, key);
	if (!r || rec_add_owner(r, owner) < 0)
		return -ENOMEM;
	r->pending = false;
	r->created |= created;
	if (data && data[0])
		tw_strscpy(r->data, data, sizeof(r->data));
	return journal_line(st, '+', key, created ? "1" : "0", owner, data ? data : "");
}

int tw_state_drop(struct tw_state *st, const struct tw_key *key, const char *owner)
{
	struct tw_rec *r = tw_state_find(st, key);
	if (!r)
		return 0;
	rec_drop_owner(r, owner);
	return journal_line(st, '-', key, NULL, owner, NULL);
}

int tw_state_forget(struct tw_state *st, const struct tw_key *key)
{
	struct tw_rec *r = tw_state_find(st, key);
	if (!r)
		return 0;
	rec_clear(r);
	return journal_line(st, 'x', key, NULL, "-", NULL);
}

static int compact(struct tw_state *st)
{
	char tmp[620];
	snprintf(tmp, sizeof(tmp), "%s.new", st->path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fputs(STATE_MAGIC "\n", f);
	for (size_t i = 0; i < st->n; i++) {
		const struct tw_rec *r = &st->recs[i];
		if (r->gone)
			continue;
		for (size_t o = 0; o < r->n_owners; o++)
			line_put(f, r->pending ? '!' : '+', &r->key,
				 r->pending ? NULL : (r->created ? "1" : "0"), r->owners[o], r->data);
	}
	if (fclose(f) != 0 || rename(tmp, st->path) < 0) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

int tw_state_close(struct tw_state *st)
{
	if (!st)
		return 0;
	int r = 0;
	if (st->exclusive && st->dirty && st->lockfd >= 0)
		r = compact(st);
	if (st->journal >= 0)
		close(st->journal);
	if (st->lockfd >= 0)
		close(st->lockfd); /* releases the flock */
	for (size_t i = 0; i < st->n; i++)
		if (!st->recs[i].gone)
			rec_clear(&st->recs[i]);
	free(st->recs);
	tw_index_free(&st->by_key);
	free(st);
	return r;
}

const char *tw_state_path(const struct tw_state *st)
{
	return st->path;
}

void tw_key_format(const struct tw_key *k, char *buf, size_t len)
{
	const char *kind = tw_kind_name(k->kind);
	/* The plan's way of naming things: "[ns] dev", "address 10.0.1.1/24 dev X". */
	char dev[TW_NSNAME_MAX + IFNAMSIZ + 4];
	snprintf(dev, sizeof(dev), "%s%s%s%s", k->ns[0] ? "[" : "", k->ns, k->ns[0] ? "] " : "", k->name);
	if (k->kind == TW_K_NETNS)
		snprintf(buf, len, "netns %s", k->ns);
	else if (k->kind == TW_K_ADDR)
		snprintf(buf, len, "address %s dev %s", k->arg, dev);
	else if (k->kind == TW_K_FDB)
		snprintf(buf, len, "fdb 00:00:00:00:00:00 dev %s dst %s", dev, k->arg);
	else if (k->kind == TW_K_ATTR)
		snprintf(buf, len, "set %s %s", dev, k->arg);
	else if (k->kind == TW_K_OVSPORT)
		snprintf(buf, len, "ovs-port %s", dev);
	else
		snprintf(buf, len, "%s %s", kind, dev);
}

/* ---- pruning the files of namespaces that are gone */

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
		bool got = setns(nsfd, CLONE_NEWNET) == 0 && netns_cookie(&c) == 0 &&
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
	if (sscanf(buf, NETNS_MAGIC " cookie=%" SCNu64 " dev=%ju ino=%ju", &c, &d, &i) != 3 ||
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
	int r = netns_cookie(&self);
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
		const char *const files[] = { state, tmp, lock };
		for (size_t f = 0; f < TW_ARRAY_SIZE(files); f++) {
			bool gone = dry_run ? access(files[f], F_OK) == 0 : unlink(files[f]) == 0;
			removed += gone && (files[f] != lock || had_lock);
		}
	}
	live_free(&ls);
	return removed;
}
