/* DHCP and DNS on a bridge: one dnsmasq per bridge, started in the bridge's
 * namespace and bound to that bridge alone (interface=, bind-interfaces:
 * with one interface dnsmasq binds its DHCP socket to the device, so one
 * per bridge can run side by side), with its config, pid file and leases in
 * RUNDIR/dnsmasq/. The key is (ns, bridge, ""). The process is ours when
 * the pid file names a live dnsmasq whose command line reads our config
 * file: a pid reused by another process is never signalled. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kinds/kind.h"

#define DNSMASQ "/usr/sbin/dnsmasq"
#define CONF_MAX 16384

struct paths {
	char dir[512], conf[608], pid[608], leases[608], arg[640];
};

/* RUNDIR/dnsmasq/[NS+]BRIDGE.{conf,pid,leases}: '+' is in no name. */
static void paths_of(struct tw_ctx *c, const struct tw_key *k, struct paths *p)
{
	char base[TW_NSNAME_MAX + IFNAMSIZ + 2];
	snprintf(base, sizeof(base), "%s%s%s", k->ns, k->ns[0] ? "+" : "", k->name);
	snprintf(p->dir, sizeof(p->dir), "%s/dnsmasq", tw_ctx_rundir(c));
	snprintf(p->conf, sizeof(p->conf), "%s/%s.conf", p->dir, base);
	snprintf(p->pid, sizeof(p->pid), "%s/%s.pid", p->dir, base);
	snprintf(p->leases, sizeof(p->leases), "%s/%s.leases", p->dir, base);
	snprintf(p->arg, sizeof(p->arg), "--conf-file=%s", p->conf);
}

static const char *ip4(const struct tw_cidr *a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, a->addr, buf, INET_ADDRSTRLEN) ? buf : "?";
}

/* The config for bridge b: everything on dnsmasq's command line is this
 * file, so /etc/dnsmasq.conf and /etc/hosts never join in. */
static int conf_text(const struct tw_key *k, const struct tw_bridge_spec *b,
		     const struct paths *p, char *buf, size_t len)
{
	const struct tw_bridge_svc *s = b->svc;
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN], mac[TW_MAC_STRLEN];
	size_t n = 0;
#define ADD(...) (n += (size_t)snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	ADD("# dnsmasq of tapwire for bridge %s%s%s; tapwire rewrites this file\n", k->name,
	    k->ns[0] ? " in namespace " : "", k->ns);
	ADD("interface=%s\nbind-interfaces\nexcept-interface=lo\n", k->name);
	ADD("pid-file=%s\ndhcp-leasefile=%s\n", p->pid, p->leases);
	ADD("no-hosts\nstrict-order\ndhcp-authoritative\ndhcp-no-override\n");
	ADD("%s", s->dns ? "domain-needed\nbogus-priv\n" : "port=0\n");
	for (size_t i = 0; i < s->n_ranges; i++)
		ADD("dhcp-range=%s,%s,%s\n", ip4(&s->ranges[i].lo, lo), ip4(&s->ranges[i].hi, hi),
		    s->lease[0] ? s->lease : "1h");
	for (size_t i = 0; i < s->n_hosts; i++) {
		const struct tw_dhcp_host *h = &s->hosts[i];
		tw_mac_format(h->mac, mac);
		ADD("dhcp-host=%s,%s%s%s\n", mac, ip4(&h->ip, lo), h->name[0] ? "," : "", h->name);
		if (h->name[0] && s->dns)
			ADD("host-record=%s,%s\n", h->name, lo);
	}
#undef ADD
	return n < len ? 0 : -E2BIG;
}

