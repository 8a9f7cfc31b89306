/* The helper's policy: QEMU's bridge.conf, plus globs, user:/group:
 * qualifiers and strict checks on every file read (see policy.h).
 *
 * Shape, after doas: files are read whole, split into lines, each line into
 * tokens; rules go into one flat table that tw_policy_allows scans. Anything
 * unexpected fails the whole policy, and the helper then denies. */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Bounds on what a policy may cost: it is parsed on every VM start. */
#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_FILE_SIZE_TEXT "1 MiB"
#define MAX_FILES 256 /* includes fan out: depth alone does not bound them */
#define MAX_RULES 10000
#define MAX_QUALS 65536
#define MAX_SYMLINKS 40 /* as the kernel's ELOOP limit */
#define ECHO_MAX 60     /* bytes of hostile input an error message may quote */

struct qual {
	bool group;
	id_t id;
};

struct rule {
	bool deny;
	char pattern[IFNAMSIZ]; /* fnmatch pattern; "all" is stored as "*" */
	size_t file;            /* index into files[] */
	unsigned line;
	size_t q_first, q_count; /* slice of quals[]; none: applies to everyone */
};

struct tw_policy {
	struct rule *rules;
	size_t n_rules, cap_rules;
	struct qual *quals;
	size_t n_quals, cap_quals;
	char **files; /* names for messages, sanitized */
	size_t n_files, cap_files;
};

struct loader {
	struct tw_policy *p;
	char *err;
	size_t errlen;
};

/* One file being parsed. */
struct src {
	const char *name; /* as shown in messages */
	size_t file;
	const char *dir; /* relative includes are resolved from here */
	int depth;
};

/* Copies at most max bytes of s, non-printables as '?', "..." when cut. */
static const char *sanitize(char *dst, size_t dstlen, const char *s, size_t max)
{
	size_t n = 0;
	if (max > dstlen - 4)
		max = dstlen - 4;
	for (; s[n] && n < max; n++)
		dst[n] = (s[n] >= 0x20 && s[n] < 0x7f) ? s[n] : '?';
	if (s[n]) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = 0;
	return dst;
}

#define QUOTE_BUF (ECHO_MAX + 4)
#define quote(buf, s) sanitize(buf, sizeof(buf), s, ECHO_MAX)

/* "FILE:LINE: MSG", or "FILE: MSG" for line 0. Returns r. */
__attribute__((format(printf, 5, 6))) static int fail(const struct loader *ld, int r,
						      const char *file, unsigned line,
						      const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ld->err || !ld->errlen)
		return r;
	if (line)
		snprintf(ld->err, ld->errlen, "%s:%u: %s", file, line, msg);
	else
		snprintf(ld->err, ld->errlen, "%s: %s", file, msg);
	return r;
}

/* Grows an array to hold need elements; NULL (array untouched) on ENOMEM. */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return arr;
	size_t n = *cap ? *cap * 2 : 16;
	void *q = reallocarray(arr, n, size);
	if (q)
		*cap = n;
	return q;
}

/* ---- Opening files: only what root alone controls. ---------------------- */

/* A path is walked one component at a time from "/", so that every
 * directory and symlink on the way is seen and checked before it is used:
 * realpath() and a check afterwards would let a user who owns a directory
 * in the middle swap a symlink in between, and would not even see symlinks
 * that point onwards from an untrusted directory. */
struct walk {
	int dir;             /* O_PATH descriptor of where the walk is */
	char real[PATH_MAX]; /* its path, for messages; "" is "/" */
	char todo[PATH_MAX]; /* what is left to resolve */
	unsigned links;
};

/* Writes the reason into why. Returns r. */
__attribute__((format(printf, 4, 5))) static int refuse(char *why, size_t whylen, int r,
							const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return r;
}

/* A directory on the way must be root's alone: whoever can write to it can
 * replace what we are about to open. The sticky bit does not help, since
 * the owner of an entry in /tmp may still swap it. */
static int check_dir(const struct stat *st, const char *path, char *why, size_t whylen)
{
	char shown[QUOTE_BUF * 2];
	sanitize(shown, sizeof(shown), *path ? path : "/", sizeof(shown));
	if (st->st_uid != 0)
		return refuse(why, whylen, -EPERM, "directory %s is owned by uid %ld, not root",
			      shown, (long)st->st_uid);
	if (st->st_mode & 022)
		return refuse(why, whylen, -EPERM,
			      "directory %s is writable by group or others (mode %04o)", shown,
			      (unsigned)(st->st_mode & 07777));
	return 0;
}

