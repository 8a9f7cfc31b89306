/* Whether a tap's owner can open /dev/net/tun. A persistent tap with an
 * owner is for QEMU running as that user (-netdev tap,ifname=TAP,script=no):
 * QEMU opens /dev/net/tun and asks for the tap by name (TUNSETIFF), and the
 * kernel checks the tap's owner only after the open. A host (or container)
 * whose node is 0600 lets tapwire make the tap and QEMU fail with "could not
 * open /dev/net/tun: Permission denied", which names no fix: say it here,
 * once, while the administrator is watching. */
#include "tun-access.h"

#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"

/* The ids a user's process runs with: its uid, primary group and the
 * supplementary groups of its passwd entry (none without one). */
struct ids {
	uid_t uid;
	gid_t gid;
	bool has_gid;
	gid_t groups[64];
	int n_groups;
};

static void user_ids(uid_t uid, struct ids *u)
{
	memset(u, 0, sizeof(*u));
	u->uid = uid;
	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return;
	u->gid = pw->pw_gid;
	u->has_gid = true;
	int n = (int)(sizeof(u->groups) / sizeof(u->groups[0]));
	/* More groups than fit: those that fit decide (at worst a warning
	 * too many, never one missed for a group that is listed). */
	getgrouplist(pw->pw_name, pw->pw_gid, u->groups, &n);
	u->n_groups = n < 0 ? 0 : n > 64 ? 64 : n;
}

static bool in_group(const struct ids *u, gid_t g)
{
	if (u->has_gid && u->gid == g)
		return true;
	for (int i = 0; i < u->n_groups; i++)
		if (u->groups[i] == g)
			return true;
	return false;
}

/* Read and write for u, by the mode bits alone (as the kernel decides for
 * a process without CAP_DAC_OVERRIDE; ACLs are not looked at). */
static bool can_rw(const struct stat *st, const struct ids *u)
{
	if (u->uid == 0)
		return true;
	if (st->st_uid == u->uid)
		return (st->st_mode & 0600) == 0600;
	if (in_group(u, st->st_gid))
		return (st->st_mode & 060) == 060;
	return (st->st_mode & 06) == 06;
}

/* An earlier tap of net has the same owner: that user was looked at. */
static bool seen_owner(const struct tw_net *net, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(net->taps[j].owner, net->taps[i].owner))
			return true;
	return false;
}

void tw_cli_warn_tun(const struct tw_net *net, const char *tun, FILE *err)
{
	struct stat st;
	if (stat(tun, &st) < 0)
		return; /* making the tap will fail, and say why */
	for (size_t i = 0; i < net->n_taps; i++) {
		const struct tw_tap_spec *t = &net->taps[i];
		uid_t uid;
		if (!t->owner[0] || seen_owner(net, i))
			continue;
		if (tw_lookup_uid(t->owner, &uid) < 0)
			continue; /* the plan refuses an unknown user */
		struct ids u;
		user_ids(uid, &u);
		if (can_rw(&st, &u))
			continue;
		fprintf(err, "tapwire: warning: tap %s: its owner %s (uid %ld) cannot open %s (mode %04o, "
			"uid %ld, gid %ld), so QEMU running as %s cannot use the tap; make %s mode 0666 "
			"(as udev makes it) or readable and writable by that user\n",
			t->name[0] ? t->name : "(to be named)", t->owner, (long)uid, tun,
			(unsigned)(st.st_mode & 07777), (long)st.st_uid, (long)st.st_gid, t->owner, tun);
	}
}
