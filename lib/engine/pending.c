/* Changes waiting for confirmation (engine/pending.h). */
#include "engine/pending.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/index.h"

#define PENDING_MAGIC "tapwire-confirm 1"

int tw_run_file(const char *statepath, const char *what, const char *tail, char *buf, size_t len)
{
	const char *slash = strrchr(statepath, '/');
	const char *base = slash ? slash + 1 : statepath;
	if (strncmp(base, "state", 5))
		return -EINVAL;
	int n = snprintf(buf, len, "%.*s%s%s-%s", (int)(base - statepath), statepath, what, base + 5,
			 tail);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int tw_owner_file(const char *statepath, const char *what, const char *owner, const char *ext,
		  char *buf, size_t len)
{
	char tail[40];
	snprintf(tail, sizeof(tail), "%016llx%s",
		 (unsigned long long)tw_hash_str(TW_HASH_SEED, owner), ext);
	return tw_run_file(statepath, what, tail, buf, len);
}

int tw_pending_write(const char *statepath, struct tw_pending *p)
{
	char tmp[700];
	int r = tw_owner_file(statepath, "confirm", p->owner, "", p->path, sizeof(p->path));
	if (r < 0)
		return r;
	if (strchr(p->file, '\n') || strchr(p->prev, '\n') || strchr(p->source, '\n'))
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s.new", p->path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, PENDING_MAGIC "\nowner %s\ndeadline %lld\nseconds %u\nfile %s\nprev %s\npid %ld\n"
		"unit %s\nsource %s\n", p->owner, p->deadline, p->seconds, p->file, p->prev, p->pid, p->unit,
		p->source);
	r = fflush(f) != 0 || fsync(fileno(f)) < 0 ? -errno : 0;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, p->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static void field(const char *line, const char *key, char *out, size_t len)
{
	size_t n = strlen(key);
	if (!strncmp(line, key, n) && line[n] == ' ') {
		tw_strscpy(out, line + n + 1, len);
		out[strcspn(out, "\n")] = 0;
	}
}

static int pending_read(const char *path, struct tw_pending *p)
{
	memset(p, 0, sizeof(*p));
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char line[1024], num[32];
	int r = fgets(line, sizeof(line), f) && !strncmp(line, PENDING_MAGIC, strlen(PENDING_MAGIC))
			? 0 : -EBADMSG;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		field(line, "owner", p->owner, sizeof(p->owner));
		field(line, "file", p->file, sizeof(p->file));
		field(line, "prev", p->prev, sizeof(p->prev));
		field(line, "unit", p->unit, sizeof(p->unit));
		field(line, "source", p->source, sizeof(p->source));
		num[0] = 0;
		field(line, "deadline", num, sizeof(num));
		if (num[0])
			p->deadline = strtoll(num, NULL, 10);
		num[0] = 0;
		field(line, "seconds", num, sizeof(num));
		if (num[0])
			p->seconds = (unsigned)strtoul(num, NULL, 10);
		num[0] = 0;
		field(line, "pid", num, sizeof(num));
		if (num[0])
			p->pid = strtol(num, NULL, 10);
	}
	fclose(f);
	tw_strscpy(p->path, path, sizeof(p->path));
	return r == 0 && !p->owner[0] ? -EBADMSG : r;
}

int tw_pending_list(const char *statepath, struct tw_pending **out, size_t *n)
{
	char prefix[700], dir[700];
	*out = NULL;
	*n = 0;
	int r = tw_run_file(statepath, "confirm", "", prefix, sizeof(prefix));
	if (r < 0)
		return r;
	const char *slash = strrchr(prefix, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - prefix) : 1, slash ? prefix : ".");
	const char *base = slash ? slash + 1 : prefix;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t bl = strlen(base), nl = strlen(e->d_name);
		/* The hash is all that follows: no ".new", no ".reverting". */
		if (strncmp(e->d_name, base, bl) || nl != bl + 16)
			continue;
		char path[1400];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct tw_pending p;
		if (pending_read(path, &p) < 0)
			continue;
		struct tw_pending *v = tw_grow(*out, &cap, *n + 1, sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		*out = v;
		v[(*n)++] = p;
	}
	closedir(d);
	return r;
}

int tw_pending_claim(struct tw_pending *p)
{
	char claimed[700];
	snprintf(claimed, sizeof(claimed), "%s.reverting", p->path);
	if (rename(p->path, claimed) < 0)
		return -errno;
	tw_strscpy(p->path, claimed, sizeof(p->path));
	return 0;
}

int tw_pending_unclaim(struct tw_pending *p)
{
	char back[700];
	size_t n = strlen(p->path), sl = strlen(".reverting");
	if (n <= sl || strcmp(p->path + n - sl, ".reverting"))
		return -EINVAL;
	snprintf(back, sizeof(back), "%.*s", (int)(n - sl), p->path);
	if (rename(p->path, back) < 0)
		return -errno;
	tw_strscpy(p->path, back, sizeof(p->path));
	return 0;
}

int tw_pending_drop(struct tw_pending *p)
{
	return unlink(p->path) < 0 ? -errno : 0;
}

void tw_pending_status(FILE *out, const char *statepath, bool json)
{
	struct tw_pending *v;
	size_t n;
	if (tw_pending_list(statepath, &v, &n) < 0)
		n = 0, v = NULL;
	long long now = (long long)time(NULL);
	if (json)
		fputs(",\"pending\":[", out);
	for (size_t i = 0; i < n; i++) {
		char when[64];
		time_t t = (time_t)v[i].deadline;
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		long long left = v[i].deadline > now ? v[i].deadline - now : 0;
		if (json) {
			fprintf(out, "%s{\"owner\":", i ? "," : "");
			tw_json_str(out, v[i].owner);
			fputs(",\"file\":", out);
			tw_json_str(out, v[i].file);
			fprintf(out, ",\"deadline\":\"%s\",\"seconds_left\":%lld,\"reverts_to\":", when, left);
			v[i].prev[0] ? tw_json_str(out, v[i].prev) : (void)fputs("null", out);
			fputs("}", out);
		} else {
			fprintf(out, "pending %s: %s waits for `tapwire confirm %s` until %s (%lld s left); "
				"then %s\n", v[i].owner, v[i].file, v[i].owner, when, left,
				v[i].prev[0] ? "what was there before comes back" : "it is released");
		}
	}
	if (json)
		fputs("]", out);
	free(v);
}

void tw_run_files_prune(const char *rundir, const char *suffix, bool dry_run)
{
	static const char *const whats[] = { "move", "confirm", "applied", "prev" };
	DIR *d = opendir(rundir);
	if (!d)
		return;
	size_t sl = strlen(suffix);
	for (struct dirent *e; (e = readdir(d));) {
		for (size_t k = 0; k < TW_ARRAY_SIZE(whats); k++) {
			size_t wl = strlen(whats[k]);
			if (strncmp(e->d_name, whats[k], wl) || strncmp(e->d_name + wl, suffix, sl) ||
			    e->d_name[wl + sl] != '-')
				continue;
			char path[1200];
			snprintf(path, sizeof(path), "%s/%s", rundir, e->d_name);
			if (!dry_run)
				unlink(path);
		}
	}
	closedir(d);
}
