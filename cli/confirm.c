/* up --confirm / --probe, confirm, revert (cli/confirm.h).
 *
 * What a revert goes back to: every successful `up` keeps a copy of the
 * file it applied (rundir/applied<SUFFIX>-<HASH>.xml, engine/pending.h), so
 * a guarded `up` copies the owner's last one aside before it changes
 * anything (prev...). The revert is then an `up` of that copy under the
 * owner's name, which converges back to it (what the run made goes, what
 * it removed comes back, moved addresses move back), or a `down` when the
 * owner had nothing before. Both run as a new tapwire process, exactly as a
 * user would run them, with --force: a revert is there to get the host
 * back, and must not stop at a port added since. */
#include "confirm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/index.h"
#include "engine/pending.h"
#include "engine/state.h"
#include "fail.h"
#include "net/ping.h"

#define PROBE_SECONDS 5
/* --probe alone: how long a run that dies before its probe has, before its
 * timer takes the change back. */
#define PROBE_GRACE 60

int tw_guard_seconds(const char *arg, unsigned *out)
{
	unsigned long v;
	if (tw_parse_uint(arg, 1, 86400, &v) < 0)
		return tw_cli_fail(TW_EXIT_INPUT, "--confirm %s: seconds from 1 to 86400", arg);
	*out = (unsigned)v;
	return 0;
}

static int state_path(char *buf, size_t len)
{
	return tw_state_file(tw_default_rundir(), buf, len);
}

/* src copied to dst, whole or not at all. */
static int copy_file(const char *src, const char *dst)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", dst);
	FILE *in = fopen(src, "re"), *out = in ? fopen(tmp, "we") : NULL;
	int r = in && out ? 0 : -errno;
	char buf[8192];
	size_t n;
	while (r == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			r = -EIO;
	if (in && ferror(in))
		r = -EIO;
	if (out && (fflush(out) != 0 || fsync(fileno(out)) < 0) && r == 0)
		r = -errno;
	if (out && fclose(out) != 0 && r == 0)
		r = -errno;
	if (in)
		fclose(in);
	if (r == 0 && rename(tmp, dst) < 0)
		r = -errno;
	if (r < 0 && out)
		unlink(tmp);
	return r;
}

/* ---- the revert: a tapwire process of its own */

static int run_self(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Where the owner's description came from, as it was before the change
 * (the revert's `up` of the copy records the copy). */
static void put_source_back(const char *owner, const char *source)
{
	struct tw_state *st;
	char err[300];
	if (!source[0] || tw_state_open(tw_default_rundir(), 1, &st, err, sizeof(err)) < 0)
		return;
	if (tw_state_owner_known(st, owner))
		tw_state_set_source(st, owner, source);
	tw_state_close(st);
}

/* Take the change of p back. Returns the exit code of the up or down. */
static int revert(const struct tw_pending *p)
{
	char owner[TW_OWNER_MAX], prev[sizeof(p->prev)], up[] = "up", down[] = "down",
		o[] = "--owner", f[] = "--force", q[] = "--quiet", self[] = "tapwire";
	tw_strscpy(owner, p->owner, sizeof(owner));
	tw_strscpy(prev, p->prev, sizeof(prev));
	char *back[] = { self, up, prev, o, owner, f, q, NULL };
	char *release[] = { self, down, o, owner, f, q, NULL };
	int rc = run_self(prev[0] ? back : release);
	char sp[600], applied[700];
	if (rc == 0 && !prev[0] && state_path(sp, sizeof(sp)) == 0 &&
	    tw_owner_file(sp, "applied", owner, ".xml", applied, sizeof(applied)) == 0)
		unlink(applied);
	if (rc == 0 && prev[0])
		put_source_back(owner, p->source);
	if (rc == 0 && prev[0])
		unlink(prev); /* kept when it failed: `tapwire revert` tries again */
	return rc;
}

static void stop_timer(const struct tw_pending *p)
{
	char path[64], comm[32] = "";
	if (p->pid > 0 && p->pid != getpid()) {
		snprintf(path, sizeof(path), "/proc/%ld/comm", p->pid);
		FILE *f = fopen(path, "re");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = 0;
			fclose(f);
		}
		/* Only our own timer: the pid may have been reused since. */
		if (!strncmp(comm, "tapwire", 7))
			kill((pid_t)p->pid, SIGTERM);
	}
	if (p->unit[0]) {
		char unit[128], stop[] = "stop", quiet[] = "--quiet", prog[] = "systemctl";
		snprintf(unit, sizeof(unit), "%s.timer", p->unit);
		char *argv[] = { prog, stop, quiet, unit, NULL };
		pid_t pid = fork();
		if (pid == 0) {
			execvp(prog, argv);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

/* ---- the timer: a process of its own, out of the terminal's session */

static void timer_main(const char *path, long long deadline)
{
	for (long long now; (now = (long long)time(NULL)) < deadline;)
		sleep((unsigned)(deadline - now));
	char sp[600];
	struct tw_pending *v;
	size_t n;
	if (state_path(sp, sizeof(sp)) < 0 || tw_pending_list(sp, &v, &n) < 0)
		_exit(1);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].path, path) || tw_pending_claim(&v[i]) < 0)
			continue; /* confirmed in time */
		rc = revert(&v[i]);
		openlog("tapwire", LOG_PID, LOG_DAEMON);
		syslog(rc ? LOG_ERR : LOG_WARNING, "%s: %s not confirmed within %u s: %s", v[i].owner,
		       v[i].file, v[i].seconds, rc ? "the revert failed" : "reverted");
		if (rc)
			tw_pending_unclaim(&v[i]);
		else
			unlink(v[i].path);
	}
	free(v);
	_exit(rc ? 1 : 0);
}

