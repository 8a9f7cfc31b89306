/* tapwire-bridge-helper: QEMU's bridge helper, hardened.
 *
 * QEMU runs it as `HELPER [--use-vnet] --br=BRIDGE --fd=FD` with FD one end
 * of a unix socketpair; it creates a tap on BRIDGE and sends the tap's fd
 * back over FD. It is installed setuid root, so main() reads top to bottom
 * in stages, each with less power than the one before:
 *
 *   0. make the audit line unsuppressible: signals, limits, environment
 *   1. parse and check argv        (nothing read, nothing opened)
 *   2. close stray fds, open syslog, /dev/net/tun and a netlink socket
 *   3. drop to CAP_NET_ADMIN as the caller; no-new-privs
 *   4. decide: the bridge is looked up first and the policy is asked about
 *      its real name (the kernel also finds a device by an alternative
 *      name); it must be a Linux bridge (an Open vSwitch bridge is refused
 *      by name: see is_ovs_bridge)
 *   5. act, under a seccomp filter: pin the bridge's MAC, tap,
 *      MAC/MTU/master/alias, up, log, send the fd
 *
 * Any failure exits 1 with one line on stderr; the tap is not persistent,
 * so exiting before the fd is sent leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "args.h"
#include "net/bridge.h"
#include "core/err.h"
#include "core/fdpass.h"
#include "net/link.h"
#include "net/nl.h"
#include "policy.h"
#include "priv.h"
#include "sandbox.h"
#include "net/tap.h"
#include "core/util.h"

#define PROG "tapwire-bridge-helper"

/* What the single syslog line of this call will say. */
static struct {
	uid_t uid;
	const char *bridge; /* the kernel's name once known, else argv's */
	const char *asked;  /* argv's name, when it differs (an alternative name) */
	const char *tap;
	const char *verdict; /* for a failure: "denied" by policy, else "failed" */
} logctx = { .uid = (uid_t)-1, .verdict = "failed" };

static void log_outcome(int prio, const char *verdict, const char *why)
{
	/* Connected early (stage 2) when it gets that far; argv errors connect
	 * here. The environment is empty by then, so TZ cannot shape it. */
	openlog(PROG, LOG_PID, LOG_AUTHPRIV);
	syslog(prio, "uid=%ld bridge=%s%s%s tap=%s %s: %s", (long)logctx.uid,
	       logctx.bridge ? logctx.bridge : "-", logctx.asked ? " asked=" : "",
	       logctx.asked ? logctx.asked : "", logctx.tap ? logctx.tap : "-", verdict, why);
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	char msg[512], line[sizeof(msg) + sizeof(PROG ": \n")];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The audit line first: stderr belongs to the caller. Then one
	 * write(2): stdio's unbuffered stderr takes an 8 KiB buffer on the
	 * stack, and the caller sets the stack's size (RLIMIT_STACK). */
	log_outcome(LOG_WARNING, logctx.verdict, msg);
	int n = snprintf(line, sizeof(line), PROG ": %s\n", msg);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nothing left to tell anyone: the line is in the log */
	}
	exit(TW_EXIT_REFUSED);
}

