/* Calls two bridge helpers N times each, the way QEMU calls them (socketpair,
 * fork, exec `HELPER --use-vnet --fd=N --br=BR`, receive the tap's fd, reap),
 * interleaved so both see the same number of devices, and keeps every tap
 * open so the bridges grow. A Linux bridge holds at most 1024 ports
 * (BR_MAX_PORTS), so each helper fills its bridges PER_BRIDGE taps at a time:
 * bridges are named PREFIX0, PREFIX1, ... and must exist, in network
 * namespace NETNS (a /run/netns name) of that helper.
 *
 *   tw-helper-bench N PER_BRIDGE NAME1 HELPER1 PREFIX1 NETNS1 NAME2 HELPER2 PREFIX2 NETNS2
 *
 * Each helper works in a namespace of its own: the kernel walks every IPv6
 * route of a namespace at each device up or down, so the link-local routes
 * of one helper's taps would otherwise slow the other helper's calls.
 *
 * Prints, per helper: mean µs per call, the first-10 and last-10 means and
 * their ratio (flatness), and the ratio of the two means.
 *
 * The taps are handed to a keeper process as soon as they arrive, so this
 * process stays small: otherwise every fork+exec of a helper would copy and
 * close thousands of inherited descriptors, and the benchmark would time
 * that instead of the helpers. At the end all taps are moved to one device
 * group and deleted in one batch (one by one, each deletion waits for an
 * RCU grace period: 8000 taps would take minutes). */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fdpass.h"

struct subject {
	const char *name, *helper, *prefix, *netns;
	double *us;
	int nsfd;
	FILE *names; /* "link set dev TAP group 7734" lines, for the batch deletion */
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One call as QEMU makes it; returns the tap fd (kept open) or -1. */
static int call(const char *helper, const char *bridge)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	char fdarg[32], brarg[64];
	snprintf(fdarg, sizeof(fdarg), "--fd=%d", sv[1]);
	snprintf(brarg, sizeof(brarg), "--br=%s", bridge);
	pid_t pid = fork();
	if (pid == 0) {
		/* Only the child's end survives exec, as in QEMU. */
		char *argv[] = { (char *)helper, "--use-vnet", fdarg, brarg, NULL };
		fcntl(sv[1], F_SETFD, 0);
		execv(helper, argv);
		_exit(127);
	}
	close(sv[1]);
	int fd = pid > 0 ? tw_fd_recv(sv[0], -1) : -1;
	int status = 0;
	if (pid > 0)
		waitpid(pid, &status, 0);
	close(sv[0]);
	if (fd >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Holds every tap fd it is sent until the other end closes. */
static pid_t start_keeper(int *sock)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		while (tw_fd_recv(sv[1], -1) >= 0)
			;
		pause(); /* keep the taps until killed, after their batch deletion */
		_exit(0);
	}
	close(sv[1]);
	*sock = sv[0];
	return pid;
}

