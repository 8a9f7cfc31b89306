/* doctor: the helper's policy, read by the helper's own parser
 * (helper/policy.c, linked into tapwire as it is): the same file, the same
 * trust checks on it and every directory on its path, the same verdict. It
 * lives in cli/ because lib/ may not reach into helper/. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "policy.h"

static void allowed(void *arg, bool everyone, bool group, id_t id)
{
	tw_doctor_allow(arg, everyone, group, id);
}

static const char *fix_for(int r, const char *path, char *buf, size_t len)
{
	if (r == -ENOENT)
		snprintf(buf, len, "create %s (owner root, mode 0644) with 'allow BRIDGE "
			 "[user:U] [group:G]' lines", path);
	else if (r == -EPERM || r == -EACCES)
		snprintf(buf, len, "chown root:root and chmod go-w the file and every directory "
			 "on the way to it");
	else
		snprintf(buf, len, "correct that line (see tapwire-bridge-helper(8))");
	return buf;
}

/* The file the installed helper reads: the one its --help names, which a
 * helper built with another sysconfdir has elsewhere. */
static const char *helper_reads(struct tw_doctor *d, char *buf, size_t len)
{
	char what[TW_DOCTOR_TEXT];
	if (tw_doctor_helper_policy(buf, len) < 0 || !strcmp(buf, TW_HELPER_POLICY))
		return TW_HELPER_POLICY;
	snprintf(what, sizeof(what), "the installed helper reads the policy %s, not "
		 TW_HELPER_POLICY, buf);
	tw_doctor_add(d, true, what, "it was built with another sysconfdir than this tapwire; "
		      "doctor checks the file it reads", "");
	return buf;
}

void tw_cli_doctor_policy(struct tw_doctor *d)
{
	char reads[512], what[TW_DOCTOR_TEXT], why[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	const char *dflt = helper_reads(d, reads, sizeof(reads));
	const char *path = tw_doctor_path("TAPWIRE_BRIDGE_CONF", dflt);
	if (strcmp(path, dflt)) {
		snprintf(what, sizeof(what), "reading the policy %s (TAPWIRE_BRIDGE_CONF)", path);
		snprintf(why, sizeof(why), "the installed helper runs privileged, ignores "
			 "TAPWIRE_BRIDGE_CONF and reads %s", dflt);
		tw_doctor_add(d, true, what, why, "");
	}
	struct tw_policy *p = NULL;
	char err[TW_DOCTOR_TEXT];
	int r = tw_policy_load(path, &p, err, sizeof(err));
	if (r < 0) {
		tw_doctor_add(d, false, err, "the helper reads nothing else and denies every call "
			      "(it fails closed)", fix_for(r, path, fix, sizeof(fix)));
		return;
	}
	d->policy_read = true;
	tw_policy_each_allowed(p, allowed, d);
	tw_policy_free(p);
	if (d->everyone || d->n_users || d->n_groups)
		return;
	snprintf(what, sizeof(what), "%s allows no bridge to anyone", path);
	tw_doctor_add(d, true, what, "tapwire-bridge-helper refuses every call (QEMU then says "
		      "the helper failed)", "add 'allow BRIDGE [user:U] [group:G]' lines");
}
