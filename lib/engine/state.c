#include "engine/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/index.h"
#include "engine/netns-id.h"
#include "engine/state-int.h"

#define STATE_MAGIC "tapwire-state 1"

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
	tw_rec_unkeep(r, owner); /* claimed again: no longer merely kept */
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
	tw_rec_unkeep(r, NULL);
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
	tw_rec_unkeep(r, owner);
	for (size_t i = 0; i < r->n_owners; i++)
		if (!strcmp(r->owners[i], owner)) {
			free(r->owners[i]);
			r->owners[i] = r->owners[--r->n_owners];
			break;
		}
	if (!r->n_owners)
		rec_clear(r);
}

/* ---- where each owner's description came from: "s OWNER SOURCE" lines,
 * three fields, which versions before them skip (they need six), so either
 * version reads the other's file. */

static struct tw_src *src_find(const struct tw_state *st, const char *owner)
{
	for (size_t i = 0; i < st->n_srcs; i++)
		if (!strcmp(st->srcs[i].owner, owner))
			return &st->srcs[i];
	return NULL;
}

static int src_set(struct tw_state *st, const char *owner, const char *source)
{
	struct tw_src *s = src_find(st, owner);
	if (!s) {
		struct tw_src *v = tw_grow(st->srcs, &st->cap_srcs, st->n_srcs + 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->srcs = v;
		s = &v[st->n_srcs];
		if (!(s->owner = strdup(owner)))
			return -ENOMEM;
		s->source = NULL;
		st->n_srcs++;
	}
	char *dup = strdup(source);
	if (!dup)
		return -ENOMEM;
	free(s->source);
	s->source = dup;
	return 0;
}

static void source_line(struct tw_state *st, char *owner_f, char *source_f)
{
	char owner[TW_OWNER_MAX], source[TW_SOURCE_MAX];
	if (tw_state_field_get(owner_f, owner, sizeof(owner)) && owner[0] &&
	    tw_state_field_get(source_f, source, sizeof(source)) && source[0])
		src_set(st, owner, source);
}

static void source_put(FILE *f, const char *owner, const char *source)
{
	fputc('s', f);
	tw_state_field_put(f, owner);
	tw_state_field_put(f, source);
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
	if (nf == 3 && !strcmp(f[0], "s")) {
		source_line(st, f[1], f[2]);
		return;
	}
	if (nf < 6 || strlen(f[0]) != 1)
		return;
	struct tw_key k;
	char kind[16], owner[TW_OWNER_MAX], data[TW_KEPT_MAX] = "", created[4] = "0";
	memset(&k, 0, sizeof(k));
	if (!tw_state_field_get(f[1], kind, sizeof(kind)) || tw_kind_parse(kind, &k.kind) < 0 ||
	    !tw_state_field_get(f[2], k.ns, sizeof(k.ns)) ||
	    !tw_state_field_get(f[3], k.name, sizeof(k.name)) ||
	    !tw_state_field_get(f[4], k.arg, sizeof(k.arg)))
		return;
	char op = f[0][0];
	size_t o = 5;
	if (op == '+') {
		if (nf < 7 || !tw_state_field_get(f[o++], created, sizeof(created)))
			return;
	}
	if (!tw_state_field_get(f[o++], owner, sizeof(owner)) || !owner[0])
		return;
	if (o < nf && !tw_state_field_get(f[o], data, sizeof(data)))
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
	case 'k': /* why a release kept it: versions before it skip the line */
		if ((r = tw_state_find(st, &k)))
			tw_rec_keep(r, owner, data);
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
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (first) {
			first = false;
			if (strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC))) {
				r = -EBADMSG;
				break;
			}
			continue;
		}
		/* Each line is written whole, newline included, in one
		 * write(2): one without it was cut short by a crash. */
		if (line[n - 1] != '\n')
			break;
		line_apply(st, line);
	}
	free(line);
	fclose(f);
	return r;
}

/* ---- opening, journaling, compaction */

int tw_state_file(const char *rundir, char *path, size_t len)
{
	char suffix[40], ident[128];
	int r = tw_netns_id_suffix(suffix, sizeof(suffix), ident, sizeof(ident));
	if (r == 0)
		snprintf(path, len, "%s/state%s", rundir, suffix);
	return r;
}