/* Double fork: the timer is nobody's child, in a session of its own, with
 * no terminal and no descriptor of ours (a shell waiting for our output
 * must not wait for it). Returns its pid. */
static long spawn_timer(const char *path, long long deadline)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		pid_t grand = fork();
		if (grand != 0) {
			long v = grand;
			_exit(write(fds[1], &v, sizeof(v)) == sizeof(v) && grand > 0 ? 0 : 1);
		}
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		if (chdir("/") < 0)
			_exit(1);
		signal(SIGHUP, SIG_IGN);
		/* A test's kill switch is for the run it was given to. */
		unsetenv("TAPWIRE_TEST_MOVE_KILL");
		timer_main(path, deadline);
	}
	close(fds[1]);
	long grand = -1;
	if (pid < 0 || waitpid(pid, NULL, 0) < 0 || read(fds[0], &grand, sizeof(grand)) != sizeof(grand))
		grand = -1;
	close(fds[0]);
	return grand > 0 ? grand : -ECHILD;
}

/* Where systemd runs, a transient timer unit instead: it outlives even a
 * restart of whatever started us. Returns 0 with unit set, or -errno. */
static int systemd_timer(struct tw_pending *p, const char *netns)
{
	char self[PATH_MAX], when[32], name[96], unit[128];
	if (access("/run/systemd/system", F_OK) < 0)
		return -ENOENT;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -errno;
	self[n] = 0;
	snprintf(name, sizeof(name), "tapwire-confirm-%016llx",
		 (unsigned long long)tw_hash_str(TW_HASH_SEED, p->owner));
	snprintf(unit, sizeof(unit), "--unit=%s", name);
	snprintf(when, sizeof(when), "--on-active=%u", p->seconds);
	char prog[] = "systemd-run", quiet[] = "--quiet", collect[] = "--collect",
	     acc[] = "--timer-property=AccuracySec=1s", rev[] = "revert", nsopt[] = "--netns";
	char *argv[12] = { prog, quiet, collect, unit, when, acc, self };
	int i = 7;
	if (netns) {
		argv[i++] = nsopt;
		argv[i++] = (char *)netns;
	}
	argv[i++] = rev;
	argv[i++] = p->owner;
	argv[i] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execvp(prog, argv);
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	tw_strscpy(p->unit, name, sizeof(p->unit));
	return 0;
}

/* ---- up */

static const struct tw_pending *find(const struct tw_pending *v, size_t n, const char *owner)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].owner, owner))
			return &v[i];
	return NULL;
}

