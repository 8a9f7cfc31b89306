#include "engine/evpn-check.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "engine/state.h"
#include "kinds/ctx.h"
#include "net/brport.h"

extern char **environ;

#define OUT_MAX (1u << 20) /* a few thousand VNIs of JSON */

#define STR_(x) #x
#define STR(x) STR_(x)

/* vtysh's standard output, with the whitespace of its pretty JSON taken
 * out (FRR's names and values hold none). coreutils' timeout bounds it:
 * a zebra that accepts the connection and never answers would otherwise
 * hold vtysh, and us, forever. Its exit status (124: timed out, 127: no
 * vtysh), or -errno. */
static int vtysh(const char *ns, const char *cmd, char *out, size_t len)
{
	const char *prog = tw_getenv_unprivileged("TAPWIRE_VTYSH");
	const char *argv[12];
	size_t n = 0;
	argv[n++] = "timeout";
	argv[n++] = "-k1";
	argv[n++] = STR(TW_EVPN_VTYSH_TIMEOUT_S);
	argv[n++] = prog ? prog : "vtysh";
	if (ns[0]) {
		argv[n++] = "-N";
		argv[n++] = ns;
	}
	argv[n++] = "-c";
	argv[n++] = cmd;
	argv[n] = NULL;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	/* vtysh complains about its own missing vtysh.conf there. */
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	/* The argv strings are never written to: posix_spawn's prototype predates const. */
	int r = posix_spawnp(&pid, "timeout", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r != 0) {
		close(pfd[0]);
		return -r;
	}
	size_t got = 0;
	char buf[4096];
	ssize_t k;
	while ((k = read(pfd[0], buf, sizeof(buf))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		for (ssize_t i = 0; i < k; i++)
			if (!isspace((unsigned char)buf[i]) && got + 1 < len)
				out[got++] = buf[i];
	}
	out[got] = 0;
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 124;
}

/* Why vtysh failed, from its exit status and which daemon it could not
 * reach: zebra answered already when bgp is set. */
static int not_answered(int r, const char *ns, bool bgp, char *why, size_t len)
{
	char space[TW_NSNAME_MAX + 16] = "";
	if (ns[0])
		snprintf(space, sizeof(space), " (pathspace %s)", ns);
	if (r == 127)
		snprintf(why, len, "FRR is not installed: no vtysh (Debian: frr)");
	else if (r == 124)
		snprintf(why, len, "FRR%s did not answer in %d s", space, TW_EVPN_VTYSH_TIMEOUT_S);
	else if (bgp)
		snprintf(why, len, "no bgpd runs%s: start it with advertise-all-vni (doc/evpn.md)", space);
	else
		snprintf(why, len, "no zebra runs%s: start zebra and bgpd (doc/evpn.md)", space);
	return 0;
}

/* The VNI zebra lists for device vxlan in `show evpn vni json`, whose
 * entries read "42":{"vni":42,"type":"L2","vxlanIf":"vx42",...}. */
static long vni_of(const char *json, const char *vxlan)
{
	char want[IFNAMSIZ + 16];
	snprintf(want, sizeof(want), "\"vxlanIf\":\"%s\"", vxlan);
	const char *hit = strstr(json, want);
	const char *key = "\"vni\":";
	const char *at = NULL;
	for (const char *p = json; hit && (p = strstr(p, key)) && p < hit; p++)
		at = p;
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* zebra's and bgpd's view, asked in that order: without zebra vtysh
 * reaches nothing, and without bgpd zebra lists no VNI at all. */
static int served(const char *ns, const char *vxlan, char *zebra, char *bgp, char *why,
		  size_t len)
{
	int r = vtysh(ns, "show evpn vni json", zebra, OUT_MAX);
	bool zebra_ok = r == 0;
	if (zebra_ok)
		r = vtysh(ns, "show bgp l2vpn evpn vni json", bgp, OUT_MAX);
	if (r < 0) {
		snprintf(why, len, "cannot run vtysh: %s", strerror(-r));
		return r;
	}
	if (r > 0)
		return not_answered(r, ns, zebra_ok, why, len);
	if (!strstr(bgp, "\"advertiseAllVnis\":\"Enabled\"")) {
		snprintf(why, len, "bgpd does not advertise-all-vni (address-family l2vpn evpn)");
		return 0;
	}
	long vni = vni_of(zebra, vxlan);
	char entry[64];
	snprintf(entry, sizeof(entry), "\"%ld\":{\"vni\":%ld,", vni, vni);
	if (vni < 0)
		snprintf(why, len, "zebra knows no VNI on %s: is it up, on a bridge, with local=?", vxlan);
	else if (!strstr(bgp, entry))
		snprintf(why, len, "bgpd does not advertise VNI %ld of %s", vni, vxlan);
	else
		snprintf(why, len, "VNI %ld of %s advertised by BGP EVPN", vni, vxlan);
	return vni >= 0 && strstr(bgp, entry);
}

int tw_evpn_served(const char *ns, const char *vxlan, char *why, size_t len)
{
	char *zebra = malloc(OUT_MAX), *bgp = malloc(OUT_MAX);
	int r = -ENOMEM;
	why[0] = 0;
	if (zebra && bgp) {
		zebra[0] = bgp[0] = 0;
		r = served(ns, vxlan, zebra, bgp, why, len);
	}
	free(zebra);
	free(bgp);
	return r;
}

static bool is_evpn(struct tw_ctx *c, const struct tw_key *k)
{
	struct tw_nl *nl;
	struct tw_link l;
	return tw_ctx_nl(c, k->ns, &nl) == 0 && tw_link_get(nl, k->name, 0, &l) == 0 &&
	       !strcmp(l.kind, "vxlan") && l.vx.learning == 0 && l.brport.learning == 0 &&
	       l.brport.neigh_suppress == 1;
}

int tw_evpn_each(const char *rundir, const char *here, tw_evpn_fn *fn, void *arg, char *err,
		 size_t errlen)
{
	struct tw_state *st;
	int r = tw_state_open(rundir, TW_STATE_PEEK, &st, err, errlen);
	if (r < 0)
		return r;
	struct tw_ctx *c = tw_ctx_new();
	int n = c ? 0 : -ENOMEM;
	for (size_t i = 0; c && i < tw_state_count(st); i++) {
		const struct tw_rec *rec = tw_state_at(st, i);
		if (!rec || rec->key.kind != TW_K_VXLAN || !is_evpn(c, &rec->key))
			continue;
		fn(arg, rec->key.ns[0] ? rec->key.ns : here, rec->key.ns, rec->key.name);
		n++;
	}
	if (n < 0)
		snprintf(err, errlen, "%s", strerror(-n));
	tw_ctx_free(c);
	tw_state_close(st);
	return n;
}
