/* doctor: which bridge helper libvirt calls. Only session libvirt
 * (qemu:///session, running as the user) calls a bridge helper, and it reads
 * ~/.config/libvirt/qemu.conf, never /etc/libvirt/qemu.conf: without
 * bridge_helper there it silently runs qemu-bridge-helper, whose own policy
 * (/etc/qemu/bridge.conf) then says "access denied by acl file". System
 * libvirt makes its taps itself, as root. A user counts as a session
 * libvirt user when ~/.config/libvirt exists. A policy that cannot be read
 * is the policy check's problem, not repeated here for each user. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/libvirt-conf.h"
#include "core/util.h"
#include "engine/doctor.h"

#define MAX_GROUPS 256

static bool is_tapwire_helper(const char *val, const char *helper)
{
	const char *base = strrchr(val, '/');
	return !strcmp(val, helper) || !strcmp(base ? base + 1 : val, "tapwire-bridge-helper");
}

static bool policy_allows(const struct tw_doctor *d, const struct passwd *pw)
{
	if (d->everyone)
		return true;
	for (size_t i = 0; i < d->n_users; i++)
		if (d->users[i] == pw->pw_uid)
			return true;
	gid_t groups[MAX_GROUPS];
	int n = MAX_GROUPS;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		n = 0;
	for (size_t i = 0; i < d->n_groups; i++)
		for (int k = 0; k < n; k++)
			if (d->groups[i] == groups[k])
				return true;
	return false;
}

static void system_conf(struct tw_doctor *d, const char *helper)
{
	const char *sys = tw_doctor_path("TAPWIRE_QEMU_CONF", TW_LIBVIRT_SYSCONF "/qemu.conf");
	char val[256], what[TW_DOCTOR_TEXT];
	if (tw_libvirt_conf_get(sys, "bridge_helper", val, sizeof(val)) < 0 ||
	    !is_tapwire_helper(val, helper))
		return;
	snprintf(what, sizeof(what), "%s sets bridge_helper = \"%s\", which system libvirt never "
		 "uses", sys, val);
	tw_doctor_add(d, true, what, "system libvirt makes taps itself; session libvirt calls "
		      "the helper and reads ~/.config/libvirt/qemu.conf only",
		      "set bridge_helper in the qemu.conf of each session libvirt user");
}

/* tw_libvirt_conf_get on a file of user pw's, read as pw: root never
 * opens what a user's symlink points at (a device that acts on open). */
static int user_conf_get(const struct passwd *pw, const char *path, const char *key, char *val,
			 size_t len)
{
	if (geteuid() != 0)
		return tw_libvirt_conf_get(path, key, val, len);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		int r = setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
			setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0 ? -EPERM :
			tw_libvirt_conf_get(path, key, val, len);
		if (write(p[1], &r, sizeof(r)) != sizeof(r) || (r == 0 && write(p[1], val, len) < 0))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	int r = -EIO;
	if (pid > 0 && read(p[0], &r, sizeof(r)) != sizeof(r))
		r = -EIO;
	if (r == 0 && read(p[0], val, len) <= 0)
		r = -EIO;
	val[len - 1] = 0;
	close(p[0]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return pid < 0 ? -EAGAIN : r;
}

/* What user pw's session libvirt would call. */
static void session_conf(struct tw_doctor *d, const struct passwd *pw, const char *helper,
			 const char *policy)
{
	char conf[400], val[256], what[TW_DOCTOR_TEXT], why[TW_DOCTOR_TEXT];
	char fix[TW_DOCTOR_TEXT];
	struct stat st;
	snprintf(conf, sizeof(conf), "%s/.config/libvirt", pw->pw_dir);
	if (!pw->pw_dir[0] || stat(conf, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	snprintf(conf, sizeof(conf), "%s/.config/libvirt/qemu.conf", pw->pw_dir);
	int r = user_conf_get(pw, conf, "bridge_helper", val, sizeof(val));
	if (r == -EACCES && geteuid() != 0)
		return; /* another user's file: only root can tell */
	bool allowed = policy_allows(d, pw);
	if (r < 0 && allowed) {
		snprintf(what, sizeof(what), "session libvirt of user %s runs qemu-bridge-helper, "
			 "not tapwire-bridge-helper", pw->pw_name);
		snprintf(why, sizeof(why), "%s %s (session libvirt never reads "
			 TW_LIBVIRT_SYSCONF "/qemu.conf)", conf,
			 r == -ENOENT ? "sets no bridge_helper" : "cannot be read");
		snprintf(fix, sizeof(fix), "add bridge_helper = \"%s\" to %s", helper, conf);
		tw_doctor_add(d, false, what, why, fix);
	} else if (r == 0 && is_tapwire_helper(val, helper) && !allowed && d->policy_read) {
		snprintf(what, sizeof(what), "session libvirt of user %s calls %s, but its policy "
			 "allows %s no bridge", pw->pw_name, val, pw->pw_name);
		snprintf(fix, sizeof(fix), "add 'allow BRIDGE user:%s' to %s", pw->pw_name, policy);
		tw_doctor_add(d, false, what, "every domain start with an <interface type='bridge'> "
			      "fails: the helper denies the call", fix);
	} else if (r == 0 && is_tapwire_helper(val, helper) && access(val, X_OK) < 0) {
		snprintf(what, sizeof(what), "%s: bridge_helper = \"%s\" is not an executable file",
			 conf, val);
		snprintf(fix, sizeof(fix), "bridge_helper = \"%s\"", helper);
		tw_doctor_add(d, false, what, "session libvirt cannot start a domain with an "
			      "<interface type='bridge'>", fix);
	}
}

void tw_doctor_qemu_conf(struct tw_doctor *d)
{
	const char *helper = tw_doctor_path("TAPWIRE_BRIDGE_HELPER", TW_HELPER_PATH);
	const char *policy = tw_doctor_path("TAPWIRE_BRIDGE_CONF", TW_HELPER_POLICY);
	system_conf(d, helper);
	setpwent();
	for (struct passwd *pw; (pw = getpwent());)
		session_conf(d, pw, helper, policy);
	endpwent();
}
