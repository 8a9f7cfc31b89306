/* tapwire.conf and qemu.conf, each read whole and bounded. tapwire.conf is
 * checked the way bridge.conf is (lib/trusted.h): the hook runs as root and
 * makes devices on the strength of it. */
#include "conf.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/libvirt-conf.h"
#include "core/trusted.h"
#include "core/util.h"

#define MAX_FILE_SIZE (256 * 1024)
#define MAX_RULES 4096
#define WORDS_MAX 16

/* tapwire.conf, NUL terminated, in *out (0), or -ENOENT, or -errno with err
 * set. The hook acts as root on it, so it gets the helper's trust check:
 * the file and every directory on the way to it root's alone. */
static int read_trusted(const char *path, char **out, char *err, size_t len)
{
	char why[256];
	size_t n;
	int r = tw_trusted_read(path, MAX_FILE_SIZE, out, &n, why, sizeof(why));
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return tw_refuse(err, len, r, "%s: %s", path, why);
	if (memchr(*out, 0, n)) {
		free(*out);
		return tw_refuse(err, len, -EINVAL, "%s: contains a NUL byte", path);
	}
	return 0;
}

/* Split line (modified in place) at blanks; a '#' starts a comment. */
static size_t split(char *line, char *w[WORDS_MAX + 1])
{
	size_t n = 0;
	char *save = NULL;
	line[strcspn(line, "#")] = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t && n <= WORDS_MAX;
	     t = strtok_r(NULL, " \t\r", &save))
		w[n++] = t;
	return n;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int parse_addrs(char *list, struct tw_addrs *a)
{
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct tw_cidr *v = realloc(a->v, (a->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->v = v;
		if (tw_cidr_parse(t, false, &v[a->n]) < 0)
			return -EINVAL;
		a->n++;
	}
	return a->n ? 0 : -EINVAL;
}

/* `bridge PATTERN [mtu N] [stp on|off] [address CIDR[,CIDR...]]` */
static int parse_bridge(char **w, size_t n, struct tw_hook_rule *r, const char *where,
			char *err, size_t len)
{
	char why[96];
	if (n < 2)
		return tw_refuse(err, len, -EINVAL, "%s: bridge: which bridge?", where);
	if (!tw_strscpy(r->pattern, w[1], sizeof(r->pattern)) ||
	    (!is_glob(w[1]) && !tw_ifname_valid(w[1], why, sizeof(why))))
		return tw_refuse(err, len, -EINVAL, "%s: bridge name '%.*s' is not valid", where, 40,
				 w[1]);
	r->spec.stp = TW_UNSET;
	for (size_t i = 2; i < n; i += 2) {
		if (i + 1 >= n)
			return tw_refuse(err, len, -EINVAL, "%s: '%.*s' needs a value", where, 20, w[i]);
		unsigned long v;
		if (!strcmp(w[i], "mtu")) {
			if (tw_parse_uint(w[i + 1], TW_MTU_MIN, TW_MTU_MAX, &v) < 0)
				return tw_refuse(err, len, -EINVAL, "%s: mtu '%.*s' is not %d..%d", where,
						 20, w[i + 1], TW_MTU_MIN, TW_MTU_MAX);
			r->spec.mtu = (unsigned)v;
		} else if (!strcmp(w[i], "stp")) {
			if (strcmp(w[i + 1], "on") && strcmp(w[i + 1], "off"))
				return tw_refuse(err, len, -EINVAL, "%s: stp is 'on' or 'off'", where);
			r->spec.stp = !strcmp(w[i + 1], "on") ? TW_YES : TW_NO;
		} else if (!strcmp(w[i], "address")) {
			/* One address on many bridges would be one subnet on many links. */
			if (is_glob(r->pattern))
				return tw_refuse(err, len, -EINVAL,
						 "%s: address needs one bridge, not a pattern", where);
			int e = parse_addrs(w[i + 1], &r->spec.addrs);
			if (e < 0)
				return tw_refuse(err, len, e, "%s: address: '%.*s' is not CIDR[,CIDR...]",
						 where, 60, w[i + 1]);
		} else {
			return tw_refuse(err, len, -EINVAL, "%s: unknown bridge setting '%.*s' (mtu, stp, address)",
					 where, 20, w[i]);
		}
	}
	return 0;
}

static int parse_conf(char *text, const char *path, struct tw_hook_conf *c, char *err,
		      size_t len)
{
	int lineno = 0;
	char *save = NULL;
	/* strtok_r would merge empty lines and miscount: split by hand. */
	for (char *line = text; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		char *w[WORDS_MAX + 1], where[300];
		size_t n = split(line, w);
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (n == 0)
			continue;
		if (n > WORDS_MAX)
			return tw_refuse(err, len, -EINVAL, "%s: too many words", where);
		if (strcmp(w[0], "bridge"))
			return tw_refuse(err, len, -EINVAL, "%s: unknown keyword '%.*s' (bridge)", where,
					 20, w[0]);
		if (c->n_rules >= MAX_RULES)
			return tw_refuse(err, len, -EINVAL, "%s: more than %d rules", where, MAX_RULES);
		struct tw_hook_rule *v = realloc(c->rules, (c->n_rules + 1) * sizeof(*v));
		if (!v)
			return tw_refuse(err, len, -ENOMEM, "out of memory");
		c->rules = v;
		memset(&v[c->n_rules], 0, sizeof(*v));
		v[c->n_rules].line = lineno;
		int r = parse_bridge(w, n, &v[c->n_rules], where, err, len);
		c->n_rules++; /* counted even when bad, so free sees its addresses */
		if (r < 0)
			return r;
	}
	return 0;
}

int tw_hook_conf_load(const char *path, struct tw_hook_conf *c, char *err, size_t len)
{
	memset(c, 0, sizeof(*c));
	char *text = NULL;
	int r = read_trusted(path, &text, err, len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = parse_conf(text, path, c, err, len);
	free(text);
	if (r < 0)
		tw_hook_conf_free(c);
	return r;
}

void tw_hook_conf_free(struct tw_hook_conf *c)
{
	for (size_t i = 0; i < c->n_rules; i++)
		free(c->rules[i].spec.addrs.v);
	free(c->rules);
	memset(c, 0, sizeof(*c));
}

const struct tw_hook_rule *tw_hook_conf_match(const struct tw_hook_conf *c, const char *bridge)
{
	for (size_t i = 0; i < c->n_rules; i++)
		if (fnmatch(c->rules[i].pattern, bridge, 0) == 0)
			return &c->rules[i];
	return NULL;
}

/* libvirt's "+N" (a uid) becomes "N". */
int tw_qemu_conf_user(const char *path, char *user, size_t len)
{
	char v[TW_OWNER_MAX];
	int r = tw_libvirt_conf_get(path, "user", v, sizeof(v));
	if (r < 0)
		return r;
	return tw_strscpy(user, v + (v[0] == '+'), len) && *user ? 0 : -EINVAL;
}
