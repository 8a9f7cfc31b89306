/* doctor: the installed tapwire-bridge-helper can do its work only with
 * CAP_NET_ADMIN, from a setuid-root bit or file capabilities, and only
 * when nobody but root can replace it. */
#include <endian.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/doctor.h"

#define TUN "/dev/net/tun"
#define NOBODY 65534

/* The file capabilities of path: permitted set in *caps when they are
 * raised at exec (the effective flag); false when it has none. */
static bool file_caps(const char *path, uint64_t *caps)
{
	struct vfs_ns_cap_data c;
	memset(&c, 0, sizeof(c));
	ssize_t n = getxattr(path, "security.capability", &c, sizeof(c));
	if (n < (ssize_t)XATTR_CAPS_SZ_1)
		return false;
	uint32_t magic = le32toh(c.magic_etc);
	if (!(magic & VFS_CAP_FLAGS_EFFECTIVE))
		return false;
	*caps = le32toh(c.data[0].permitted);
	if ((magic & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_1 && n >= (ssize_t)XATTR_CAPS_SZ_2)
		*caps |= (uint64_t)le32toh(c.data[1].permitted) << 32;
	return true;
}

static bool has_cap(uint64_t caps, int cap)
{
	return caps & ((uint64_t)1 << cap);
}

static void unprivileged(struct tw_doctor *d, const char *path)
{
	char what[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	snprintf(what, sizeof(what), "%s is neither setuid root nor cap_net_admin+ep", path);
	snprintf(fix, sizeof(fix), "chown root:root %s && chmod 4755 %s (or setcap "
		 "cap_net_admin,cap_dac_override+ep %s)", path, path, path);
	tw_doctor_add(d, false, what, "without CAP_NET_ADMIN it can neither create a tap nor "
		      "put it on a bridge, so every QEMU that calls it fails", fix);
}

/* With file capabilities, opening a /dev/net/tun that others may not
 * write needs CAP_DAC_OVERRIDE too (the helper drops it right after). */
static void caps_need_dac(struct tw_doctor *d, const char *path, uint64_t caps)
{
	struct stat st;
	if (has_cap(caps, CAP_DAC_OVERRIDE) || stat(TUN, &st) < 0 || (st.st_mode & 0006) == 0006)
		return;
	char what[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	snprintf(what, sizeof(what), "%s has cap_net_admin but not cap_dac_override, and " TUN
		 " is mode %04o", path, (unsigned)(st.st_mode & 07777));
	snprintf(fix, sizeof(fix), "setcap cap_net_admin,cap_dac_override+ep %s", path);
	tw_doctor_add(d, false, what, "the helper, running as its caller, cannot open " TUN, fix);
}

void tw_doctor_helper(struct tw_doctor *d)
{
	const char *path = tw_doctor_path("TAPWIRE_BRIDGE_HELPER", TW_HELPER_PATH);
	char what[TW_DOCTOR_TEXT], why[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	struct stat st;
	int r = stat(path, &st) < 0 ? -errno : 0;
	if (r < 0 || !S_ISREG(st.st_mode)) {
		snprintf(what, sizeof(what), "%s: %s", path, r == -ENOENT ?
			 "tapwire-bridge-helper is not installed" : r < 0 ? strerror(-r) :
			 "not a regular file");
		tw_doctor_add(d, false, what, "QEMU's helper=... and libvirt's bridge_helper name "
			      "it", "install tapwire as root (make install, or the package)");
		return;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(what, sizeof(what), "%s is %s", path, st.st_uid ? "not owned by root" :
			 "writable by group or others");
		snprintf(why, sizeof(why), "owner uid %u, mode %04o: whoever may change it runs "
			 "code with CAP_NET_ADMIN", (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		snprintf(fix, sizeof(fix), "chown root:root %s && chmod go-w %s", path, path);
		tw_doctor_add(d, false, what, why, fix);
		if (st.st_uid != 0)
			return;
	}
	uint64_t caps = 0;
	bool suid = st.st_mode & S_ISUID, fcaps = file_caps(path, &caps);
	if (!suid && !(fcaps && has_cap(caps, CAP_NET_ADMIN))) {
		unprivileged(d, path);
		return;
	}
	struct statvfs vfs;
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		snprintf(what, sizeof(what), "%s is on a filesystem mounted nosuid", path);
		tw_doctor_add(d, false, what, "the kernel ignores its setuid bit and file "
			      "capabilities there", "install it on a filesystem mounted without nosuid");
		return;
	}
	if (!suid)
		caps_need_dac(d, path, caps);
}

/* In the child: the helper's --help on out, with an empty environment;
 * killed after 5 s whatever the binary does. */
static int run_help(void *path, int out)
{
	char *argv[] = { path, (char *)"--help", NULL }, *envp[] = { NULL };
	if (dup2(out, STDOUT_FILENO) < 0)
		return 127;
	alarm(5);
	execve(path, argv, envp);
	return 127;
}

int tw_doctor_helper_policy(char *policy, size_t len)
{
	const char *path = tw_doctor_path("TAPWIRE_BRIDGE_HELPER", TW_HELPER_PATH);
	char help[4096];
	/* As nobody, as any user could run it. */
	struct tw_doctor_ids nobody = { NOBODY, NOBODY, NULL, 0 };
	if (access(path, X_OK) < 0 || tw_doctor_as(&nobody, run_help, (void *)path, help,
						   sizeof(help)) != 0)
		return -ENOENT;
	/* "Policy: PATH (see ...)." on a line of its own. */
	const char *p = help;
	if (strncmp(p, "Policy: ", 8)) {
		p = strstr(help, "\nPolicy: ");
		if (!p)
			return -ENOENT;
		p++;
	}
	p += 8;
	size_t n = strcspn(p, " \n");
	if (!n || n >= len)
		return -ENOENT;
	memcpy(policy, p, n);
	policy[n] = 0;
	return 0;
}
