/* LD_PRELOAD'ed into a plain (not setuid) run of tapwire-bridge-helper by
 * tests/integration/helper-sandbox.sh: when TW_FORBID is set, the first
 * TUNSETIFF, made inside the seccomp sandbox, is preceded by a system call
 * the filter does not allow. The helper must die of SIGSYS right there. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int forbid;

/* Read at load time: the helper empties its environment before it acts. */
__attribute__((constructor)) static void init(void)
{
	forbid = getenv("TW_FORBID") != NULL;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (req == TUNSETIFF && forbid)
		syscall(SYS_mkdirat, AT_FDCWD, "/tmp/tw-forbidden", 0700);
	int (*real)(int, unsigned long, ...) = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real(fd, req, arg);
}
