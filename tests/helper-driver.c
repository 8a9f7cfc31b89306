/* Calls a bridge helper exactly the way QEMU does (net/tap.c,
 * net_bridge_run_helper): a unix socketpair, fork, the child keeps only its
 * end and execs `HELPER [--use-vnet] --fd=N --br=BR`, the parent receives
 * the tap's fd with SCM_RIGHTS and reaps the child.
 *
 *   tw-helper-driver [--hold FILE] [--timeout S] [--kill-after USEC] [--set-mac MAC]
 *                    [--closed-stderr] HELPER ARG...
 *
 * "--fd=N" in ARG is replaced by the child's end of the socketpair; other
 * ARGs are passed as they are (to test bad ones). On success it prints
 *   tap=NAME flags=0xHEX
 * and, with --hold, keeps the fd open until FILE exists (bounded by the
 * timeout), so a test can look at the tap while it lives. The exit status is
 * the helper's (or 125 for a driver problem, 124 on timeout). With
 * --kill-after the helper gets SIGKILL that long after it was forked (if it
 * is still running): 137 then says it died mid-call. With --set-mac the
 * driver then sets the tap's MAC through the fd (SIOCSIFHWADDR, which needs
 * no capability), as a hostile QEMU could, and prints "mac=MAC". With
 * --closed-stderr the helper's stderr is a pipe whose reader is gone. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fdpass.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *hold = NULL;
	double timeout = 30;
	long kill_after = -1;
	const char *set_mac = NULL;
	bool closed_stderr = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]; i++) {
		if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atof(argv[++i]);
		else if (!strcmp(argv[i], "--kill-after") && i + 1 < argc)
			kill_after = atol(argv[++i]);
		else if (!strcmp(argv[i], "--set-mac") && i + 1 < argc)
			set_mac = argv[++i];
		else if (!strcmp(argv[i], "--closed-stderr"))
			closed_stderr = true;
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [--hold FILE] [--timeout S] [--kill-after USEC] [--set-mac MAC] [--closed-stderr] HELPER ARG...\n",
			argv[0]);
		return 125;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		return 125;
	}
	char fdarg[32];
	snprintf(fdarg, sizeof(fdarg), "--fd=%d", sv[1]);
	/* Static: it lives until exit, and LeakSanitizer (the sanitized pass
	 * of tools/check) would report it at each of the returns below. */
	static char **args;
	args = calloc((size_t)(argc - i + 1), sizeof(char *));
	if (!args)
		return 125;
	for (int k = i; k < argc; k++)
		args[k - i] = strcmp(argv[k], "--fd=N") ? argv[k] : fdarg;

	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 125;
	}
	if (pid == 0) {
		/* QEMU closes everything but the helper's end before exec. */
		close(sv[0]);
		int p[2];
		if (closed_stderr && (pipe(p) < 0 || close(p[0]) < 0 || dup2(p[1], 2) < 0))
			_exit(125);
		execv(args[0], args);
		fprintf(stderr, "cannot exec %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	if (kill_after >= 0) {
		usleep((useconds_t)kill_after);
		kill(pid, SIGKILL);
	}
	int fd = tw_fd_recv(sv[0], (int)(timeout * 1000));
	int status;
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 125;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (fd < 0) {
		if (code == 0) {
			fprintf(stderr, "driver: helper exited 0 but sent no fd (%s)\n", strerror(-fd));
			return 125;
		}
		return code;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		fprintf(stderr, "driver: the fd received is not a tap: %s\n", strerror(errno));
		return 125;
	}
	printf("tap=%s flags=0x%x\n", ifr.ifr_name, (unsigned)ifr.ifr_flags & 0xffff);
	fflush(stdout);
	if (set_mac) {
		unsigned m[6];
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		if (sscanf(set_mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
			fprintf(stderr, "driver: bad --set-mac\n");
			return 125;
		}
		for (int k = 0; k < 6; k++)
			ifr.ifr_hwaddr.sa_data[k] = (char)m[k];
		if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
			fprintf(stderr, "driver: SIOCSIFHWADDR: %s\n", strerror(errno));
			return 125;
		}
		printf("mac=%s\n", set_mac);
		fflush(stdout);
	}
	if (hold) {
		double end = now() + timeout;
		struct stat st;
		while (stat(hold, &st) < 0) {
			if (now() > end) {
				fprintf(stderr, "driver: timed out waiting for %s\n", hold);
				return 124;
			}
			usleep(10000);
		}
	}
	close(fd);
	return code;
}
