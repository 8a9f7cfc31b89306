#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "tapwire-state 1"

static const char *const kind_names[TW_K__MAX] = {
	[TW_K_NETNS] = "netns", [TW_K_BRIDGE] = "bridge", [TW_K_VXLAN] = "vxlan",
	[TW_K_VETH] = "veth",   [TW_K_TAP] = "tap",       [TW_K_PORT] = "port",
	[TW_K_ATTR] = "attr",   [TW_K_ADDR] = "address",  [TW_K_FDB] = "fdb",
	[TW_K_OVSBR] = "ovs-bridge", [TW_K_OVSPORT] = "ovs-port",
};

const char *tw_kind_name(enum tw_kind k)
{
	return k < TW_K__MAX ? kind_names[k] : "?";
}

int tw_kind_parse(const char *s, enum tw_kind *out)
{
	for (int k = 0; k < TW_K__MAX; k++)
		if (!strcmp(s, kind_names[k])) {
			*out = (enum tw_kind)k;
			return 0;
		}
	return -EINVAL;
}

struct tw_state {
	char dir[512];
	char path[600];
	int lockfd;
	int journal;       /* append fd, -1 until the first change */
	bool exclusive;
	bool dirty;
	struct tw_rec *recs;
	size_t n, cap;
	size_t *slots;     /* open addressing: index+1 into recs, 0 = empty */
	size_t nslots;
};

/* ---- keys and hashing */

static size_t key_hash(const struct tw_key *k)
{
	size_t h = 1469598103934665603ULL ^ (size_t)k->kind;
	const char *parts[] = { k->ns, k->name, k->arg };
	for (size_t p = 0; p < 3; p++) {
		for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static bool key_eq(const struct tw_key *a, const struct tw_key *b)
{
	return a->kind == b->kind && !strcmp(a->ns, b->ns) && !strcmp(a->name, b->name) &&
	       !strcmp(a->arg, b->arg);
}

static int rehash(struct tw_state *st, size_t nslots)
{
	size_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++) {
		size_t h = key_hash(&st->recs[i].key) & (nslots - 1);
		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = i + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = nslots;
	return 0;
}

struct tw_rec *tw_state_find(struct tw_state *st, const struct tw_key *key)
{
	if (!st->nslots)
		return NULL;
	size_t h = key_hash(key) & (st->nslots - 1);
	for (; st->slots[h]; h = (h + 1) & (st->nslots - 1)) {
		struct tw_rec *r = &st->recs[st->slots[h] - 1];
		if (key_eq(&r->key, key))
			return r->gone ? NULL : r;
	}
	return NULL;
}

/* The record for key, made (empty, ownerless) when missing. */
static struct tw_rec *rec_get(struct tw_state *st, const struct tw_key *key)
{
	if (st->nslots) {
		size_t h = key_hash(key) & (st->nslots - 1);
		for (; st->slots[h]; h = (h + 1) & (st->nslots - 1)) {
			struct tw_rec *r = &st->recs[st->slots[h] - 1];
			if (key_eq(&r->key, key)) {
				r->gone = false;
				return r;
			}
		}
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct tw_rec *recs = realloc(st->recs, cap * sizeof(*recs));
		if (!recs)
			return NULL;
		st->recs = recs;
		st->cap = cap;
	}
	if ((st->n + 1) * 2 > st->nslots && rehash(st, st->nslots ? st->nslots * 2 : 128) < 0)
		return NULL;
	struct tw_rec *r = &st->recs[st->n];
	memset(r, 0, sizeof(*r));
	r->key = *key;
	size_t h = key_hash(key) & (st->nslots - 1);
	while (st->slots[h])
		h = (h + 1) & (st->nslots - 1);
	st->slots[h] = ++st->n;
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

static int netns_suffix(char *buf, size_t len)
{
	struct stat self, init;
	if (stat("/proc/self/ns/net", &self) < 0)
		return -errno;
	/* In the host's namespace the file is plain "state"; elsewhere (say,
	 * under `ip netns exec`) each namespace keeps its own. */
	if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self.st_ino &&
	    init.st_dev == self.st_dev)
		buf[0] = 0;
	else
		snprintf(buf, len, "-net%lu", (unsigned long)self.st_ino);
	return 0;
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
	char suffix[40];
	int r = netns_suffix(suffix, sizeof(suffix));
	char lockpath[620];
	snprintf(st->path, sizeof(st->path), "%s/state%s", rundir, suffix);
	snprintf(lockpath, sizeof(lockpath), "%s/lock%s", rundir, suffix);
	if (r == 0 && mkdir(rundir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0 && (st->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		r = -errno;
	if (r == 0 && flock(st->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		r = -errno;
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
	free(st->slots);
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
