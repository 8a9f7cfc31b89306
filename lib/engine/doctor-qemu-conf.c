/* doctor: which bridge helper libvirt calls. Only session libvirt
 * (qemu:///session, running as the user) calls a bridge helper, and it reads
 * ~/.config/libvirt/qemu.conf, never /etc/libvirt/qemu.conf: without
 * bridge_helper there it silently runs qemu-bridge-helper, whose own policy
 * (/etc/qemu/bridge.conf) then says "access denied by acl file". System
 * libvirt makes its taps itself, as root. A user counts as a session
 * libvirt user when ~/.config/libvirt exists. A policy that cannot be read
 * is the policy check's problem, not repeated here for each user. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

struct conf_get {
	const char *path, *key;
};

/* In the child: tw_libvirt_conf_get's return, then the value, on out. */
static int conf_get(void *arg, int out)
{
	const struct conf_get *c = arg;
	char val[256];
	int r = tw_libvirt_conf_get(c->path, c->key, val, sizeof(val));
	if (write(out, &r, sizeof(r)) != sizeof(r) ||
	    (r == 0 && write(out, val, strlen(val)) < 0))
		return 1;
	return 0;
}

/* tw_libvirt_conf_get on a file of user pw's, read as pw: root never
 * opens what a user's symlink points at (a device that acts on open). */
static int user_conf_get(const struct passwd *pw, const char *path, const char *key, char *val,
			 size_t len)
{
	struct tw_doctor_ids ids = { pw->pw_uid, pw->pw_gid, NULL, 0 };
	struct conf_get c = { path, key };
	char buf[sizeof(int) + 256];
	int r;
	if (tw_doctor_as(&ids, conf_get, &c, buf, sizeof(buf)) != 0)
		return -EIO;
	memcpy(&r, buf, sizeof(r));
	if (r == 0 && !tw_strscpy(val, buf + sizeof(r), len))
		return -EINVAL;
	return r;
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
