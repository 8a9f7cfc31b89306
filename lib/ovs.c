/* Open vSwitch bridges and the ports on them, through ovs-vsctl (see ovs.h).
 *
 * Two kinds. An OVS bridge: key ("", name); made with add-br, its device
 * (ovs-vswitchd's: kind "openvswitch" on the kernel datapath, a tap on the
 * userspace one) brought up by netlink; removed with del-br. An OVS port:
 * key ("", dev), data the bridge; added with add-port and, for a guest NIC,
 * the external ids OVN reads (iface-id, attached-mac, iface-status);
 * removed with del-port, and only from the bridge tapwire put it on.
 * Both live where ovs-vswitchd runs, which is where tapwire runs (use
 * --netns for another namespace). */
#include "ovs.h"

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

#include "obj.h"

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
	const char *env = secure ? NULL : getenv("TAPWIRE_OVS_VSCTL");
	const char *prog = env && *env ? env : secure ? OVS_VSCTL : "ovs-vsctl";
	const char *db = secure ? NULL : getenv("TAPWIRE_OVSDB");
	char dbopt[512];
	const char *argv[40];
	size_t n = 0;
	argv[n++] = prog;
	argv[n++] = "--timeout=" STR(TW_OVS_TIMEOUT_S);
	if (db && *db) {
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

/* Run args; 0, or -errno with why set. */
static int vsctl_do(const char *const *args, char *why, size_t len)
{
	char said[400];
	int r = tw_ovs_vsctl(args, said, sizeof(said));
	return r == 0 ? 0 : vsctl_failed(r, said, why, len);
}

/* KEY="VALUE" in OVSDB's syntax for a string (a C string: \ and " escaped). */
static void quoted(char *buf, size_t len, const char *key, const char *value)
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

/* ---- OVS bridges */

static int br_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		    size_t len)
{
	int r = tw_ovs_bridge_exists(s->key.name, why, len);
	if (r < 0)
		return r;
	if (r == 0) {
		/* Not OVS's: a device of that name is in the way. */
		r = tw_dev_probe(c, s->key.ns, s->key.name, NULL, live, why, len);
		if (r == TW_PRESENT) {
			const char *k = live->kind[0] ? live->kind : "non-virtual";
			snprintf(why, len, "%s %s device of that name exists already, not in Open vSwitch",
				 strchr("aeiou", k[0]) ? "an" : "a", k);
			return -EEXIST;
		}
		return r;
	}
	r = tw_dev_probe(c, s->key.ns, s->key.name, NULL, live, why, len);
	if (r == TW_ABSENT) {
		snprintf(why, len, "it is in the Open vSwitch database but has no device (is ovs-vswitchd running?)");
		return -ENODEV;
	}
	return r;
}

/* ovs-vswitchd makes the bridge's device once the database says so, and
 * ovs-vsctl waits for that; it comes down, as new devices do. */
static int bring_up(struct tw_ctx *c, const char *ns, const char *name, char *why, size_t len)
{
	struct tw_nl *nl;
	int r = tw_ctx_nl(c, ns, &nl);
	for (int tries = 0; r == 0; tries++) {
		struct tw_link_change ch = TW_LINK_CHANGE_INIT;
		ch.up = 1;
		r = tw_link_change_by_name(nl, name, &ch);
		if (r != -ENODEV || tries == 40)
			break;
		usleep(50 * 1000);
		r = 0;
	}
	if (r < 0)
		snprintf(why, len, "cannot bring its device up: %s", strerror(-r));
	return r;
}

static int br_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_bridge_spec *b = s->spec;
	const char *args[24];
	char dp[48], hw[64], mtu[32], macs[TW_MAC_STRLEN];
	size_t n = 0;
	args[n++] = "--may-exist";
	args[n++] = "add-br";
	args[n++] = b->name;
	args[n++] = "--";
	args[n++] = "set";
	args[n++] = "Bridge";
	args[n++] = b->name;
	/* Its MAC would follow its ports' otherwise, as a Linux bridge's
	 * does (see bridge.c): a fixed one, given or random. */
	uint8_t mac[TW_MAC_LEN];
	if (b->has_mac) {
		memcpy(mac, b->mac, TW_MAC_LEN);
	} else if (tw_random(mac, TW_MAC_LEN) < 0) {
		snprintf(why, len, "no random bytes for a MAC");
		return -EIO;
	}
	mac[0] = b->has_mac ? mac[0] : (uint8_t)((mac[0] & 0xfc) | 0x02);
	tw_mac_format(mac, macs);
	quoted(hw, sizeof(hw), "other_config:hwaddr", macs);
	args[n++] = hw;
	if (b->datapath[0]) {
		snprintf(dp, sizeof(dp), "datapath_type=%s", b->datapath);
		args[n++] = dp;
	}
	if (b->stp != TW_UNSET)
		args[n++] = b->stp ? "stp_enable=true" : "stp_enable=false";
	if (s->mtu) {
		snprintf(mtu, sizeof(mtu), "mtu_request=%u", s->mtu);
		args[n++] = "--";
		args[n++] = "set";
		args[n++] = "Interface";
		args[n++] = b->name;
		args[n++] = mtu;
	}
	args[n] = NULL;
	int r = vsctl_do(args, why, len);
	if (r == 0 && (r = bring_up(c, s->key.ns, b->name, why, len)) < 0) {
		const char *undo[] = { "--if-exists", "del-br", b->name, NULL };
		tw_ovs_vsctl(undo, NULL, 0);
	}
	return r;
}

