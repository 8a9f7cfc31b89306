/* What a user can do with the tap fd a bridge helper hands over, without
 * any privilege: make the tap persistent and their own, then walk away
 * (the orphans `tapwire gc` is for). And, later, open it again by name.
 *
 *   tw-tap-persist HELPER ARG...
 *       call HELPER as QEMU does (a socketpair; "--fd=N" in ARG becomes the
 *       helper's end), receive the tap, TUNSETPERSIST 1 and TUNSETOWNER to
 *       our uid on it, print "tap=NAME" and exit, closing it
 *   tw-tap-persist --open NAME --hold FILE [--timeout S]
 *       attach to the existing tap NAME (TUNSETIFF, as its owner), print
 *       "held NAME", keep it open until FILE exists
 *
 * Exit 0 done, 1 the helper or the kernel refused (one line says why),
 * 2 usage, 124 timed out. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fdpass.h"

static int fail(const char *what)
{
	fprintf(stderr, "tw-tap-persist: %s: %s\n", what, strerror(errno));
	return 1;
}

static int from_helper(int argc, char **argv)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return fail("socketpair");
	char fdarg[32];
	snprintf(fdarg, sizeof(fdarg), "--fd=%d", sv[1]);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--fd=N"))
			argv[i] = fdarg;
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(sv[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
	int fd = tw_fd_recv(sv[0], 10000);
	int status;
	waitpid(pid, &status, 0);
	if (fd < 0) {
		fprintf(stderr, "tw-tap-persist: the helper sent no tap (%s), exit status 0x%x\n",
			strerror(-fd), (unsigned)status);
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return fail("TUNGETIFF");
	if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		return fail("TUNSETPERSIST");
	if (ioctl(fd, TUNSETOWNER, (unsigned long)getuid()) < 0)
		return fail("TUNSETOWNER");
	printf("tap=%s\n", ifr.ifr_name);
	close(fd);
	return 0;
}

static int reopen(const char *name, const char *hold, int timeout_s)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("/dev/net/tun");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return fail(name);
	printf("held %s\n", name);
	fflush(stdout);
	struct stat st;
	for (int i = 0; stat(hold, &st) < 0; i++) {
		if (i >= timeout_s * 100)
			return 124;
		usleep(10000);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "--open") && !strcmp(argv[3], "--hold") &&
	    strlen(argv[2]) < IFNAMSIZ)
		return reopen(argv[2], argv[4], argc == 7 && !strcmp(argv[5], "--timeout") ? atoi(argv[6]) : 30);
	if (argc >= 2 && argv[1][0] == '/')
		return from_helper(argc - 1, argv + 1);
	fprintf(stderr, "usage: tw-tap-persist HELPER ARG... | --open NAME --hold FILE [--timeout S]\n");
	return 2;
}
