/* doctor: /dev/net/tun and /dev/vhost-net for the callers the helper's
 * policy allows. The helper opens /dev/net/tun with its own privileges,
 * but a tap tapwire makes for a user (attach --owner, <tw:tap owner=>) is
 * opened by QEMU running as that user: without read-write access to
 * /dev/net/tun that fails, so it is a problem. /dev/vhost-net only makes
 * virtio-net faster (QEMU falls back to userspace without it; vhost=on
 * then fails), so what concerns it is a note: absent (no vhost_net module,
 * as in some containers and small kernels) or not usable by a caller.
 *
 * Access is asked of the kernel, ACLs included: a child takes the ids of
 * each caller and opens the device (neither open makes anything: a tap
 * needs TUNSETIFF, a vhost worker VHOST_SET_OWNER). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/util.h"
#include "engine/doctor.h"

#define TUN "/dev/net/tun"
#define VHOST "/dev/vhost-net"
#define NOBODY 65534
#define MAX_GROUPS 256

struct who {
	char label[300]; /* "user alice", "group kvm", "everyone" */
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	int n_groups;
};

/* In the child: 1 when the kernel refuses to open path read-write. Only
 * a refusal counts: a node without its driver (ENODEV, ENXIO) is a matter
 * of the module, not of access. */
static int open_refused(void *path, int out)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	return fd < 0 && (errno == EACCES || errno == EPERM);
}

/* 1 when who may open path read-write, 0 when not, -1 when it cannot be
 * told (not root). */
static int can_open_rw(const char *path, const struct who *w)
{
	if (geteuid() != 0)
		return -1;
	struct tw_doctor_ids ids = { w->uid, w->gid, w->groups, (size_t)w->n_groups };
	int r = tw_doctor_as(&ids, open_refused, (void *)path, NULL, 0);
	return r == 0 || r == 1 ? !r : -1;
}

static void who_user(struct who *w, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);
	w->uid = uid;
	w->gid = pw ? pw->pw_gid : NOBODY;
	w->n_groups = MAX_GROUPS;
	if (!pw || getgrouplist(pw->pw_name, w->gid, w->groups, &w->n_groups) < 0)
		w->n_groups = 0;
	if (pw)
		snprintf(w->label, sizeof(w->label), "user %s", pw->pw_name);
	else
		snprintf(w->label, sizeof(w->label), "uid %u", (unsigned)uid);
}

int tw_user_can_open_rw(const char *path, uid_t uid)
{
	struct who w;
	who_user(&w, uid);
	return can_open_rw(path, &w);
}

static void who_group(struct who *w, gid_t gid)
{
	struct group *gr = getgrgid(gid);
	w->uid = NOBODY;
	w->gid = gid;
	w->groups[0] = gid;
	w->n_groups = 1;
	if (gr)
		snprintf(w->label, sizeof(w->label), "group %s", gr->gr_name);
	else
		snprintf(w->label, sizeof(w->label), "gid %u", (unsigned)gid);
}

static void who_everyone(struct who *w)
{
	memset(w, 0, sizeof(*w));
	w->uid = NOBODY;
	w->gid = NOBODY;
	snprintf(w->label, sizeof(w->label), "everyone");
}

static void mode_text(const struct stat *st, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char u[16], g[16];
	snprintf(u, sizeof(u), "%u", (unsigned)st->st_uid);
	snprintf(g, sizeof(g), "%u", (unsigned)st->st_gid);
	snprintf(buf, len, "mode %04o %s:%s", (unsigned)(st->st_mode & 07777),
		 pw ? pw->pw_name : u, gr ? gr->gr_name : g);
}

static void denied(struct tw_doctor *d, const char *dev, const struct stat *st,
		   const struct who *w)
{
	char what[TW_DOCTOR_TEXT], mode[128];
	mode_text(st, mode, sizeof(mode));
	snprintf(what, sizeof(what), "%s, whom the helper's policy allows, cannot open %s "
		 "read-write (%s)", w->label, dev, mode);
	if (!strcmp(dev, TUN))
		tw_doctor_add(d, false, what, "a tap tapwire makes for a user (attach --owner, "
			      "<tw:tap owner=>) is opened by QEMU running as that user",
			      "chmod 0666 " TUN " (the kernel's default; to keep it, a udev rule: "
			      "KERNEL==\"tun\", MODE=\"0666\")");
	else
		tw_doctor_add(d, true, what, "QEMU running as them uses virtio-net in userspace "
			      "(slower), and vhost=on fails",
			      "a udev rule: KERNEL==\"vhost-net\", GROUP=\"kvm\", MODE=\"0660\", "
			      "and the users in group kvm");
}

/* Each caller the policy allows, against dev. */
static void check_callers(struct tw_doctor *d, const char *dev, const struct stat *st)
{
	struct who w;
	size_t n = d->everyone ? 1 : d->n_users + d->n_groups;
	for (size_t i = 0; i < n; i++) {
		if (d->everyone)
			who_everyone(&w);
		else if (i < d->n_users)
			who_user(&w, d->users[i]);
		else
			who_group(&w, d->groups[i - d->n_users]);
		if (can_open_rw(dev, &w) == 0)
			denied(d, dev, st, &w);
	}
}

static void check_tun(struct tw_doctor *d)
{
	struct stat st;
	char what[TW_DOCTOR_TEXT];
	if (stat(TUN, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 10 ||
	    minor(st.st_rdev) != 200) {
		snprintf(what, sizeof(what), TUN " is %s", access(TUN, F_OK) ? "missing" :
			 "not the tun device (char 10:200)");
		tw_doctor_add(d, false, what, "neither the helper nor tapwire can make a tap",
			      "modprobe tun (and mknod " TUN " c 10 200, mode 0666, where udev "
			      "does not make it)");
		return;
	}
	check_callers(d, TUN, &st);
}

static void check_vhost(struct tw_doctor *d)
{
	struct stat st;
	if (stat(VHOST, &st) < 0 || !S_ISCHR(st.st_mode)) {
		tw_doctor_add(d, true, VHOST " is absent", "QEMU runs virtio-net in userspace "
			      "(slower), and vhost=on fails", "modprobe vhost_net (where the "
			      "kernel has it)");
		return;
	}
	check_callers(d, VHOST, &st);
}

void tw_doctor_devices(struct tw_doctor *d)
{
	if (geteuid() != 0 && (d->everyone || d->n_users || d->n_groups))
		tw_doctor_add(d, true, "who may open " TUN " and " VHOST " is not checked",
			      "only root can ask the kernel as another user",
			      "run tapwire doctor as root");
	check_tun(d);
	check_vhost(d);
}
