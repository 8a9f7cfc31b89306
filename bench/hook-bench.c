/* Runs two libvirt qemu hooks the way libvirtd runs them (fork, the domain
 * XML on stdin, exec `HOOK DOMAIN prepare begin -`, reap; then the same with
 * `release end -`), N times each, interleaved so both see the same system.
 *
 *   tw-hook-bench N XML DOMAIN CHECKDEV NAME1 HOOK1 NAME2 HOOK2
 *
 * After each prepare, the device CHECKDEV must exist, and after each
 * release it must be gone: a hook that did nothing would be very fast.
 * Prints, per hook, the median and mean µs of prepare, of release and of
 * both, then the ratio of the medians (NAME2 / NAME1). */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct subject {
	const char *name, *hook;
	double *prep, *rel, *both;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One call as libvirtd makes it; the time in µs, or -1 when it failed. */
static double call(const char *hook, const char *xml, const char *dom, const char *op,
		   const char *subop)
{
	double t0 = now_us();
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(xml, O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(127);
		char *argv[] = { (char *)hook, (char *)dom, (char *)op, (char *)subop, "-", NULL };
		execv(hook, argv);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	double t = now_us() - t0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double mean(const double *v, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: tw-hook-bench N XML DOMAIN CHECKDEV NAME1 HOOK1 NAME2 HOOK2\n");
		return 2;
	}
	int n = atoi(argv[1]);
	const char *xml = argv[2], *dom = argv[3], *dev = argv[4];
	if (n < 1)
		return 2;
	struct subject s[2] = { { argv[5], argv[6], NULL, NULL, NULL },
				{ argv[7], argv[8], NULL, NULL, NULL } };
	for (int k = 0; k < 2; k++) {
		s[k].prep = calloc((size_t)n, sizeof(double));
		s[k].rel = calloc((size_t)n, sizeof(double));
		s[k].both = calloc((size_t)n, sizeof(double));
		if (!s[k].prep || !s[k].rel || !s[k].both)
			return 1;
	}
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			double p = call(s[k].hook, xml, dom, "prepare", "begin");
			if (p < 0 || !if_nametoindex(dev)) {
				fprintf(stderr, "%s: prepare failed or made no %s (run %d)\n", s[k].name, dev, i);
				return 1;
			}
			double r = call(s[k].hook, xml, dom, "release", "end");
			if (r < 0 || if_nametoindex(dev)) {
				fprintf(stderr, "%s: release failed or left %s (run %d)\n", s[k].name, dev, i);
				return 1;
			}
			s[k].prep[i] = p;
			s[k].rel[i] = r;
			s[k].both[i] = p + r;
		}
	}
	double med[2];
	printf("%-14s %12s %12s %12s %12s %12s %12s\n", "hook (us)", "prepare med", "mean",
	       "release med", "mean", "both med", "mean");
	for (int k = 0; k < 2; k++) {
		double mp = mean(s[k].prep, n), mr = mean(s[k].rel, n), mb = mean(s[k].both, n);
		double dp = median(s[k].prep, n), dr = median(s[k].rel, n);
		med[k] = median(s[k].both, n);
		printf("%-14s %12.0f %12.0f %12.0f %12.0f %12.0f %12.0f\n", s[k].name, dp, mp, dr, mr,
		       med[k], mb);
	}
	printf("%s / %s (median of prepare+release): %.1fx, over %d runs each\n", s[1].name,
	       s[0].name, med[1] / med[0], n);
	for (int k = 0; k < 2; k++) {
		free(s[k].prep);
		free(s[k].rel);
		free(s[k].both);
	}
	return 0;
}