/* Before the change: what the revert goes back to, in p. */
static int snapshot(const char *sp, const char *owner, struct tw_pending *p, struct tw_err *e)
{
	struct tw_pending *v;
	size_t n;
	if (tw_pending_list(sp, &v, &n) == 0 && find(v, n, owner)) {
		free(v);
		return tw_err_set(e, TW_EXIT_REFUSED, "%s: a change waits for confirmation already: "
				  "`tapwire confirm %s` keeps it, `tapwire revert %s` takes it back",
				  owner, owner, owner);
	}
	free(v);
	struct tw_state *st;
	char err[600], applied[700];
	int r = tw_state_open(tw_default_rundir(), TW_STATE_PEEK, &st, err, sizeof(err));
	if (r < 0)
		return tw_err_set(e, TW_EXIT_REFUSED, "state: %s", err);
	bool known = tw_state_owner_known(st, owner);
	const char *src = tw_state_source(st, owner);
	tw_strscpy(p->source, src ? src : "", sizeof(p->source));
	tw_state_close(st);
	tw_strscpy(p->owner, owner, sizeof(p->owner));
	if (!known)
		return 0; /* nothing before: the revert releases it */
	if (tw_owner_file(sp, "applied", owner, ".xml", applied, sizeof(applied)) < 0 ||
	    tw_owner_file(sp, "prev", owner, ".xml", p->prev, sizeof(p->prev)) < 0)
		return tw_err_set(e, TW_EXIT_REFUSED, "%s: the run directory's path is too long", owner);
	if ((r = copy_file(applied, p->prev)) < 0)
		return tw_err_set(e, TW_EXIT_REFUSED, "%s: cannot keep what is applied now, to go back to "
				  "it (%s: %s); without --confirm and --probe, up does not need it",
				  owner, applied, strerror(-r));
	return 0;
}

/* The timer first, then the change: a guarded up that dies halfway (its
 * terminal gone, killed) is taken back all the same. With --probe alone,
 * the timer only stands for a run that never gets to its probe. */
static int arm(const struct tw_net *net, const struct tw_guard *g, struct tw_pending *p,
	       const char *sp, struct tw_err *e)
{
	char abs[PATH_MAX];
	tw_strscpy(p->file, realpath(g->file, abs) ? abs : g->file, sizeof(p->file));
	p->seconds = g->confirm ? g->confirm : PROBE_GRACE;
	p->deadline = (long long)time(NULL) + p->seconds;
	int r = tw_pending_write(sp, p);
	if (r == 0 && systemd_timer(p, g->netns) < 0) {
		long pid = spawn_timer(p->path, p->deadline);
		r = pid < 0 ? (int)pid : 0;
		p->pid = pid > 0 ? pid : 0;
	}
	if (r == 0)
		r = tw_pending_write(sp, p);
	if (r < 0) {
		stop_timer(p);
		unlink(p->path);
		return tw_err_set(e, TW_EXIT_REFUSED, "%s: cannot start the confirmation timer: %s; "
				  "nothing changed", net->owner, strerror(-r));
	}
	return 0;
}

/* No revert after all: the change failed (and undid itself), or proved. */
static void disarm(struct tw_pending *p)
{
	if (tw_pending_drop(p) == 0)
		stop_timer(p);
	if (p->prev[0])
		unlink(p->prev);
}

static int probe(const struct tw_net *net, const struct tw_guard *g, struct tw_pending *p,
		 const struct tw_cidr *addr, struct tw_err *e)
{
	int r = tw_ping(addr, PROBE_SECONDS * 1000);
	if (r == 1)
		return 0;
	const char *why = r < 0 ? strerror(-r) : "no answer";
	if (tw_pending_claim(p) < 0) /* the timer was faster */
		return tw_err_set(e, TW_EXIT_REFUSED, "%s: --probe %s: %s within %d s: reverted by its "
				  "timer", net->owner, g->probe, why, PROBE_SECONDS);
	stop_timer(p);
	int rc = revert(p);
	if (rc)
		tw_pending_unclaim(p);
	else
		unlink(p->path);
	return tw_err_set(e, TW_EXIT_REFUSED, "%s: --probe %s: %s within %d s: %s", net->owner, g->probe,
			  why, PROBE_SECONDS, rc ? "reverting failed too (see above); `tapwire revert` "
			  "tries again" : "reverted");
}

