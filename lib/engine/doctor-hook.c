/* doctor: the hook where libvirt runs it, and a libvirt daemon that has
 * seen it. libvirt runs every executable regular file in
 * /etc/libvirt/hooks/qemu.d/ (libvirt's own sysconfdir, whatever tapwire
 * was configured with), but it looks for hooks only when the daemon starts:
 * a daemon that started with no qemu hook at all (no hooks/qemu, no
 * executable in qemu.d) runs none until it is restarted. The install time
 * is a file's ctime: dpkg and `install -p` keep an old mtime. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "engine/doctor.h"

#define INSTALLED SYSCONFDIR "/libvirt/hooks/qemu.d/tapwire"

static double ctime_of(const struct stat *st)
{
	return (double)st->st_ctim.tv_sec + (double)st->st_ctim.tv_nsec / 1e9;
}

/* When process pid started, in seconds since the epoch; < 0 when unknown.
 * /proc/PID/stat counts clock ticks since boot (CLOCK_BOOTTIME). */
static double started_at(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tw_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *p = strrchr(buf, ')');
	unsigned long long ticks = 0;
	/* After "pid (comm)": state, then starttime is the 20th field. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu", &ticks) != 1)
		return -1;
	struct timespec boot, real;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	double since_boot = (double)ticks / (double)sysconf(_SC_CLK_TCK);
	double now_boot = (double)boot.tv_sec + (double)boot.tv_nsec / 1e9;
	return (double)real.tv_sec + (double)real.tv_nsec / 1e9 - (now_boot - since_boot);
}

/* The first system libvirt daemon that runs QEMU domains (root's libvirtd
 * or virtqemud): its pid and name, 0 when none runs. */
static pid_t libvirt_daemon(char *name, size_t len)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	while (dir && !found && (e = readdir(dir))) {
		unsigned long pid;
		char path[300], comm[32];
		struct stat st;
		if (tw_parse_uint(e->d_name, 1, INT32_MAX, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%lu/comm", pid);
		if (tw_read_small(path, comm, sizeof(comm)) <= 0 || stat(path, &st) < 0 || st.st_uid)
			continue;
		if (!strcmp(comm, "libvirtd") || !strcmp(comm, "virtqemud")) {
			found = (pid_t)pid;
			tw_strscpy(name, comm, len);
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

static bool is_hook(const struct stat *st)
{
	return S_ISREG(st->st_mode) && (st->st_mode & 0111);
}

/* Whether the daemon found a qemu hook when it started at t. */
static bool saw_a_hook(const char *hooks, double t)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/qemu", hooks);
	if (stat(path, &st) == 0 && is_hook(&st) && ctime_of(&st) < t)
		return true;
	snprintf(path, sizeof(path), "%s/qemu.d", hooks);
	DIR *dir = opendir(path);
	struct dirent *e;
	bool seen = false;
	while (dir && !seen && (e = readdir(dir))) {
		snprintf(path, sizeof(path), "%s/qemu.d/%s", hooks, e->d_name);
		seen = e->d_name[0] != '.' && stat(path, &st) == 0 && is_hook(&st) &&
		       ctime_of(&st) < t;
	}
	if (dir)
		closedir(dir);
	return seen;
}

static void check_restart(struct tw_doctor *d, const char *hooks, const char *hook,
			  const struct stat *st)
{
	char name[32], what[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	pid_t pid = libvirt_daemon(name, sizeof(name));
	double t = pid ? started_at(pid) : -1;
	/* The start time is known to a clock tick (10 ms) and the boot time
	 * it counts from drifts against the wall clock: half a second of
	 * doubt goes to "it saw the hook". */
	if (t < 0 || ctime_of(st) < t + 0.5 || saw_a_hook(hooks, t))
		return;
	snprintf(what, sizeof(what), "%s (pid %d) started before %s was installed", name,
		 (int)pid, hook);
	snprintf(fix, sizeof(fix), "systemctl restart %s", name);
	tw_doctor_add(d, false, what, "libvirt looks for hooks only when it starts, and it found "
		      "none: it runs no qemu hook until it is restarted", fix);
}

static void missing(struct tw_doctor *d, const char *hooks, const char *hook)
{
	char what[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	struct stat st;
	if (strcmp(INSTALLED, hook) && stat(INSTALLED, &st) == 0) {
		snprintf(what, sizeof(what), "the hook is installed as " INSTALLED ", but libvirt "
			 "runs the executables in %s/qemu.d", hooks);
		snprintf(fix, sizeof(fix), "ln -s " INSTALLED " %s (or configure tapwire with "
			 "--sysconfdir=/etc)", hook);
	} else {
		snprintf(what, sizeof(what), "%s is missing", hook);
		if (strcmp(INSTALLED, hook))
			snprintf(fix, sizeof(fix), "install tapwire configured with --sysconfdir=/etc "
				 "(this build puts the hook in " INSTALLED ")");
		else
			snprintf(fix, sizeof(fix), "install tapwire as root");
	}
	tw_doctor_add(d, false, what, "libvirt never calls tapwire: a domain's <tw:net> is not "
		      "made when it starts, nor released when it stops", fix);
}

void tw_doctor_hook(struct tw_doctor *d)
{
	const char *hooks = tw_doctor_path("TAPWIRE_LIBVIRT_HOOKS", TW_LIBVIRT_SYSCONF "/hooks");
	char hook[400], parent[400], what[TW_DOCTOR_TEXT], why[TW_DOCTOR_TEXT];
	char fix[TW_DOCTOR_TEXT];
	struct stat st;
	/* libvirt's own configuration directory, where hooks/ is. */
	tw_strscpy(parent, hooks, sizeof(parent));
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(what, sizeof(what), "libvirt is not configured here (no %s): the hook is "
			 "not checked", parent);
		tw_doctor_add(d, true, what, "", "");
		return;
	}
	snprintf(hook, sizeof(hook), "%s/qemu.d/tapwire", hooks);
	if (stat(hook, &st) < 0) {
		missing(d, hooks, hook);
		return;
	}
	if (!is_hook(&st) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(what, sizeof(what), "%s is %s", hook, !is_hook(&st) ?
			 "not an executable regular file" : st.st_uid ? "not owned by root" :
			 "writable by group or others");
		snprintf(why, sizeof(why), "mode %04o, owner uid %u: libvirt runs it as root only "
			 "when it is executable, and whoever may change it runs code as root",
			 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		snprintf(fix, sizeof(fix), "chown root:root %s && chmod 0755 %s", hook, hook);
		tw_doctor_add(d, false, what, why, fix);
		return;
	}
	check_restart(d, hooks, hook, &st);
}
