/* tapwire doctor's findings and how they print (the checks are in
 * doctor-*.c, their table in cli/doctor.c). */
#include "engine/doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"

void tw_doctor_add(struct tw_doctor *d, bool note, const char *what, const char *why,
		   const char *fix)
{
	struct tw_finding *v = tw_grow(d->v, &d->cap, d->n + 1, sizeof(*v));
	if (!v) {
		d->lost++;
		return;
	}
	d->v = v;
	struct tw_finding *f = &d->v[d->n++];
	memset(f, 0, sizeof(*f));
	f->check = d->check;
	f->note = note;
	tw_strscpy(f->what, what, sizeof(f->what));
	tw_strscpy(f->why, why ? why : "", sizeof(f->why));
	tw_strscpy(f->fix, fix ? fix : "", sizeof(f->fix));
	/* What a file or a user wrote reaches a terminal: one line each. */
	tw_one_line(f->what, sizeof(f->what), '?');
	tw_one_line(f->why, sizeof(f->why), '?');
	tw_one_line(f->fix, sizeof(f->fix), '?');
}

void tw_doctor_run(struct tw_doctor *d, const struct tw_check *checks)
{
	for (const struct tw_check *c = checks; c->name; c++) {
		d->check = c->name;
		c->run(d);
	}
	d->check = NULL;
}

size_t tw_doctor_problems(const struct tw_doctor *d)
{
	size_t n = d->lost;
	for (size_t i = 0; i < d->n; i++)
		n += !d->v[i].note;
	return n;
}

static void print_json(FILE *out, const struct tw_doctor *d, const struct tw_check *checks)
{
	fputs("{\"checks\":[", out);
	for (const struct tw_check *c = checks; c->name; c++) {
		fputs(c == checks ? "" : ",", out);
		tw_json_str(out, c->name);
	}
	fprintf(out, "],\"problems\":%zu,\"findings\":[", tw_doctor_problems(d));
	for (size_t i = 0; i < d->n; i++) {
		const struct tw_finding *f = &d->v[i];
		fprintf(out, "%s{\"check\":", i ? "," : "");
		tw_json_str(out, f->check ? f->check : "");
		fprintf(out, ",\"level\":\"%s\",\"what\":", f->note ? "note" : "problem");
		tw_json_str(out, f->what);
		fputs(",\"why\":", out);
		tw_json_str(out, f->why);
		fputs(",\"fix\":", out);
		tw_json_str(out, f->fix);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

void tw_doctor_print(FILE *out, const struct tw_doctor *d, const struct tw_check *checks,
		     bool json)
{
	if (json) {
		print_json(out, d, checks);
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct tw_finding *f = &d->v[i];
		fprintf(out, "%s: %s", f->note ? "note" : "problem", f->what);
		if (f->why[0])
			fprintf(out, ": %s", f->why);
		if (f->fix[0])
			fprintf(out, "; fix: %s", f->fix);
		fputc('\n', out);
	}
	if (d->lost)
		fprintf(out, "problem: %zu findings lost: out of memory\n", d->lost);
	size_t n = 0, problems = tw_doctor_problems(d);
	for (const struct tw_check *c = checks; c->name; c++)
		n++;
	if (problems) {
		fprintf(out, "doctor: %zu problem%s found by %zu checks\n", problems,
			problems == 1 ? "" : "s", n);
		return;
	}
	fprintf(out, "doctor: no problems found (%zu checks:", n);
	for (const struct tw_check *c = checks; c->name; c++)
		fprintf(out, " %s", c->name);
	fputs(")\n", out);
}

void tw_doctor_free(struct tw_doctor *d)
{
	free(d->v);
	free(d->users);
	free(d->groups);
	memset(d, 0, sizeof(*d));
}

void tw_doctor_allow(struct tw_doctor *d, bool everyone, bool group, id_t id)
{
	if (everyone) {
		d->everyone = true;
		return;
	}
	if (group) {
		for (size_t i = 0; i < d->n_groups; i++)
			if (d->groups[i] == id)
				return;
		gid_t *g = tw_grow(d->groups, &d->cap_groups, d->n_groups + 1, sizeof(*g));
		if (g) {
			d->groups = g;
			d->groups[d->n_groups++] = id;
		}
		return;
	}
	for (size_t i = 0; i < d->n_users; i++)
		if (d->users[i] == id)
			return;
	uid_t *u = tw_grow(d->users, &d->cap_users, d->n_users + 1, sizeof(*u));
	if (u) {
		d->users = u;
		d->users[d->n_users++] = id;
	}
}

int tw_doctor_as(const struct tw_doctor_ids *ids, tw_doctor_child_fn *fn, void *arg, char *buf,
		 size_t len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(p[0]);
		close(p[1]);
		return e;
	}
	if (pid == 0) {
		close(p[0]);
		if (ids && geteuid() == 0 &&
		    (setgroups(ids->n_groups, ids->groups) < 0 ||
		     setresgid(ids->gid, ids->gid, ids->gid) < 0 ||
		     setresuid(ids->uid, ids->uid, ids->uid) < 0))
			_exit(127);
		_exit(fn(arg, p[1]));
	}
	close(p[1]);
	size_t n = 0;
	while (buf && n + 1 < len) {
		ssize_t r = read(p[0], buf + n, len - 1 - n);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
		n += r > 0 ? (size_t)r : 0;
	}
	if (buf && len)
		buf[n] = 0;
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

const char *tw_doctor_path(const char *env, const char *dflt)
{
	const char *p = tw_getenv_unprivileged(env);
	return p ? p : dflt;
}