int tw_guarded_up(const struct tw_net *net, const struct tw_run_opts *o, const struct tw_guard *g,
		  struct tw_err *e)
{
	if (o->dry_run || !o->cmd || strcmp(o->cmd, "up"))
		return tw_up(net, o, e);
	char sp[600], applied[700];
	bool guarded = g->confirm || g->probe;
	struct tw_cidr addr;
	struct tw_pending p;
	memset(&p, 0, sizeof(p));
	if (state_path(sp, sizeof(sp)) < 0)
		return tw_err_set(e, TW_EXIT_REFUSED, "state: cannot tell this network namespace");
	if (g->probe && tw_ip_parse(g->probe, &addr) < 0)
		return tw_err_set(e, TW_EXIT_INPUT, "--probe %s: not an IPv4 or IPv6 address", g->probe);
	if (guarded && !strncmp(net->owner, "iface:", 6))
		return tw_err_set(e, TW_EXIT_INPUT, "%s: --confirm and --probe are for a <tw:net> or a "
				  "libvirt domain, not one <interface>", g->file);
	if (guarded && snapshot(sp, net->owner, &p, e) < 0)
		return -1;
	if (guarded && arm(net, g, &p, sp, e) < 0) {
		if (p.prev[0])
			unlink(p.prev);
		return -1;
	}
	/* The session this runs in may be the one the change cuts: its end
	 * must not stop the change halfway. */
	if (guarded)
		signal(SIGHUP, SIG_IGN);
	if (tw_up(net, o, e) < 0) {
		if (guarded)
			disarm(&p);
		return -1;
	}
	if (tw_owner_file(sp, "applied", net->owner, ".xml", applied, sizeof(applied)) < 0 ||
	    copy_file(g->file, applied) < 0)
		fprintf(stderr, "tapwire: %s: warning: no copy of %s kept: a later --confirm cannot go "
			"back to it\n", net->owner, g->file);
	if (g->probe && probe(net, g, &p, &addr, e) < 0)
		return -1;
	if (!g->confirm) {
		if (guarded)
			disarm(&p);
		return 0;
	}
	if (o->out) {
		time_t t = (time_t)p.deadline;
		struct tm tm;
		char when[32];
		strftime(when, sizeof(when), "%H:%M:%S UTC", gmtime_r(&t, &tm));
		fprintf(o->out, "%s: `tapwire confirm %s` within %u s keeps this; at %s it is reverted\n",
			net->owner, net->owner, g->confirm, when);
	}
	return 0;
}

/* ---- confirm, revert */

/* The pending change of owner, or the only one. An exit code. */
static int choose(const char *cmd, const char *owner, struct tw_pending *out)
{
	char sp[600];
	struct tw_pending *v;
	size_t n;
	if (geteuid() != 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "%s needs root (it reads %s and may change network "
				   "devices)", cmd, tw_default_rundir());
	if (state_path(sp, sizeof(sp)) < 0 || tw_pending_list(sp, &v, &n) < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "%s: cannot read %s", cmd, tw_default_rundir());
	const struct tw_pending *p = owner ? find(v, n, owner) : n == 1 ? v : NULL;
	int rc = 0;
	if (p) {
		*out = *p;
	} else if (owner || !n) {
		rc = tw_cli_fail(TW_EXIT_REFUSED, "%s: %s%s waits for confirmation", cmd,
				 owner ? owner : "nothing", owner ? ": nothing" : "");
	} else {
		char names[400] = "";
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(names);
			snprintf(names + l, sizeof(names) - l, "%s%s", i ? ", " : "", v[i].owner);
		}
		rc = tw_cli_fail(TW_EXIT_INPUT, "%s: %zu changes wait for confirmation (%s): name one",
				 cmd, n, names);
	}
	free(v);
	return rc;
}

/* "lab: confirmed: ...": the line, or the JSON document's summary. */
static void said(struct tw_report *rep, const char *owner, const char *what, const char *detail)
{
	char text[200];
	snprintf(text, sizeof(text), "%.64s: %.9s: %.120s", owner, what, detail);
	tw_report_owner(rep, owner);
	tw_report_summary(rep, text);
}

int tw_cli_confirm(const char *owner, struct tw_report *rep)
{
	struct tw_pending p;
	int rc = choose("confirm", owner, &p);
	if (rc)
		return rc;
	if (tw_pending_drop(&p) < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "confirm %s: too late, it is being reverted", p.owner);
	stop_timer(&p);
	if (p.prev[0])
		unlink(p.prev);
	char detail[TW_SOURCE_MAX + 8];
	snprintf(detail, sizeof(detail), "%s stays", p.file);
	said(rep, p.owner, "confirmed", detail);
	return 0;
}

int tw_cli_revert(const char *owner, struct tw_report *rep)
{
	struct tw_pending p;
	int rc = choose("revert", owner, &p);
	if (rc)
		return rc;
	if (tw_pending_claim(&p) < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "revert %s: it was confirmed, or is being reverted",
				   p.owner);
	stop_timer(&p);
	rc = revert(&p);
	if (rc)
		tw_pending_unclaim(&p); /* status still shows it; revert again */
	else
		unlink(p.path);
	if (rc)
		return tw_cli_fail(TW_EXIT_REFUSED, "revert %s: taking back %s failed (exit %d)", p.owner,
				   p.file, rc);
	said(rep, p.owner, "reverted", p.prev[0] ? "what was applied before is back" : "released");
	return 0;
}