static int br_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	const char *args[] = { "--if-exists", "del-br", rec->key.name, NULL };
	return vsctl_do(args, why, len);
}

static void br_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_bridge_spec *b = s->spec;
	char mtu[24] = "";
	if (s->mtu)
		snprintf(mtu, sizeof(mtu), " mtu %u", s->mtu);
	const char *stp = !b || b->stp == TW_UNSET ? "" : b->stp ? " stp on" : " stp off";
	snprintf(buf, len, "ovs-bridge %s%s%s%s%s", s->key.name, b && b->datapath[0] ? " datapath " : "",
		 b ? b->datapath : "", mtu, stp);
}

const struct tw_kind_ops tw_ovsbr_ops = {
	.kind = TW_K_OVSBR,
	.probe = br_probe,
	.create = br_create,
	.remove = br_remove,
	.describe = br_describe,
};

/* ---- ports on OVS bridges */

static int port_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live,
		      char *why, size_t len)
{
	char br[IFNAMSIZ];
	memset(live, 0, sizeof(*live));
	int r = tw_ovs_port_bridge(s->key.name, br, why, len);
	if (r <= 0)
		return r < 0 ? r : TW_ABSENT;
	if (strcmp(br, s->data)) {
		snprintf(why, len, "it is a port of Open vSwitch bridge %s already", br);
		return -EEXIST;
	}
	return TW_PRESENT;
}

static int port_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_ovs_port_spec *p = s->spec;
	const char *args[16];
	char id[160], mac[64], macs[TW_MAC_STRLEN];
	size_t n = 0;
	args[n++] = "--may-exist";
	args[n++] = "add-port";
	args[n++] = s->data;
	args[n++] = s->key.name;
	/* What libvirt sets for <virtualport type='openvswitch'>, and what
	 * ovn-controller binds a logical port by. */
	if (p && (p->iface_id[0] || p->has_mac)) {
		args[n++] = "--";
		args[n++] = "set";
		args[n++] = "Interface";
		args[n++] = s->key.name;
		if (p->iface_id[0]) {
			quoted(id, sizeof(id), "external_ids:iface-id", p->iface_id);
			args[n++] = id;
		}
		if (p->has_mac) {
			tw_mac_format(p->mac, macs);
			quoted(mac, sizeof(mac), "external_ids:attached-mac", macs);
			args[n++] = mac;
		}
		args[n++] = "external_ids:iface-status=active";
	}
	args[n] = NULL;
	return vsctl_do(args, why, len);
}

static int port_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	char br[IFNAMSIZ];
	int r = tw_ovs_port_bridge(rec->key.name, br, why, len);
	if (r <= 0 || strcmp(br, rec->data))
		return r; /* gone, or moved since: not ours to undo */
	const char *args[] = { "--if-exists", "del-port", rec->data, rec->key.name, NULL };
	return vsctl_do(args, why, len);
}

static void port_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_ovs_port_spec *p = s->spec;
	char id[96] = "", mac[40] = "";
	if (p && p->iface_id[0])
		snprintf(id, sizeof(id), " iface-id %s", p->iface_id);
	if (p && p->has_mac) {
		char m[TW_MAC_STRLEN];
		tw_mac_format(p->mac, m);
		snprintf(mac, sizeof(mac), " attached-mac %s", m);
	}
	snprintf(buf, len, "ovs-port %s on %s%s%s", s->key.name, s->data, id, mac);
}

const struct tw_kind_ops tw_ovsport_ops = {
	.kind = TW_K_OVSPORT,
	.probe = port_probe,
	.create = port_create,
	.remove = port_remove,
	.describe = port_describe,
};