static const char *type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

static int check_file(const struct stat *st, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode))
		return refuse(why, whylen, S_ISDIR(st->st_mode) ? -EISDIR : -EPERM,
			      "is %s, not a regular file", type_name(st->st_mode));
	if (st->st_uid != 0)
		return refuse(why, whylen, -EPERM, "is owned by uid %ld, not root",
			      (long)st->st_uid);
	if (st->st_mode & 022)
		return refuse(why, whylen, -EPERM, "is writable by group or others (mode %04o)",
			      (unsigned)(st->st_mode & 07777));
	if (st->st_size > MAX_FILE_SIZE)
		return refuse(why, whylen, -EFBIG, "is larger than " MAX_FILE_SIZE_TEXT);
	return 0;
}

static int walk_root(struct walk *w, char *why, size_t whylen)
{
	tw_closep(&w->dir);
	w->real[0] = 0;
	w->dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (w->dir < 0 || fstat(w->dir, &st) < 0)
		return refuse(why, whylen, -errno, "cannot open /: %s", strerror(errno));
	return check_dir(&st, "", why, whylen);
}

static int walk_start(struct walk *w, const char *path, char *why, size_t whylen)
{
	char cwd[PATH_MAX] = "";
	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return refuse(why, whylen, -errno, "cannot find the current directory: %s",
			      strerror(errno));
	/* getcwd may say "(unreachable)/..." when cwd is outside our root. */
	if (path[0] != '/' && cwd[0] != '/')
		return refuse(why, whylen, -ENOENT, "the current directory is unreachable");
	int n = snprintf(w->todo, sizeof(w->todo), "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= sizeof(w->todo))
		return refuse(why, whylen, -ENAMETOOLONG, "path is too long");
	return walk_root(w, why, whylen);
}

/* Splits the next component off *rest: 1, or 0 when none is left. */
static int next_component(char **rest, char name[NAME_MAX + 1])
{
	char *s = *rest + strspn(*rest, "/");
	size_t n = strcspn(s, "/");
	if (!n)
		return 0;
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s, n);
	name[n] = 0;
	*rest = s + n;
	return 1;
}

/* Continues the walk at the symlink's target. It sits in a directory that
 * passed check_dir, so root put it there. */
static int walk_link(struct walk *w, int fd, const char *rest, char *why, size_t whylen)
{
	char target[PATH_MAX], todo[PATH_MAX];
	if (++w->links > MAX_SYMLINKS)
		return refuse(why, whylen, -ELOOP, "too many levels of symbolic links");
	ssize_t n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0)
		return refuse(why, whylen, -errno, "cannot read a symlink: %s", strerror(errno));
	if (n == 0 || (size_t)n >= sizeof(target))
		return refuse(why, whylen, -ENAMETOOLONG, "bad symlink target");
	target[n] = 0;
	int len = snprintf(todo, sizeof(todo), "%s/%s", target, rest);
	if (len < 0 || (size_t)len >= sizeof(todo))
		return refuse(why, whylen, -ENAMETOOLONG, "path is too long");
	memcpy(w->todo, todo, (size_t)len + 1);
	return target[0] == '/' ? walk_root(w, why, whylen) : 0;
}

static int walk_into(struct walk *w, int *fd, const char *name, const struct stat *st,
		     char *why, size_t whylen)
{
	size_t len = strlen(w->real);
	if (!strcmp(name, "..")) {
		char *slash = strrchr(w->real, '/');
		if (slash)
			*slash = 0;
	} else if (strcmp(name, ".")) {
		if (len + 1 + strlen(name) >= sizeof(w->real))
			return refuse(why, whylen, -ENAMETOOLONG, "path is too long");
		w->real[len] = '/';
		strcpy(w->real + len + 1, name);
	}
	int r = check_dir(st, w->real, why, whylen);
	if (r < 0)
		return r;
	tw_closep(&w->dir);
	w->dir = TW_TAKE_FD(*fd);
	return 0;
}

