/* tapwire-bridge-helper: QEMU's bridge helper, hardened.
 *
 * QEMU runs it as `HELPER [--use-vnet] --br=BRIDGE --fd=FD` with FD one end
 * of a unix socketpair; it creates a tap on BRIDGE and sends the tap's fd
 * back over FD. It is installed setuid root, so main() reads top to bottom
 * in stages, each with less power than the one before:
 *
 *   1. parse and check argv        (nothing read, nothing opened)
 *   2. close stray fds, open /dev/net/tun and a netlink socket
 *   3. drop to CAP_NET_ADMIN as the caller; no-new-privs; empty environment
 *   4. decide: policy file, then the bridge must exist and be a Linux bridge
 *      (an Open vSwitch bridge is refused by name: see is_ovs_bridge)
 *   5. act, under a seccomp filter: tap, MAC/MTU/master, up, send the fd
 *
 * Any failure exits 1 with one line on stderr; the tap is not persistent,
 * so exiting before the fd is sent leaves nothing behind. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "args.h"
#include "bridge.h"
#include "fdpass.h"
#include "link.h"
#include "nl.h"
#include "policy.h"
#include "priv.h"
#include "sandbox.h"
#include "tap.h"
#include "util.h"

#define PROG "tapwire-bridge-helper"

/* What the single syslog line of this call will say. */
static struct {
	uid_t uid;
	const char *bridge;
	const char *tap;
	const char *verdict; /* for a failure: "denied" by policy, else "failed" */
} logctx = { .uid = (uid_t)-1, .verdict = "failed" };

static void log_outcome(int prio, const char *verdict, const char *why)
{
	/* Opened before the sandbox when it gets that far (LOG_NDELAY there). */
	openlog(PROG, LOG_PID, LOG_AUTHPRIV);
	syslog(prio, "uid=%ld bridge=%s tap=%s %s: %s", (long)logctx.uid,
	       logctx.bridge ? logctx.bridge : "-", logctx.tap ? logctx.tap : "-", verdict, why);
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\n", msg);
	log_outcome(LOG_WARNING, logctx.verdict, msg);
	exit(1);
}

static void usage(void)
{
	printf("Usage: " PROG " [--use-vnet] --br=BRIDGE --fd=FD\n"
	       "\n"
	       "Create a tap device on the Linux bridge BRIDGE and pass its file descriptor\n"
	       "over the unix socket FD. QEMU runs this program for\n"
	       "  -netdev bridge,id=n0,br=BRIDGE,helper=" LIBEXECDIR "/" PROG "\n"
	       "  -netdev tap,id=n0,helper=" LIBEXECDIR "/" PROG "\n"
	       "\n"
	       "  --use-vnet    give the tap a virtio-net header (IFF_VNET_HDR)\n"
	       "  --br=BRIDGE   the bridge to attach to (must be allowed by the policy)\n"
	       "  --fd=FD       unix socket to send the tap's descriptor through\n"
	       "  --help        this text\n"
	       "  --version     the version\n"
	       "\n"
	       "Policy: " TW_BRIDGE_CONF " (see tapwire-bridge-helper(8)).\n");
}

static void check_socket(int fd)
{
	struct stat st;
	int domain = 0;
	socklen_t len = sizeof(domain);
	if (fstat(fd, &st) < 0)
		die("--fd=%d is not an open file descriptor", fd);
	if (!S_ISSOCK(st.st_mode) || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    domain != AF_UNIX)
		die("--fd=%d is not a unix socket", fd);
}

static const char *policy_path(void)
{
	/* The environment may steer a test build, never a privileged run. */
	const char *env = tw_priv_secure() ? NULL : getenv("TAPWIRE_BRIDGE_CONF");
	static char path[4096];
	tw_strscpy(path, env && *env ? env : TW_BRIDGE_CONF, sizeof(path));
	return path;
}

/* Open vSwitch's run directory, where ovs-vswitchd keeps a BRIDGE.mgmt
 * socket for each of its bridges: the one sign of an OVS bridge on either
 * datapath (with the userspace one its device is a plain tap). */
static const char *ovs_rundir(void)
{
	const char *env = tw_priv_secure() ? NULL : getenv("OVS_RUNDIR");
	static char dir[1024];
	tw_strscpy(dir, env && *env ? env : "/run/openvswitch", sizeof(dir));
	return dir;
}

