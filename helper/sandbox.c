#include "sandbox.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

#ifdef TW_SANITIZERS
/* The sanitizers' runtime (LeakSanitizer's exit scan clones and ptraces)
 * needs system calls this filter forbids: sanitized builds run unfiltered,
 * plain builds are tested with it. */
int tw_sandbox_enter(char *err, size_t errlen)
{
	tzset();
	return 0;
}
#else

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define ALLOW(nr, ...) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(nr), __VA_ARGS__)

int tw_sandbox_enter(char *err, size_t errlen)
{
	/* glibc's syslog() reads the time zone once; do it while open() is
	 * still allowed. */
	tzset();
	/* Under valgrind the filter would bind valgrind's own system calls
	 * too. No privilege is at stake: valgrind runs a setuid program
	 * without its privileges. */
	if (RUNNING_ON_VALGRIND)
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "cannot set up the seccomp filter");
		return -ENOMEM;
	}
	int r = 0;
	/* netlink requests and replies, and the fd handed to QEMU */
	r |= ALLOW(sendmsg, 0);
	r |= ALLOW(recvmsg, 0);
	r |= ALLOW(sendto, 0);
	r |= ALLOW(recvfrom, 0);
	/* the tap: nothing but these two requests on any fd */
	const scmp_datum_t setiff = TUNSETIFF, getfeatures = TUNGETFEATURES;
	r |= ALLOW(ioctl, 1, SCMP_A1(SCMP_CMP_EQ, setiff));
	r |= ALLOW(ioctl, 1, SCMP_A1(SCMP_CMP_EQ, getfeatures));
	r |= ALLOW(getrandom, 0);
	/* syslog: a datagram socket to /dev/log, opened when first used */
	r |= ALLOW(socket, 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	r |= ALLOW(connect, 0);
	r |= ALLOW(getpid, 0);
	/* the one line on stderr when something fails */
	r |= ALLOW(write, 1, SCMP_A0(SCMP_CMP_EQ, 2));
	/* memory for libnl's messages; never executable */
	r |= ALLOW(brk, 0);
	r |= ALLOW(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	r |= ALLOW(munmap, 0);
	r |= ALLOW(clock_gettime, 0);
	r |= ALLOW(close, 0);
	r |= ALLOW(exit_group, 0);
	r |= ALLOW(exit, 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(r ? -r : EINVAL));
		return r ? r : -EINVAL;
	}
	return 0;
}
#endif
