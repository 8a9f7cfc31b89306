/* Placeholder until the policy module lands: denies everything. */
#include "policy.h"

#include <errno.h>
#include <stdio.h>

struct tw_policy {
	int unused;
};

int tw_policy_load(const char *path, struct tw_policy **out, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: policy support not built yet", path);
	return -ENOSYS;
}

int tw_policy_parse(const char *name, const char *text, size_t len, struct tw_policy **out,
		    char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: policy support not built yet", name);
	return -ENOSYS;
}

void tw_policy_free(struct tw_policy *p) { (void)p; }

bool tw_policy_allows(const struct tw_policy *p, const char *bridge, const struct tw_caller *c,
		      char *why, size_t whylen)
{
	snprintf(why, whylen, "no policy");
	return false;
}
