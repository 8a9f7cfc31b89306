#include "sandbox.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "core/util.h"

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

/* The program helper/seccomp-gen.c builds from its rules with libseccomp. */
#include "seccomp-bpf.h"

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
	struct sock_fprog prog = { .len = TW_ARRAY_SIZE(tw_seccomp_bpf),
				   .filter = (struct sock_filter *)tw_seccomp_bpf };
	/* no-new-privs is already set (tw_priv_drop), as the kernel requires. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(errno));
		return -errno;
	}
	return 0;
}
#endif
