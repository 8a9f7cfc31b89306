#include "priv.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

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
	c->groups = NULL;
	c->n_groups = 0;
	/* Sized by the kernel: users of directory services often have more
	 * groups than any fixed array would hold. */
	int n = getgroups(0, NULL);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	c->groups = calloc((size_t)n, sizeof(*c->groups));
	if (!c->groups)
		return -ENOMEM;
	n = getgroups(n, c->groups);
	if (n < 0)
		return -errno;
	c->n_groups = (size_t)n;
	return 0;
}

void tw_priv_harden(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	static const struct {
		int resource;
		rlim_t min;
	} need[] = {
		{ RLIMIT_FSIZE, RLIM_INFINITY },
		{ RLIMIT_CPU, RLIM_INFINITY },
		{ RLIMIT_NOFILE, 64 },
		{ RLIMIT_STACK, 1 << 20 },
		{ RLIMIT_DATA, RLIM_INFINITY },
		{ RLIMIT_AS, RLIM_INFINITY },
	};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		struct rlimit l;
		if (getrlimit(need[i].resource, &l) < 0 || l.rlim_cur >= need[i].min)
			continue;
		struct rlimit want = { need[i].min, l.rlim_max > need[i].min ? l.rlim_max : need[i].min };
		/* Raising the hard limit takes CAP_SYS_RESOURCE (setuid root has
		 * it, file capabilities do not): then go as high as it allows. */
		if (setrlimit(need[i].resource, &want) < 0) {
			want.rlim_cur = want.rlim_max = l.rlim_max;
			setrlimit(need[i].resource, &want);
		}
	}
}

/* The sanitizers' runtime does not follow a switch of stacks; their
 * builds are not tested with a tiny stack. */
#ifndef TW_SANITIZERS
static struct {
	int (*fn)(int, char **);
	int argc;
	char **argv;
} run_args;

static void run_trampoline(void)
{
	exit(run_args.fn(run_args.argc, run_args.argv));
}
#endif

void tw_priv_run(int (*fn)(int, char **), int argc, char **argv)
{
#ifndef TW_SANITIZERS
	struct rlimit l;
	if (getrlimit(RLIMIT_STACK, &l) == 0 && l.rlim_cur < TW_PRIV_STACK) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE), len = TW_PRIV_STACK + page;
		char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		static ucontext_t caller_ctx, own_ctx;
		/* The lowest page stays inaccessible: an overflow faults there
		 * instead of running into whatever lies below. */
		if (mem != MAP_FAILED && mprotect(mem, page, PROT_NONE) == 0 &&
		    getcontext(&own_ctx) == 0) {
			run_args.fn = fn;
			run_args.argc = argc;
			run_args.argv = argv;
			own_ctx.uc_stack.ss_sp = mem + page;
			own_ctx.uc_stack.ss_size = TW_PRIV_STACK;
			own_ctx.uc_link = NULL;
			makecontext(&own_ctx, run_trampoline, 0);
			swapcontext(&caller_ctx, &own_ctx);
		}
		/* No memory for a stack: go on with the caller's, and fail
		 * like any other resource shortage if it is too small. */
	}
#endif
	exit(fn(argc, argv));
}

/* capget(2) straight from the kernel: libcap-ng's reader parses
 * /proc/self/status, which costs more than the whole netlink exchange. */
static int read_caps(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d)); /* valgrind believes capget fills only d[0] */
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	*inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static bool only_net_admin(bool bounding_cleared)
{
	const uint64_t want = 1ULL << CAP_NET_ADMIN;
	uint64_t eff, prm, inh;
	if (read_caps(&eff, &prm, &inh) < 0 || eff != want || prm != want || inh != 0)
		return false;
	for (int cap = 0; bounding_cleared && cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0)
			return false;
	return true;
}

int tw_priv_drop(const struct tw_caller_ids *c, char *err, size_t errlen)
{
	uint64_t eff, prm, inh;
	if (read_caps(&eff, &prm, &inh) < 0 || !(prm & (1ULL << CAP_NET_ADMIN))) {
		snprintf(err, errlen, "no CAP_NET_ADMIN: tapwire-bridge-helper must be installed "
				      "setuid root or with file capabilities");
		return -EPERM;
	}
	bool can_setpcap = eff & (1ULL << CAP_SETPCAP);

	/* No exec is ever made, and no-new-privs below makes the bounding set
	 * moot for one; clear it anyway so nothing is left to reason about. */
	for (int cap = 0; can_setpcap && cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			snprintf(err, errlen, "cannot clear the capability bounding set: %s",
				 strerror(errno));
			return -errno;
		}
	/* Become the caller. KEEPCAPS carries the permitted set across the uid
	 * change (libcap-ng's capng_change_id does the same, but reads
	 * /proc/self/status three times to do it: a tenth of the whole call).
	 * Its supplementary groups are already ours. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
	    setresuid(c->uid, c->uid, c->uid) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot change to uid %ld gid %ld: %s", (long)c->uid,
			 (long)c->gid, strerror(errno));
		return -EPERM;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0 ||
	    capng_apply(CAPNG_SELECT_CAPS) < 0) {
		snprintf(err, errlen, "cannot drop to CAP_NET_ADMIN");
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
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != c->uid ||
	    eu != c->uid || su != c->uid || rg != c->gid || eg != c->gid || sg != c->gid ||
	    !only_net_admin(can_setpcap)) {
		snprintf(err, errlen, "privileges were not dropped as expected; refusing to go on");
		return -EPERM;
	}
	return 0;
}
