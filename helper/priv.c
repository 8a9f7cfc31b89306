#include "priv.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

bool tw_priv_secure(void)
{
	return getauxval(AT_SECURE) != 0;
}

static int close_range_sys(unsigned first, unsigned last)
{
	return (int)syscall(SYS_close_range, first, last, 0);
}

int tw_priv_close_fds(int keep)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			/* A closed standard stream would be reused by our next
			 * open(), and an error message would go into the tap. */
			int n = open("/dev/null", O_RDWR);
			if (n < 0)
				return -errno;
			if (n != fd)
				return -EBADF;
		}
	}
	int r;
	if (keep > 2) {
		r = keep > 3 ? close_range_sys(3, (unsigned)keep - 1) : 0;
		if (r == 0)
			r = close_range_sys((unsigned)keep + 1, ~0U);
	} else {
		r = close_range_sys(3, ~0U);
	}
	return r < 0 ? -errno : 0;
}

int tw_priv_read_caller(struct tw_caller_ids *c)
{
	c->uid = getuid();
	c->gid = getgid();
	int n = getgroups(TW_MAX_GROUPS, c->groups);
	if (n < 0)
		return -errno;
	c->n_groups = (size_t)n;
	return 0;
}

static bool only_net_admin(void)
{
	for (unsigned cap = 0; cap <= CAP_LAST_CAP; cap++) {
		bool want = cap == CAP_NET_ADMIN;
		if (capng_have_capability(CAPNG_EFFECTIVE, cap) != want ||
		    capng_have_capability(CAPNG_PERMITTED, cap) != want ||
		    capng_have_capability(CAPNG_INHERITABLE, cap))
			return false;
	}
	return true;
}

int tw_priv_drop(const struct tw_caller_ids *c, char *err, size_t errlen)
{
	capng_get_caps_process();
	bool can_setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	bool is_root = geteuid() == 0;
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		snprintf(err, errlen, "no CAP_NET_ADMIN: tapwire-bridge-helper must be installed "
				      "setuid root or with file capabilities");
		return -EPERM;
	}

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0) {
		snprintf(err, errlen, "cannot prepare the capability set");
		return -EPERM;
	}
	int r;
	if (is_root) {
		/* setuid root: become the caller, keeping CAP_NET_ADMIN across the
		 * uid change; its supplementary groups are already ours. */
		r = capng_change_id((int)c->uid, (int)c->gid, CAPNG_CLEAR_BOUNDING);
	} else {
		/* File capabilities: we already are the caller; only narrow the
		 * capability sets (CAP_DAC_OVERRIDE, used to open /dev/net/tun,
		 * goes here). The bounding set needs CAP_SETPCAP to change. */
		r = capng_apply(can_setpcap ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS);
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot drop privileges (libcap-ng error %d)", r);
		return -EPERM;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no-new-privs: %s", strerror(errno));
		return -errno;
	}

	/* Trust nothing: read back what the kernel now says we are. */
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	capng_get_caps_process();
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != c->uid ||
	    eu != c->uid || su != c->uid || rg != c->gid || eg != c->gid || sg != c->gid ||
	    !only_net_admin()) {
		snprintf(err, errlen, "privileges were not dropped as expected; refusing to go on");
		return -EPERM;
	}
	return 0;
}