/* Whether pid is a live dnsmasq reading our config. */
static bool ours(unsigned long pid, const struct paths *p)
{
	char cmd[4096], path[64];
	snprintf(path, sizeof(path), "/proc/%lu/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0) /* a zombie has no command line: it is gone */
		return false;
	cmd[n] = 0;
	const char *slash = strrchr(cmd, '/');
	if (strcmp(slash ? slash + 1 : cmd, "dnsmasq"))
		return false;
	for (const char *a = cmd; a < cmd + n; a += strlen(a) + 1)
		if (!strcmp(a, p->arg))
			return true;
	return false;
}

/* The pid of our running dnsmasq, 0 when none runs. */
static pid_t running(const struct paths *p)
{
	char buf[32];
	unsigned long pid;
	if (tw_read_small(p->pid, buf, sizeof(buf)) <= 0 || tw_parse_uint(buf, 2, 4194304, &pid) < 0)
		return 0;
	return ours(pid, p) ? (pid_t)pid : 0;
}

/* Whether process fd (a pidfd) has ended within ms: the kernel says so
 * only once the process has closed its files, so its sockets are free. */
static bool ended(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;
	while ((r = poll(&pfd, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

/* Stop our dnsmasq: TERM, then KILL after 2 s, and wait until it has
 * ended. Not the pid file (dnsmasq removes it before it is gone), nor its
 * command line (empty once its memory is released, while its listening
 * sockets are still open: a new dnsmasq would fail to bind them). A pidfd
 * (Linux 5.3) also never signals a pid reused by another process. */
static void stop(const struct paths *p)
{
	pid_t pid = running(p);
	if (!pid)
		return;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || !ours((unsigned long)pid, p)) { /* gone, or reused before the pidfd */
		if (fd >= 0)
			close(fd);
		return;
	}
	syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
	if (!ended(fd, 2000)) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		ended(fd, 2000);
	}
	close(fd);
}

static int write_file(const char *path, const char *text, char *why, size_t len)
{
	char tmp[700];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t n = strlen(text);
	int r = fd < 0 ? -errno : write(fd, text, n) == (ssize_t)n ? 0 : -EIO;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		snprintf(why, len, "%s: %s", path, strerror(-r));
		unlink(tmp);
	}
	return r;
}

/* Start dnsmasq in namespace fd nsfd; it forks into the background once it
 * has bound its sockets, and its first process's exit says whether it could. */
static int spawn(int nsfd, const struct paths *p, char *why, size_t len)
{
	int err[2];
	if (pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	const char *bin = tw_getenv_unprivileged("TAPWIRE_DNSMASQ");
	pid_t pid = fork();
	if (pid == 0) {
		dup2(err[1], 2);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
			_exit(126);
		execl(bin ? bin : DNSMASQ, "dnsmasq", p->arg, (char *)NULL);
		dprintf(2, "cannot run %s: %s (Debian: dnsmasq-base)\n", bin ? bin : DNSMASQ,
			strerror(errno));
		_exit(127);
	}
	close(err[1]);
	int status = 0, r = pid < 0 ? -errno : 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char msg[400] = "";
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	ssize_t n = read(err[0], msg, sizeof(msg) - 1);
	close(err[0]);
	msg[n > 0 ? n : 0] = 0;
	tw_one_line(msg, sizeof(msg), ' ');
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		snprintf(why, len, "dnsmasq failed: %s", msg[0] ? msg : "no message");
		r = -EIO;
	}
	return r;
}

static int dhcp_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live,
		      char *why, size_t len)
{
	struct paths p;
	static char want[CONF_MAX], have[CONF_MAX];
	paths_of(c, &s->key, &p);
	if (!s->spec || !running(&p) || conf_text(&s->key, s->spec, &p, want, sizeof(want)) < 0 ||
	    tw_read_small(p.conf, have, sizeof(have)) < 0)
		return TW_ABSENT;
	size_t n = strlen(want);
	if (n && want[n - 1] == '\n')
		want[n - 1] = 0; /* tw_read_small drops the last newline */
	return strcmp(want, have) ? TW_ABSENT : TW_PRESENT;
}

static void forget_files(const struct paths *p)
{
	unlink(p->conf);
	unlink(p->pid);
	unlink(p->leases);
	rmdir(p->dir); /* when it is empty */
}

static int dhcp_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct paths p;
	static char text[CONF_MAX];
	struct tw_nsctx *e;
	paths_of(c, &s->key, &p);
	int r = conf_text(&s->key, s->spec, &p, text, sizeof(text));
	if (r < 0) {
		snprintf(why, len, "dnsmasq config too long");
		return r;
	}
	if ((r = tw_ctx_get(c, s->key.ns, &e)) < 0) {
		snprintf(why, len, "namespace %s: %s", s->key.ns, strerror(-r));
		return r;
	}
	if (mkdir(tw_ctx_rundir(c), 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0 && mkdir(p.dir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r < 0) {
		snprintf(why, len, "%s: %s", p.dir, strerror(-r));
		return r;
	}
	stop(&p); /* a dnsmasq of an older config */
	unlink(p.pid);
	if ((r = write_file(p.conf, text, why, len)) == 0 && (r = spawn(e->fd, &p, why, len)) == 0 &&
	    !running(&p)) {
		snprintf(why, len, "dnsmasq started but %s names no running dnsmasq", p.pid);
		r = -ESRCH;
	}
	if (r < 0) {
		stop(&p);
		forget_files(&p);
	}
	return r;
}

static int dhcp_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	struct paths p;
	paths_of(c, &rec->key, &p);
	stop(&p);
	forget_files(&p);
	return 0;
}

static bool dhcp_live(struct tw_ctx *c, const struct tw_rec *r)
{
	struct paths p;
	paths_of(c, &r->key, &p);
	return running(&p) != 0;
}

static void dhcp_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96], lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];
	const struct tw_bridge_spec *b = s->spec;
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	if (!b || !b->svc || !b->svc->n_ranges) {
		snprintf(buf, len, "dhcp %s (dnsmasq)", label);
		return;
	}
	const struct tw_bridge_svc *v = b->svc;
	snprintf(buf, len, "dhcp %s: dnsmasq, range %s-%s%s, lease %s, %zu host%s, DNS %s", label,
		 ip4(&v->ranges[0].lo, lo), ip4(&v->ranges[0].hi, hi), v->n_ranges > 1 ? " and more" : "",
		 v->lease[0] ? v->lease : "1h", v->n_hosts, v->n_hosts == 1 ? "" : "s",
		 v->dns ? "on" : "off");
}

const struct tw_kind_ops tw_dhcp_ops = {
	.kind = TW_K_DHCP,
	.probe = dhcp_probe,
	.create = dhcp_create,
	.remove = dhcp_remove,
	.describe = dhcp_describe,
	.live = dhcp_live,
};