/* The last component: refuse anything but a regular file before opening
 * it for reading, so a FIFO or a device is never even opened; then check
 * what was actually opened. */
static int walk_open(struct walk *w, const char *name, const struct stat *seen, char *why,
		     size_t whylen)
{
	int r = check_file(seen, why, whylen);
	if (r < 0)
		return r;
	_cleanup_close_ int fd =
		openat(w->dir, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return refuse(why, whylen, -errno, "%s", strerror(errno));
	r = check_file(&st, why, whylen);
	if (r < 0)
		return r;
	if (st.st_dev != seen->st_dev || st.st_ino != seen->st_ino)
		return refuse(why, whylen, -EAGAIN, "changed while being opened");
	return TW_TAKE_FD(fd);
}

/* Returns an fd open for reading, or -errno with the reason in why. */
static int open_checked(const char *path, char *why, size_t whylen)
{
	struct walk w = { .dir = -1 };
	int r = walk_start(&w, path, why, whylen);
	char *rest = w.todo, name[NAME_MAX + 1];

	while (r >= 0) {
		r = next_component(&rest, name);
		if (r <= 0) {
			r = r ? refuse(why, whylen, r, "a path component is too long")
			      : refuse(why, whylen, -EISDIR, "is a directory, not a regular file");
			break;
		}
		bool last = rest[strspn(rest, "/")] == 0;
		_cleanup_close_ int fd = openat(w.dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = refuse(why, whylen, -errno, "%s", strerror(errno));
		} else if (S_ISLNK(st.st_mode)) {
			r = walk_link(&w, fd, rest, why, whylen);
			rest = w.todo;
		} else if (S_ISDIR(st.st_mode) && !last) {
			r = walk_into(&w, &fd, name, &st, why, whylen);
		} else if (!last) {
			r = refuse(why, whylen, -ENOTDIR, "%s", strerror(ENOTDIR));
		} else {
			r = walk_open(&w, name, &st, why, whylen);
			break;
		}
	}
	tw_closep(&w.dir);
	return r;
}

/* Reads at most MAX_FILE_SIZE bytes; a file that grows past it is an error
 * too, not silently cut. */
static int read_all(int fd, char **out, size_t *outlen)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			size_t newcap = cap ? cap * 2 : 4096;
			if (newcap > MAX_FILE_SIZE + 1)
				newcap = MAX_FILE_SIZE + 1;
			char *q = realloc(buf, newcap);
			if (!q)
				return -ENOMEM;
			buf = q;
			cap = newcap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_FILE_SIZE)
			return -EFBIG;
	}
	*out = TW_TAKE(buf);
	*outlen = len;
	return 0;
}

/* ---- Parsing ------------------------------------------------------------ */

