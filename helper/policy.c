/* The helper's policy: QEMU's bridge.conf, plus globs, user:/group:
 * qualifiers and strict checks on every file read (see policy.h).
 *
 * Shape, after doas: files are read whole, split into lines, each line into
 * tokens; rules go into one flat table that tw_policy_allows scans. Anything
 * unexpected fails the whole policy, and the helper then denies. */
#include "policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/trusted.h"
#include "core/util.h"

/* Bounds on what a policy may cost: it is parsed on every VM start. */
#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_FILE_SIZE_TEXT "1 MiB"
#define MAX_FILES 256 /* includes fan out: depth alone does not bound them */
#define MAX_RULES 10000
#define MAX_QUALS 65536
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

#define QUOTE_BUF (ECHO_MAX + 4)
#define quote(buf, s) tw_printable(buf, sizeof(buf), s, ECHO_MAX)

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
		return tw_refuse(why, whylen, -EINVAL,
			      "is %zu characters long; at most %d are allowed", len, IFNAMSIZ - 1);
	if (s[0] == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
		return tw_refuse(why, whylen, -EINVAL, "can never match a valid interface name");
	for (const char *p = s; *p; p++) {
		char c[QUOTE_BUF], one[2] = { *p, 0 };
		if (is_name_char(*p) || (!in_set && (*p == '*' || *p == '?')))
			continue;
		if (!in_set && *p == '[') {
			in_set = true;
			p += p[1] == '!';
			if (p[1] == ']')
				return tw_refuse(why, whylen, -EINVAL, "has an empty '[]'");
		} else if (in_set && *p == ']') {
			in_set = false;
		} else if (*p == ']') {
			return tw_refuse(why, whylen, -EINVAL, "has ']' without '['");
		} else if (*p == '!') {
			return tw_refuse(why, whylen, -EINVAL, "has '!' not right after '[' "
				      "(to exclude, write a deny rule)");
		} else if (strchr("*?[", *p)) {
			return tw_refuse(why, whylen, -EINVAL, "has '%c' inside '[...]'", *p);
		} else {
			return tw_refuse(why, whylen, -EINVAL, "contains '%s'; only A-Z a-z 0-9 _ . - "
				      "and * ? [ ] ! are allowed", quote(c, one));
		}
	}
	if (in_set)
		return tw_refuse(why, whylen, -EINVAL, "has an unclosed '['");
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
	/* A numeric id is taken as an id, so `user:1000` never depends on
	 * NSS; one out of range is -ERANGE. */
	uid_t uid = 0;
	gid_t gid = 0;
	int r = group ? tw_lookup_gid(v, &gid) : tw_lookup_uid(v, &uid);
	if (r < 0)
		return fail(ld, -EINVAL, src->name, line, r == -ERANGE ? "bad %s id '%s'" :
			    "unknown %s '%s'", what, quote(q, v));
	if (p->n_quals >= MAX_QUALS)
		return fail(ld, -E2BIG, src->name, line,
			    "too many user:/group: qualifiers (at most %d in all)", MAX_QUALS);
	struct qual *a = tw_grow(p->quals, &p->cap_quals, p->n_quals + 1, sizeof(*a));
	if (!a)
		return fail(ld, -ENOMEM, src->name, line, "out of memory");
	p->quals = a;
	p->quals[p->n_quals++] = (struct qual){ .group = group, .id = group ? gid : uid };
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

	struct rule *a = tw_grow(p->rules, &p->cap_rules, p->n_rules + 1, sizeof(*a));
	if (!a)
		return fail(ld, -ENOMEM, src->name, line, "out of memory");
	p->rules = a;
	p->rules[p->n_rules++] = r;
	return 0;
}

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
	/* PATH_MAX buffers live on the heap: the helper may run with a 16 KiB
	 * stack, and includes nest. */
	_cleanup_free_ char *path = malloc(PATH_MAX);
	if (!path)
		return fail(ld, -ENOMEM, src->name, line, "out of memory");
	int plen = rest[0] == '/' ? snprintf(path, PATH_MAX, "%s", rest)
				  : snprintf(path, PATH_MAX, "%s/%s", src->dir, rest);
	if (plen < 0 || plen >= PATH_MAX)
		return fail(ld, -ENAMETOOLONG, src->name, line, "include path is too long");
	if (ld->p->n_files >= MAX_FILES)
		return fail(ld, -E2BIG, src->name, line, "too many files included (at most %d)",
			    MAX_FILES);

	char why[256], q[QUOTE_BUF];
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = tw_trusted_read(path, MAX_FILE_SIZE, &text, &len, why, sizeof(why));
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
	/* On the heap, as each include level has one (see parse_include). */
	_cleanup_free_ char *buf = malloc(TW_POLICY_MAX_LINE + 1);
	if (!buf)
		return fail(ld, -ENOMEM, src->name, 0, "out of memory");
	for (unsigned line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
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
	size_t shown = strnlen(path, PATH_MAX - 4) + 4; /* "..." past PATH_MAX */
	char **a = tw_grow(p->files, &p->cap_files, p->n_files + 1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	p->files = a;
	p->files[p->n_files] = malloc(shown);
	if (!p->files[p->n_files])
		return -ENOMEM;
	tw_printable(p->files[p->n_files], shown, path, shown);
	*idx = p->n_files++;
	return 0;
}

/* dirname() without its surprises (it may modify its argument), on the
 * heap (see parse_include); NULL when out of memory. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
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

static int parse_file(struct loader *ld, const char *path, int depth, const char *text,
		      size_t len)
{
	_cleanup_free_ char *dir = dir_of(path);
	if (!dir)
		return fail(ld, -ENOMEM, "(policy)", 0, "out of memory");
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
	tw_printable(shown, sizeof(shown), path, sizeof(shown));
	if (!ld.p)
		return fail(&ld, -ENOMEM, shown, 0, "out of memory");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = tw_trusted_read(path, MAX_FILE_SIZE, &text, &len, why, sizeof(why));
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

void tw_policy_hint(const char *conf, const char *bridge, uid_t uid, const char *why, char *hint,
		    size_t hintlen)
{
	/* Both names were checked already (argv, the build's path): printed
	 * as they are, they cannot break the line. */
	if (!strcmp(why, "no allow rule matches"))
		snprintf(hint, hintlen, "add \"allow %s user:%ld\" (this user) or \"allow %s\" (everyone) to %s",
			 bridge, (long)uid, bridge, conf);
	else if (!strncmp(why, "denied by ", 10))
		snprintf(hint, hintlen, "a deny rule wins over every allow: narrow or remove the one at %s",
			 why + 10);
	else if (hintlen)
		hint[0] = 0;
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
