/* Open vSwitch through ovs-vsctl (see ovs.h); the kinds built on it are
 * kinds/ovs-bridge.c and kinds/ovs-port.c.
 * An OVS bridge: key ("", name); made with add-br, its device
 * (ovs-vswitchd's: kind "openvswitch" on the kernel datapath, a tap on the
 * userspace one) brought up by netlink; removed with del-br. An OVS port:
 * key ("", dev), data the bridge; added with add-port and, for a guest NIC,
 * the external ids OVN reads (iface-id, attached-mac, iface-status);
 * removed with del-port, and only from the bridge tapwire put it on.
 * Both live where ovs-vswitchd runs, which is where tapwire runs (use
 * --netns for another namespace). */
#include "net/ovs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"

#ifndef OVS_VSCTL
#define OVS_VSCTL "/usr/bin/ovs-vsctl"
#endif

#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- running ovs-vsctl */

static void child(const char *prog, const char *const *argv, int out, bool secure)
{
	static char *const clean_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(126);
	/* The argv strings are never written to: execv's prototype predates const. */
	if (secure)
		execve(prog, (char *const *)argv, clean_env);
	else
		execvp(prog, (char *const *)argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s", prog, strerror(errno));
	_exit(127);
}

/* Read the child's output until it closes it, keeping len - 1 bytes; give
 * up (and kill it) a few seconds after its own --timeout. */
static void collect(pid_t pid, int fd, char *out, size_t len)
{
	char sink[512];
	size_t n = 0;
	uint64_t deadline = tw_now_us() + (TW_OVS_TIMEOUT_S + 5) * 1000000ull;
	for (;;) {
		uint64_t now = tw_now_us();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = now >= deadline ? 0 : poll(&p, 1, (int)((deadline - now) / 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		bool keep = out && n + 1 < len;
		ssize_t got = read(fd, keep ? out + n : sink, keep ? len - n - 1 : sizeof(sink));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (keep)
			n += (size_t)got;
	}
	if (out && len) {
		while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
			n--;
		out[n] = 0;
	}
}

int tw_ovs_vsctl(const char *const *args, char *out, size_t len)
{
	bool secure = getauxval(AT_SECURE);
	const char *env = tw_getenv_unprivileged("TAPWIRE_OVS_VSCTL");
	const char *prog = env ? env : secure ? OVS_VSCTL : "ovs-vsctl";
	const char *db = tw_getenv_unprivileged("TAPWIRE_OVSDB");
	char dbopt[512];
	const char *argv[40];
	size_t n = 0;
	argv[n++] = prog;
	argv[n++] = "--timeout=" STR(TW_OVS_TIMEOUT_S);
	if (db) {
		snprintf(dbopt, sizeof(dbopt), "--db=%s", db);
		argv[n++] = dbopt;
	}
	for (size_t i = 0; args[i]; i++) {
		if (n + 1 >= TW_ARRAY_SIZE(argv))
			return -E2BIG;
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	if (out && len)
		out[0] = 0;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	if (pid == 0)
		child(prog, argv, pfd[1], secure);
	close(pfd[1]);
	collect(pid, pfd[0], out, len);
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status)) {
		if (out && len)
			snprintf(out, len, "ovs-vsctl did not answer in %d s", TW_OVS_TIMEOUT_S + 5);
		return -ETIMEDOUT;
	}
	return WEXITSTATUS(status);
}

/* why gets what ovs-vsctl said, or how it failed. */
static int vsctl_failed(int r, const char *said, char *why, size_t len)
{
	if (r < 0)
		snprintf(why, len, "ovs-vsctl: %s", said[0] ? said : strerror(-r));
	else if (r == 127)
		snprintf(why, len, "%s (is Open vSwitch installed? Debian: openvswitch-switch)", said);
	else
		snprintf(why, len, "%s", said[0] ? said : "ovs-vsctl failed");
	return r < 0 ? r : -EIO;
}

int tw_ovs_bridge_exists(const char *name, char *why, size_t len)
{
	const char *args[] = { "br-exists", name, NULL };
	char said[400];
	int r = tw_ovs_vsctl(args, said, sizeof(said));
	if (r == 0 || r == 2)
		return r == 0;
	return vsctl_failed(r, said, why, len);
}

int tw_ovs_port_bridge(const char *dev, char bridge[IFNAMSIZ], char *why, size_t len)
{
	const char *args[] = { "port-to-br", dev, NULL };
	char said[400];
	int r = tw_ovs_vsctl(args, said, sizeof(said));
	if (r == 0) {
		tw_strscpy(bridge, said, IFNAMSIZ);
		return 1;
	}
	if (r == 1 && strstr(said, "no port named"))
		return 0;
	return vsctl_failed(r, said, why, len);
}

int tw_ovs_bridge_settings(const char *name, struct tw_ovs_br_settings *out, char *why,
			   size_t len)
{
	const char *args[] = { "get", "Bridge", name, "stp_enable", "datapath_type", NULL };
	char said[400];
	int r = tw_ovs_vsctl(args, said, sizeof(said));
	out->stp = -1;
	out->datapath[0] = 0;
	if (r != 0)
		return vsctl_failed(r, said, why, len);
	/* "false\nnetdev", or "true\n\"\"" for the default datapath. */
	char *nl = strchr(said, '\n');
	if (!nl)
		return 0;
	*nl = 0;
	out->stp = !strcmp(said, "true") ? 1 : !strcmp(said, "false") ? 0 : -1;
	const char *dp = nl + 1;
	size_t n = strlen(dp);
	if (n >= 2 && dp[0] == '"' && dp[n - 1] == '"')
		dp++, n -= 2;
	if (n < sizeof(out->datapath)) {
		memcpy(out->datapath, dp, n);
		out->datapath[n] = 0;
	}
	return 0;
}

/* Run args; 0, or -errno with why set. */
int tw_ovs_do(const char *const *args, char *why, size_t len)
{
	char said[400];
	int r = tw_ovs_vsctl(args, said, sizeof(said));
	return r == 0 ? 0 : vsctl_failed(r, said, why, len);
}

/* KEY="VALUE" in OVSDB's syntax for a string (a C string: \ and " escaped). */
void tw_ovs_setting(char *buf, size_t len, const char *key, const char *value)
{
	size_t n = (size_t)snprintf(buf, len, "%s=\"", key);
	for (const char *p = value; *p && n + 3 < len; p++) {
		if (*p == '"' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	if (n + 2 <= len) {
		buf[n++] = '"';
		buf[n] = 0;
	}
}