static int parse_text(struct loader *ld, const struct src *src, const char *text, size_t len);

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char *next_token(char **s)
{
	char *p = *s;
	while (is_space(*p))
		p++;
	if (!*p)
		return NULL;
	char *tok = p;
	while (*p && !is_space(*p))
		p++;
	if (*p)
		*p++ = 0;
	*s = p;
	return tok;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* A pattern that cannot match any valid bridge name is refused rather than
 * kept as a dead rule: a dead deny (say `deny !br0`, read as a negation)
 * silently allows. fnmatch reads '!' as a negation only right after '[', and
 * an unclosed '[' literally. */
static int check_pattern(const char *s, char *why, size_t whylen)
{
	bool in_set = false;
	size_t len = strlen(s);
	if (len >= IFNAMSIZ)
		return refuse(why, whylen, -EINVAL,
			      "is %zu characters long; at most %d are allowed", len, IFNAMSIZ - 1);
	if (s[0] == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
		return refuse(why, whylen, -EINVAL, "can never match a valid interface name");
	for (const char *p = s; *p; p++) {
		char c[QUOTE_BUF], one[2] = { *p, 0 };
		if (is_name_char(*p) || (!in_set && (*p == '*' || *p == '?')))
			continue;
		if (!in_set && *p == '[') {
			in_set = true;
			p += p[1] == '!';
			if (p[1] == ']')
				return refuse(why, whylen, -EINVAL, "has an empty '[]'");
		} else if (in_set && *p == ']') {
			in_set = false;
		} else if (*p == ']') {
			return refuse(why, whylen, -EINVAL, "has ']' without '['");
		} else if (*p == '!') {
			return refuse(why, whylen, -EINVAL, "has '!' not right after '[' "
				      "(to exclude, write a deny rule)");
		} else if (strchr("*?[", *p)) {
			return refuse(why, whylen, -EINVAL, "has '%c' inside '[...]'", *p);
		} else {
			return refuse(why, whylen, -EINVAL, "contains '%s'; only A-Z a-z 0-9 _ . - "
				      "and * ? [ ] ! are allowed", quote(c, one));
		}
	}
	if (in_set)
		return refuse(why, whylen, -EINVAL, "has an unclosed '['");
	return 0;
}

/* Numeric ids are taken as ids, so `user:1000` never depends on NSS. */
static int lookup_id(const char *v, bool group, id_t *out)
{
	unsigned long id;
	if (v[strspn(v, "0123456789")] == 0 && *v) {
		/* (id_t)-1 means "no change" to chown and friends: not an id. */
		if (tw_parse_uint(v, 0, UINT32_MAX - 1, &id) < 0)
			return -ERANGE;
		*out = (id_t)id;
		return 0;
	}
	if (group) {
		struct group *gr = getgrnam(v);
		if (!gr)
			return -ENOENT;
		*out = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(v);
		if (!pw)
			return -ENOENT;
		*out = pw->pw_uid;
	}
	return 0;
}

static int parse_qual(struct loader *ld, const struct src *src, unsigned line, const char *tok)
{
	struct tw_policy *p = ld->p;
	char q[QUOTE_BUF];
	bool group = !strncmp(tok, "group:", 6);
	/* QEMU never had trailing comments either: it read them as part of
	 * the name, so such a rule never matched. */
	if (tok[0] == '#')
		return fail(ld, -EINVAL, src->name, line,
			    "unexpected '#': a comment must be on a line of its own");
	if (!group && strncmp(tok, "user:", 5))
		return fail(ld, -EINVAL, src->name, line,
			    "unexpected '%s' (expected user:USER or group:GROUP)", quote(q, tok));
	const char *v = tok + (group ? 6 : 5);
	const char *what = group ? "group" : "user";
	if (!*v)
		return fail(ld, -EINVAL, src->name, line, "missing name after '%s:'", what);
	id_t id;
	int r = lookup_id(v, group, &id);
	if (r < 0)
		return fail(ld, -EINVAL, src->name, line, r == -ERANGE ? "bad %s id '%s'" :
			    "unknown %s '%s'", what, quote(q, v));
	if (p->n_quals >= MAX_QUALS)
		return fail(ld, -E2BIG, src->name, line,
			    "too many user:/group: qualifiers (at most %d in all)", MAX_QUALS);
	struct qual *a = grow(p->quals, &p->cap_quals, p->n_quals + 1, sizeof(*a));
	if (!a)
		return fail(ld, -ENOMEM, src->name, line, "out of memory");
	p->quals = a;
	p->quals[p->n_quals++] = (struct qual){ .group = group, .id = id };
	return 0;
}

/* allow|deny NAME|all [user:U|group:G ...] */
static int parse_rule(struct loader *ld, const struct src *src, unsigned line, bool deny,
		      char *rest)
{
	struct tw_policy *p = ld->p;
	const char *kw = deny ? "deny" : "allow";
	char q[QUOTE_BUF], why[128];
	const char *name = next_token(&rest);
	if (!name)
		return fail(ld, -EINVAL, src->name, line,
			    "missing bridge name after '%s' (a name, a glob or all)", kw);
	if (strcmp(name, "all") && check_pattern(name, why, sizeof(why)) < 0)
		return fail(ld, -EINVAL, src->name, line, "bad bridge name '%s': %s",
			    quote(q, name), why);
	if (p->n_rules >= MAX_RULES)
		return fail(ld, -E2BIG, src->name, line, "too many rules (at most %d)", MAX_RULES);

	struct rule r = { .deny = deny, .file = src->file, .line = line, .q_first = p->n_quals };
	tw_strscpy(r.pattern, strcmp(name, "all") ? name : "*", sizeof(r.pattern));
	for (const char *tok; (tok = next_token(&rest));) {
		int e = parse_qual(ld, src, line, tok);
		if (e < 0)
			return e;
	}
	r.q_count = p->n_quals - r.q_first;

	struct rule *a = grow(p->rules, &p->cap_rules, p->n_rules + 1, sizeof(*a));
	if (!a)
		return fail(ld, -ENOMEM, src->name, line, "out of memory");
	p->rules = a;
	p->rules[p->n_rules++] = r;
	return 0;
}

static int read_checked(const char *path, char **text, size_t *len, char *why, size_t whylen);
static int parse_file(struct loader *ld, const char *path, int depth, const char *text,
		      size_t len);

/* include PATH: as in QEMU, the rest of the line is the path. */
static int parse_include(struct loader *ld, const struct src *src, unsigned line, char *rest)
{
	while (is_space(*rest))
		rest++;
	size_t n = strlen(rest);
	while (n && is_space(rest[n - 1]))
		rest[--n] = 0;
	if (!n)
		return fail(ld, -EINVAL, src->name, line, "missing path after 'include'");
	if (src->depth >= TW_POLICY_MAX_DEPTH)
		return fail(ld, -ELOOP, src->name, line, "includes nest more than %d deep "
			    "(an include loop?)", TW_POLICY_MAX_DEPTH);
	char path[PATH_MAX];
	int plen = rest[0] == '/' ? snprintf(path, sizeof(path), "%s", rest)
				  : snprintf(path, sizeof(path), "%s/%s", src->dir, rest);
	if (plen < 0 || (size_t)plen >= sizeof(path))
		return fail(ld, -ENAMETOOLONG, src->name, line, "include path is too long");
	if (ld->p->n_files >= MAX_FILES)
		return fail(ld, -E2BIG, src->name, line, "too many files included (at most %d)",
			    MAX_FILES);

	char why[256], q[QUOTE_BUF];
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_checked(path, &text, &len, why, sizeof(why));
	if (r < 0)
		return fail(ld, r, src->name, line, "cannot include '%s': %s", quote(q, rest), why);
	return parse_file(ld, path, src->depth + 1, text, len);
}

static int parse_line(struct loader *ld, const struct src *src, unsigned line, char *s)
{
	char q[QUOTE_BUF];
	char *kw = next_token(&s);
	if (!kw || kw[0] == '#')
		return 0;
	if (!strcmp(kw, "allow") || !strcmp(kw, "deny"))
		return parse_rule(ld, src, line, kw[0] == 'd', s);
	if (!strcmp(kw, "include"))
		return parse_include(ld, src, line, s);
	return fail(ld, -EINVAL, src->name, line,
		    "unknown keyword '%s' (expected allow, deny or include)", quote(q, kw));
}

static int parse_text(struct loader *ld, const struct src *src, const char *text, size_t len)
{
	if (len > MAX_FILE_SIZE)
		return fail(ld, -EFBIG, src->name, 0, "is larger than " MAX_FILE_SIZE_TEXT);
	const char *p = text, *end = text + len;
	for (unsigned line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char buf[TW_POLICY_MAX_LINE + 1];
		if (memchr(p, 0, n))
			return fail(ld, -EINVAL, src->name, line, "contains a NUL byte");
		if (n > TW_POLICY_MAX_LINE)
			return fail(ld, -EINVAL, src->name, line, "line is longer than %d bytes",
				    TW_POLICY_MAX_LINE);
		memcpy(buf, p, n);
		buf[n] = 0;
		int r = parse_line(ld, src, line, buf);
		if (r < 0)
			return r;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Remembers a file's name for messages and "allowed by FILE:LINE". */
static int add_file(struct loader *ld, const char *path, size_t *idx)
{
	struct tw_policy *p = ld->p;
	char shown[PATH_MAX];
	char **a = grow(p->files, &p->cap_files, p->n_files + 1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	p->files = a;
	p->files[p->n_files] = strdup(sanitize(shown, sizeof(shown), path, sizeof(shown)));
	if (!p->files[p->n_files])
		return -ENOMEM;
	*idx = p->n_files++;
	return 0;
}

/* dirname() without its surprises (it may modify its argument). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (!slash)
		tw_strscpy(dir, ".", len);
	else if (n == 0)
		tw_strscpy(dir, "/", len);
	else
		tw_strscpy(dir, path, n + 1 < len ? n + 1 : len);
}

static int parse_named(struct loader *ld, const char *name, const char *dir, int depth,
		       const char *text, size_t len)
{
	struct src src = { .dir = dir, .depth = depth };
	if (add_file(ld, name, &src.file) < 0)
		return fail(ld, -ENOMEM, name, 0, "out of memory");
	src.name = ld->p->files[src.file];
	return parse_text(ld, &src, text, len);
}

static int read_checked(const char *path, char **text, size_t *len, char *why, size_t whylen)
{
	_cleanup_close_ int fd = open_checked(path, why, whylen);
	if (fd < 0)
		return fd;
	int r = read_all(fd, text, len);
	if (r < 0)
		refuse(why, whylen, r, "%s",
		       r == -EFBIG ? "is larger than " MAX_FILE_SIZE_TEXT : strerror(-r));
	return r;
}

static int parse_file(struct loader *ld, const char *path, int depth, const char *text,
		      size_t len)
{
	char dir[PATH_MAX];
	dir_of(path, dir, sizeof(dir));
	return parse_named(ld, path, dir, depth, text, len);
}

void tw_policy_free(struct tw_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->files);
	free(p->rules);
	free(p->quals);
	free(p);
}

static int finish(struct tw_policy *p, int r, struct tw_policy **out)
{
	if (r < 0) {
		tw_policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

int tw_policy_load(const char *path, struct tw_policy **out, char *err, size_t errlen)
{
	*out = NULL;
	struct loader ld = { .p = calloc(1, sizeof(*ld.p)), .err = err, .errlen = errlen };
	if (!path || !*path)
		return finish(ld.p, fail(&ld, -EINVAL, "(policy)", 0, "no policy file given"), out);
	char why[256], shown[QUOTE_BUF * 4];
	sanitize(shown, sizeof(shown), path, sizeof(shown));
	if (!ld.p)
		return fail(&ld, -ENOMEM, shown, 0, "out of memory");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_checked(path, &text, &len, why, sizeof(why));
	if (r < 0)
		return finish(ld.p, fail(&ld, r, shown, 0, "%s", why), out);
	return finish(ld.p, parse_file(&ld, path, 0, text, len), out);
}

int tw_policy_parse(const char *name, const char *text, size_t len, struct tw_policy **out,
		    char *err, size_t errlen)
{
	*out = NULL;
	struct loader ld = { .p = calloc(1, sizeof(*ld.p)), .err = err, .errlen = errlen };
	if (!name)
		name = "(policy)";
	if (!ld.p)
		return fail(&ld, -ENOMEM, name, 0, "out of memory");
	return finish(ld.p, parse_named(&ld, name, ".", 0, text ? text : "", text ? len : 0), out);
}

/* ---- Deciding ----------------------------------------------------------- */

static bool in_groups(const struct tw_caller *c, id_t gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->n_groups; i++)
		if (c->groups && c->groups[i] == gid)
			return true;
	return false;
}

static bool applies(const struct tw_policy *p, const struct rule *r, const struct tw_caller *c)
{
	if (!r->q_count)
		return true;
	for (size_t i = r->q_first; i < r->q_first + r->q_count; i++) {
		const struct qual *q = &p->quals[i];
		if (q->group ? in_groups(c, q->id) : q->id == c->uid)
			return true;
	}
	return false;
}

bool tw_policy_allows(const struct tw_policy *p, const char *bridge, const struct tw_caller *c,
		      char *why, size_t whylen)
{
	const struct rule *allow = NULL;
	if (!p || !c) {
		snprintf(why, whylen, "no policy");
		return false;
	}
	/* argv was checked already; checked again so no caller can slip a
	 * name past a glob that was written with valid names in mind. */
	if (!tw_ifname_valid(bridge, NULL, 0)) {
		snprintf(why, whylen, "invalid bridge name");
		return false;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		if (fnmatch(r->pattern, bridge, 0) != 0 || !applies(p, r, c))
			continue;
		if (r->deny) {
			snprintf(why, whylen, "denied by %s:%u", p->files[r->file], r->line);
			return false;
		}
		if (!allow)
			allow = r;
	}
	if (allow)
		snprintf(why, whylen, "allowed by %s:%u", p->files[allow->file], allow->line);
	else
		snprintf(why, whylen, "no allow rule matches");
	return allow != NULL;
}