static void usage(void)
{
	printf("Usage: " PROG " [--use-vnet] --br=BRIDGE --fd=FD\n"
	       "\n"
	       "Create a tap device on the Linux bridge BRIDGE and pass its file descriptor\n"
	       "over the unix socket FD. QEMU runs this program for\n"
	       "  -netdev bridge,id=n0,br=BRIDGE,helper=" LIBEXECDIR "/" PROG "\n"
	       "  -netdev tap,id=n0,helper=" LIBEXECDIR "/" PROG "\n"
	       "and libvirt's session daemon (qemu:///session) for <interface type='bridge'>\n"
	       "with bridge_helper = \"" LIBEXECDIR "/" PROG "\" in the user's\n"
	       "~/.config/libvirt/qemu.conf (never /etc/libvirt/qemu.conf: the system daemon's).\n"
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

/* The environment may steer a test build, never a privileged run; either
 * way it is read once, into these, and then emptied. */
static char conf_path[4096];
/* Open vSwitch's run directory, where ovs-vswitchd keeps a BRIDGE.mgmt
 * socket for each of its bridges: the one sign of an OVS bridge on either
 * datapath (with the userspace one its device is a plain tap). */
static char ovs_rundir[1024];

static void take_environment(void)
{
	const char *conf = tw_getenv_unprivileged("TAPWIRE_BRIDGE_CONF");
	const char *ovs = tw_getenv_unprivileged("OVS_RUNDIR");
	tw_strscpy(conf_path, conf ? conf : TW_BRIDGE_CONF, sizeof(conf_path));
	tw_strscpy(ovs_rundir, ovs ? ovs : "/run/openvswitch", sizeof(ovs_rundir));
	clearenv();
}

/* Whether the kernel will keep the bridge's MAC whatever its ports do: a
 * bridge whose MAC was never set (addr_assign_type random) takes the lowest
 * MAC of its ports, and the holder of a tap fd can set its tap's MAC with
 * SIOCSIFHWADDR, no capability needed. Read from sysfs (netlink does not
 * carry addr_assign_type), trusted only when it shows the very device
 * netlink found; any doubt says "not pinned" and the bridge is pinned. */
static bool mac_is_pinned(const struct tw_link *br)
{
	char path[64], buf[32];
	unsigned long ifindex, type;
	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", br->name);
	if (tw_read_small(path, buf, sizeof(buf)) <= 0 ||
	    tw_parse_uint(buf, 1, INT32_MAX, &ifindex) < 0 ||
	    (int)ifindex != br->ifindex)
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/addr_assign_type", br->name);
	return tw_read_small(path, buf, sizeof(buf)) > 0 &&
	       tw_parse_uint(buf, 0, 255, &type) == 0 &&
	       type == 3; /* NET_ADDR_SET */
}

/* Sets the bridge's MAC to what it is now (a random local one if it has
 * none), which makes it "set": from then on no port moves it. */
static int pin_bridge_mac(struct tw_nl *nl, const struct tw_link *br)
{
	static const uint8_t zero[TW_MAC_LEN];
	uint8_t mac[TW_MAC_LEN];
	memcpy(mac, br->mac, sizeof(mac));
	if (!memcmp(mac, zero, sizeof(mac))) {
		if (tw_random(mac, sizeof(mac)) < 0)
			return -EIO;
		mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	}
	struct tw_link_change c = TW_LINK_CHANGE_INIT;
	c.mac = mac;
	return tw_link_change(nl, br->ifindex, &c);
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

static int helper_main(int argc, char **argv)
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

	/* 2. Descriptors: only stdio and FD survive; the syslog socket is
	 * connected next, so that no limit on descriptors can keep the audit
	 * line out; then the two privileged opens that need root
	 * (/dev/net/tun is mode 0600 on some hosts). */
	if (tw_priv_close_fds(args.fd) < 0)
		die("cannot close inherited file descriptors");
	openlog(PROG, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	check_socket(args.fd);

	struct tw_caller_ids caller;
	int r = tw_priv_read_caller(&caller);
	if (r < 0)
		die("cannot read the caller's groups: %s", strerror(-r));

	_cleanup_close_ int tunfd = tw_tap_open_ctl();
	if (tunfd < 0)
		die("cannot open /dev/net/tun: %s", strerror(-tunfd));
	struct tw_nl nl;
	r = tw_nl_open(&nl);
	if (r < 0)
		die("cannot open a netlink socket: %s", strerror(-r));

	/* 3. From here on: CAP_NET_ADMIN only, as the caller. */
	if (tw_priv_drop(&caller, err, sizeof(err)) < 0)
		die("%s", err);

	/* 4. Decide, on the name the kernel gives the device: it finds one by
	 * an alternative name too, which a deny rule must not miss. */
	struct tw_link br;
	int found = tw_bridge_get(&nl, args.br, &br);
	if (found == 0 || found == -EMEDIUMTYPE) {
		logctx.bridge = br.name;
		logctx.asked = strcmp(br.name, args.br) ? args.br : NULL;
	}
	struct tw_policy *policy = NULL;
	logctx.verdict = "denied";
	if (tw_policy_load(conf_path, &policy, err, sizeof(err)) < 0)
		die("policy error, denying: %s", err);
	struct tw_caller who = { .uid = caller.uid, .gid = caller.gid, .groups = caller.groups,
				 .n_groups = caller.n_groups };
	char why[256];
	bool allowed = tw_policy_allows(policy, logctx.bridge, &who, why, sizeof(why));
	tw_policy_free(policy);
	free(caller.groups);
	/* The refusal says what would allow the call (a first run hits it). */
	char hint[300] = "";
	if (!allowed)
		tw_policy_hint(conf_path, logctx.bridge, caller.uid, why, hint, sizeof(hint));
	const char *sep = hint[0] ? ": " : "";
	if (!allowed && logctx.asked)
		die("access denied: uid %ld may not use bridge '%s' (asked as '%s': %s)%s%s",
		    (long)caller.uid, logctx.bridge, args.br, why, sep, hint);
	if (!allowed)
		die("access denied: uid %ld may not use bridge '%s' (%s)%s%s", (long)caller.uid, args.br,
		    why, sep, hint);

	logctx.verdict = "failed";
	if (found == -ENODEV)
		die("bridge '%s' does not exist", args.br);
	/* Adding a port to OVS means writing to its database as root, and
	 * the port would outlive QEMU: see tapwire-bridge-helper(8). */
	if (found == -EMEDIUMTYPE && is_ovs_bridge(ovs_rundir, br.name, &br))
		die("'%s' is an Open vSwitch bridge: this helper only puts taps on Linux bridges; "
		    "use libvirt's <virtualport type='openvswitch'> or `tapwire attach` "
		    "(see tapwire-bridge-helper(8))", br.name);
	if (found == -EMEDIUMTYPE)
		die("'%s' is not a Linux bridge (it is a %s device)", br.name,
		    br.kind[0] ? br.kind : "plain");
	if (found < 0)
		die("cannot look up bridge '%s': %s", args.br,
		    tw_nl_strerror(&nl, found, err, sizeof(err)));
	bool pinned = mac_is_pinned(&br);

	/* 5. Act, with only the system calls that takes. */
	if (tw_sandbox_enter(err, sizeof(err)) < 0)
		die("%s", err);
	if (!pinned && (r = pin_bridge_mac(&nl, &br)) < 0)
		die("cannot fix the MAC address of bridge '%s': %s", br.name,
		    tw_nl_strerror(&nl, r, err, sizeof(err)));
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
	/* The alias marks the tap as ours for `tapwire gc`: the holder of the
	 * fd can make it persistent, but cannot change its alias. */
	char alias[48];
	snprintf(alias, sizeof(alias), TW_HELPER_ALIAS_PREFIX "uid=%ld", (long)caller.uid);
	/* A bridge port: no IPv6 link-local address (tw_link_come_up says
	 * why), which takes a second message. */
	struct tw_link_change c = TW_LINK_CHANGE_INIT;
	c.mac = mac;
	c.mtu = br.mtu;
	c.master = br.ifindex;
	c.alias = alias;
	r = tw_link_come_up(&nl, tap, &c, true);
	if (r < 0)
		die("cannot attach tap %s to bridge '%s': %s", tap, br.name,
		    tw_nl_strerror(&nl, r, err, sizeof(err)));
	tw_nl_close(&nl);

	/* Logged before QEMU has the tap: a caller that kills us after this
	 * line has its tap and the line; one that kills us before has neither. */
	log_outcome(LOG_INFO, "allowed", "tap created");
	r = tw_fd_send(args.fd, tunfd);
	if (r < 0)
		die("cannot send the tap to QEMU over fd %d: %s", args.fd, strerror(-r));
	return 0;
}

int main(int argc, char **argv)
{
	/* 0. Before anything can fail. */
	tw_priv_harden();
	logctx.uid = getuid();
	take_environment();
	tw_priv_run(helper_main, argc, argv);
}