static bool is_ovs_bridge(const char *rundir, const char *name, const struct tw_link *l)
{
	char path[1100];
	struct stat st;
	if (!strcmp(l->kind, "openvswitch"))
		return true;
	snprintf(path, sizeof(path), "%s/%s.mgmt", rundir, name);
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

int main(int argc, char **argv)
{
	struct tw_helper_args args;
	char err[512];

	/* 1. argv, checked before anything is read or opened. */
	if (tw_helper_args_parse(argc, argv, &args, err, sizeof(err)) < 0)
		die("%s", err);
	if (args.help) {
		usage();
		return 0;
	}
	if (args.version) {
		printf(PROG " (tapwire) " PACKAGE_VERSION "\n");
		return 0;
	}
	logctx.bridge = args.br;

	/* 2. Descriptors: only stdio and FD survive; then the two privileged
	 * opens that need root (/dev/net/tun is mode 0600 on some hosts). */
	const char *conf = policy_path();
	const char *ovsdir = ovs_rundir();
	if (tw_priv_close_fds(args.fd) < 0)
		die("cannot close inherited file descriptors");
	check_socket(args.fd);

	struct tw_caller_ids caller;
	if (tw_priv_read_caller(&caller) < 0)
		die("cannot read the caller's groups");
	logctx.uid = caller.uid;

	_cleanup_close_ int tunfd = tw_tap_open_ctl();
	if (tunfd < 0)
		die("cannot open /dev/net/tun: %s", strerror(-tunfd));
	struct tw_nl nl;
	int r = tw_nl_open(&nl);
	if (r < 0)
		die("cannot open a netlink socket: %s", strerror(-r));

	/* 3. From here on: CAP_NET_ADMIN only, as the caller. */
	if (tw_priv_drop(&caller, err, sizeof(err)) < 0)
		die("%s", err);
	clearenv();

	/* 4. Decide. */
	struct tw_policy *policy = NULL;
	logctx.verdict = "denied";
	if (tw_policy_load(conf, &policy, err, sizeof(err)) < 0)
		die("policy error, denying: %s", err);
	struct tw_caller who = { .uid = caller.uid, .gid = caller.gid, .groups = caller.groups,
				 .n_groups = caller.n_groups };
	char why[256];
	bool allowed = tw_policy_allows(policy, args.br, &who, why, sizeof(why));
	tw_policy_free(policy);
	if (!allowed)
		die("access denied: uid %ld may not use bridge '%s' (%s)", (long)caller.uid, args.br,
		    why);

	logctx.verdict = "failed";

	struct tw_link br;
	r = tw_bridge_get(&nl, args.br, &br);
	if (r == -ENODEV)
		die("bridge '%s' does not exist", args.br);
	/* Adding a port to OVS means writing to its database as root, and
	 * the port would outlive QEMU: see tapwire-bridge-helper(8). */
	if (r == -EMEDIUMTYPE && is_ovs_bridge(ovsdir, args.br, &br))
		die("'%s' is an Open vSwitch bridge: this helper only puts taps on Linux bridges; "
		    "use libvirt's <virtualport type='openvswitch'> or `tapwire attach` "
		    "(see tapwire-bridge-helper(8))", args.br);
	if (r == -EMEDIUMTYPE)
		die("'%s' is not a Linux bridge (it is a %s device)", args.br,
		    br.kind[0] ? br.kind : "plain");
	if (r < 0)
		die("cannot look up bridge '%s': %s", args.br, tw_nl_strerror(&nl, r, err, sizeof(err)));

	/* 5. Act, with only the system calls that takes. */
	openlog(PROG, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	if (tw_sandbox_enter(err, sizeof(err)) < 0)
		die("%s", err);
	char tap[IFNAMSIZ];
	struct tw_tap_opts opts = { .name = NULL, .vnet_hdr = args.use_vnet, .owner = (uid_t)-1,
				    .group = (gid_t)-1 };
	r = tw_tap_create(tunfd, &opts, tap);
	if (r < 0)
		die("cannot create a tap device: %s", strerror(-r));
	logctx.tap = tap;

	uint8_t mac[TW_MAC_LEN];
	if (tw_random(mac, sizeof(mac)) < 0)
		die("cannot get random bytes for a MAC address");
	mac[0] = 0xfe; /* never the lowest on the bridge: it keeps its own MAC */
	/* A bridge port: no IPv6 link-local address (tw_link_come_up says
	 * why), which takes a second message. */
	struct tw_link_change c = TW_LINK_CHANGE_INIT;
	c.mac = mac;
	c.mtu = br.mtu;
	c.master = br.ifindex;
	r = tw_link_come_up(&nl, tap, &c, true);
	if (r < 0)
		die("cannot attach tap %s to bridge '%s': %s", tap, args.br,
		    tw_nl_strerror(&nl, r, err, sizeof(err)));
	tw_nl_close(&nl);

	r = tw_fd_send(args.fd, tunfd);
	if (r < 0)
		die("cannot send the tap to QEMU over fd %d: %s", args.fd, strerror(-r));
	log_outcome(LOG_INFO, "allowed", "tap created");
	return 0;
}
