/* Whether a tap's owner can open /dev/net/tun. A persistent tap with an
 * owner is for QEMU running as that user (-netdev tap,ifname=TAP,script=no):
 * QEMU opens /dev/net/tun and asks for the tap by name (TUNSETIFF), and the
 * kernel checks the tap's owner only after the open. A host (or container)
 * whose node is 0600 lets tapwire make the tap and QEMU fail with "could not
 * open /dev/net/tun: Permission denied", which names no fix: say it here,
 * once, while the administrator is watching. */
#include "tun-access.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "engine/doctor.h"

/* A device (tap or tun) made for an owner, in the order of the file. */
struct owned {
	const char *kind, *name, *owner, *user_of; /* user_of: who opens it */
};

/* One warning per user: owners[0..i) holds the users looked at already. */
static bool seen(const char *const *owners, size_t i, const char *owner)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(owners[j], owner))
			return true;
	return false;
}

static void warn_one(const struct owned *d, const char *tun, const struct stat *st, FILE *err)
{
	uid_t uid;
	if (tw_lookup_uid(d->owner, &uid) < 0)
		return; /* the plan refuses an unknown user */
	if (tw_user_can_open_rw(tun, uid) != 0)
		return;
	fprintf(err, "tapwire: warning: %s %s: its owner %s (uid %ld) cannot open %s (mode %04o, "
		"uid %ld, gid %ld), so %s running as %s cannot use the %s; make %s mode 0666 "
		"(as udev makes it) or readable and writable by that user\n",
		d->kind, d->name[0] ? d->name : "(to be named)", d->owner, (long)uid, tun,
		(unsigned)(st->st_mode & 07777), (long)st->st_uid, (long)st->st_gid, d->user_of,
		d->owner, d->kind, tun);
}

void tw_cli_warn_tun(const struct tw_net *net, const char *tun, FILE *err)
{
	struct stat st;
	if (stat(tun, &st) < 0)
		return; /* making the device will fail, and say why */
	size_t n = net->n_taps + net->n_tuns, done = 0;
	const char **owners = calloc(n ? n : 1, sizeof(*owners));
	if (!owners)
		return;
	for (size_t i = 0; i < n; i++) {
		struct owned d;
		if (i < net->n_taps) {
			const struct tw_tap_spec *t = &net->taps[i];
			d = (struct owned){ "tap", t->name, t->owner, "QEMU" };
		} else {
			const struct tw_tun_spec *t = &net->tuns[i - net->n_taps];
			d = (struct owned){ "tun", t->name, t->owner, "a program" };
		}
		if (!d.owner[0] || seen(owners, done, d.owner))
			continue;
		owners[done++] = d.owner;
		warn_one(&d, tun, &st, err);
	}
	free(owners);
}