int tw_state_open(const char *rundir, int mode, struct tw_state **out, char *err, size_t errlen)
{
	bool exclusive = mode == 1, peek = mode == TW_STATE_PEEK;
	struct tw_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->lockfd = st->journal = -1;
	st->exclusive = exclusive;
	tw_strscpy(st->dir, rundir, sizeof(st->dir));
	char suffix[40], ident[128];
	int r = tw_netns_id_suffix(suffix, sizeof(suffix), ident, sizeof(ident));
	char lockpath[620];
	snprintf(st->path, sizeof(st->path), "%s/state%s", rundir, suffix);
	snprintf(lockpath, sizeof(lockpath), "%s/lock%s", rundir, suffix);
	/* A peek (check, a dry run) creates nothing: without the directory
	 * or the lock, there is nothing on record to read. */
	if (r == 0 && !peek && mkdir(rundir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0 && (st->lockfd = open(lockpath, peek ? O_RDONLY | O_CLOEXEC
						   : O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		r = peek && errno == ENOENT ? 0 : -errno;
	if (r == 0 && st->lockfd >= 0 && flock(st->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		r = -errno;
	struct stat lst;
	if (r == 0 && !peek && ident[0] && fstat(st->lockfd, &lst) == 0 && lst.st_size == 0 &&
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
static int journal_text(struct tw_state *st, char *buf, size_t len)
{
	int r = journal_open(st);
	if (r == 0) {
		st->dirty = true;
		r = write(st->journal, buf, len) == (ssize_t)len ? 0 : -EIO;
	}
	free(buf);
	return r;
}

static int journal_line(struct tw_state *st, char op, const struct tw_key *k,
			const char *created, const char *owner, const char *data)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	tw_state_line_put(m, op, k, created, owner, data);
	fclose(m);
	return journal_text(st, buf, len);
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

int tw_state_set_kept(struct tw_state *st, const struct tw_key *key, const char *owner,
		      const char *why)
{
	struct tw_rec *r = tw_state_find(st, key);
	if (!r || !tw_rec_has_owner(r, owner))
		return -ENOENT;
	char text[TW_KEPT_MAX];
	tw_strscpy(text, why, sizeof(text));
	int rc = tw_rec_keep(r, owner, text);
	return rc < 0 ? rc : journal_line(st, 'k', key, NULL, owner, text);
}

const char *tw_state_source(const struct tw_state *st, const char *owner)
{
	const struct tw_src *s = src_find(st, owner);
	return s ? s->source : NULL;
}

int tw_state_set_source(struct tw_state *st, const char *owner, const char *source)
{
	const char *now = tw_state_source(st, owner);
	if (now && !strcmp(now, source))
		return 0;
	int r = src_set(st, owner, source);
	if (r < 0)
		return r;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return -ENOMEM;
	source_put(m, owner, source);
	fclose(m);
	return journal_text(st, buf, len);
}

bool tw_state_owner_known(const struct tw_state *st, const char *owner)
{
	for (size_t i = 0; i < st->n; i++)
		if (!st->recs[i].gone && tw_rec_has_owner(&st->recs[i], owner))
			return true;
	return false;
}

size_t tw_state_index(const struct tw_state *st, const struct tw_rec *r)
{
	return (size_t)(r - st->recs);
}

/* The sources of owners that still hold a record; the others went with
 * their last record. */
static void compact_sources(FILE *f, const struct tw_state *st)
{
	if (!st->n_srcs)
		return;
	bool *live = calloc(st->n_srcs, sizeof(*live));
	struct tw_index by_owner = { 0 };
	bool ok = live != NULL;
	for (size_t i = 0; ok && i < st->n_srcs; i++)
		ok = tw_index_add(&by_owner, tw_hash_str(TW_HASH_SEED, st->srcs[i].owner), i) == 0;
	for (size_t i = 0; ok && i < st->n; i++) {
		const struct tw_rec *r = &st->recs[i];
		for (size_t o = 0; !r->gone && o < r->n_owners; o++) {
			size_t cursor = 0, k;
			size_t h = tw_hash_str(TW_HASH_SEED, r->owners[o]);
			while (tw_index_next(&by_owner, h, &cursor, &k))
				if (!strcmp(st->srcs[k].owner, r->owners[o]))
					live[k] = true;
		}
	}
	for (size_t i = 0; ok && i < st->n_srcs; i++) {
		if (!live[i])
			continue;
		source_put(f, st->srcs[i].owner, st->srcs[i].source);
	}
	tw_index_free(&by_owner);
	free(live);
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
			tw_state_line_put(f, r->pending ? '!' : '+', &r->key,
				 r->pending ? NULL : (r->created ? "1" : "0"), r->owners[o], r->data);
		tw_state_kept_put(f, r);
	}
	compact_sources(f, st);
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
	for (size_t i = 0; i < st->n_srcs; i++) {
		free(st->srcs[i].owner);
		free(st->srcs[i].source);
	}
	free(st->srcs);
	free(st);
	return r;
}

const char *tw_state_path(const struct tw_state *st)
{
	return st->path;
}