/* Put every tap into one device group and delete the group in one go. */
static void delete_taps(const struct subject *s)
{
	fflush(s->names);
	rewind(s->names);
	char cmd[256];
	if (fork() == 0) {
		dup2(fileno(s->names), 0);
		execlp("ip", "ip", "-n", s->netns, "-batch", "-", (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	snprintf(cmd, sizeof(cmd), "ip -n %s link del group 7734", s->netns);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: batch deletion failed; taps go with the keeper\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of v[from .. from+n): steadier than a mean of 10 against the odd
 * call that meets a kernel worker. */
static double median(const double *v, int from, int n)
{
	double *c = malloc((size_t)n * sizeof(*c));
	if (!c)
		return 0;
	memcpy(c, v + from, (size_t)n * sizeof(*c));
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

static double mean(const double *v, int from, int n)
{
	double s = 0;
	for (int i = from; i < from + n; i++)
		s += v[i];
	return s / n;
}

int main(int argc, char **argv)
{
	if (argc != 11) {
		fprintf(stderr, "usage: %s N PER_BRIDGE NAME1 HELPER1 PREFIX1 NETNS1 "
				"NAME2 HELPER2 PREFIX2 NETNS2\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]), per = atoi(argv[2]);
	if (n < 20 || per < 1) {
		fprintf(stderr, "N must be at least 20\n");
		return 2;
	}
	struct rlimit rl = { .rlim_cur = (rlim_t)(2 * n + 64), .rlim_max = (rlim_t)(2 * n + 64) };
	struct rlimit cur;
	getrlimit(RLIMIT_NOFILE, &cur);
	if (cur.rlim_cur < rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		perror("setrlimit(RLIMIT_NOFILE)");
		return 1;
	}
	struct subject s[2] = {
		{ argv[3], argv[4], argv[5], argv[6], calloc((size_t)n, sizeof(double)), -1, tmpfile() },
		{ argv[7], argv[8], argv[9], argv[10], calloc((size_t)n, sizeof(double)), -1, tmpfile() },
	};
	for (int k = 0; k < 2; k++) {
		char path[300];
		snprintf(path, sizeof(path), "/run/netns/%s", s[k].netns);
		if ((s[k].nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || !s[k].names || !s[k].us) {
			perror(path);
			return 1;
		}
	}
	int keeper_sock;
	pid_t keeper = start_keeper(&keeper_sock);
	if (keeper < 0) {
		perror("keeper");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			char bridge[32];
			snprintf(bridge, sizeof(bridge), "%s%d", s[k].prefix, i / per);
			/* The helper is forked in its namespace, as QEMU would be. */
			if (setns(s[k].nsfd, CLONE_NEWNET) < 0) {
				perror("setns");
				return 1;
			}
			double t0 = now_us();
			int fd = call(s[k].helper, bridge);
			s[k].us[i] = now_us() - t0;
			struct ifreq ifr;
			memset(&ifr, 0, sizeof(ifr));
			if (fd < 0 || ioctl(fd, TUNGETIFF, &ifr) < 0 || tw_fd_send(keeper_sock, fd) < 0) {
				fprintf(stderr, "%s: call %d on %s failed\n", s[k].name, i + 1, bridge);
				kill(keeper, SIGKILL);
				return 1;
			}
			close(fd);
			fprintf(s[k].names, "link set dev %s group 7734\n", ifr.ifr_name);
		}
		if ((i + 1) % 500 == 0)
			fprintf(stderr, "  ... %d calls each\n", i + 1);
	}
	int q = n / 10 < 100 ? n / 10 : 100;
	printf("%-22s %8s %9s %9s %6s   %9s %9s %6s\n", "helper (us per call)", "mean", "first-10",
	       "last-10", "ratio", "med first", "med last", "ratio");
	printf("%-22s %8s %9s %9s %6s   %9s %9s %6s\n", "", "", "mean", "mean", "", "", "", "");
	double m[2];
	for (int k = 0; k < 2; k++) {
		m[k] = mean(s[k].us, 0, n);
		double f = mean(s[k].us, 0, 10), l = mean(s[k].us, n - 10, 10);
		double mf = median(s[k].us, 0, q), ml = median(s[k].us, n - q, q);
		printf("%-22s %8.0f %9.0f %9.0f %6.2f   %9.0f %9.0f %6.2f\n", s[k].name, m[k], f, l,
		       l / f, mf, ml, ml / mf);
	}
	printf("(med first/last: medians of the first and last %d calls)\n", q);
	printf("ratio %s/%s: %.2f  (N=%d, taps kept open, %d per bridge)\n", s[0].name, s[1].name,
	       m[0] / m[1], n, per);
	fflush(stdout);
	close(keeper_sock);
	delete_taps(&s[0]);
	delete_taps(&s[1]);
	kill(keeper, SIGKILL);
	waitpid(keeper, NULL, 0);
	return 0;
}
