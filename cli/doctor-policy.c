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

void tw_cli_doctor_policy(struct tw_doctor *d)
{
	const char *path = tw_doctor_path("TAPWIRE_BRIDGE_CONF", TW_HELPER_POLICY);
	char what[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	if (strcmp(path, TW_HELPER_POLICY)) {
		snprintf(what, sizeof(what), "reading the policy %s (TAPWIRE_BRIDGE_CONF)", path);
		tw_doctor_add(d, true, what, "the installed helper runs privileged, ignores "
			      "TAPWIRE_BRIDGE_CONF and reads " TW_HELPER_POLICY, "");
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
