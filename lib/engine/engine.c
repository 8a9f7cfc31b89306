#include "engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "net/addr.h"
#include "kinds/ctx.h"
#include "net/netns.h"
#include "kinds/kind.h"
#include "net/ovs.h"
#include "engine/holders.h"
#include "engine/state.h"
#include "engine/teardown.h"

const char *tw_default_rundir(void)
{
	const char *env = tw_getenv_unprivileged("TAPWIRE_RUNDIR");
	return env ? env : "/run/tapwire";
}

/* A socket and an fd per namespace: a large topology needs more than the
 * usual 1024 descriptors. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static const char *device_kind(enum tw_kind k)
{
	switch (k) {
	case TW_K_BRIDGE: return "bridge";
	case TW_K_VXLAN: return "vxlan";
	case TW_K_VETH: return "veth";
	case TW_K_TAP: return "tun";
	default: return NULL;
	}
}

/* Is the object of a record in the kernel? */
static bool rec_live(struct tw_ctx *c, const struct tw_rec *r)
{
	if (r->key.kind == TW_K_NETNS) {
		int fd = tw_netns_open(r->key.ns);
		if (fd >= 0)
			close(fd);
		return fd >= 0;
	}
	char why[200], ovsbr[IFNAMSIZ];
	if (r->key.kind == TW_K_OVSBR)
		return tw_ovs_bridge_exists(r->key.name, why, sizeof(why)) == 1;
	if (r->key.kind == TW_K_OVSPORT)
		return tw_ovs_port_bridge(r->key.name, ovsbr, why, sizeof(why)) == 1 &&
		       !strcmp(ovsbr, r->data);
	struct tw_nl *nl;
	struct tw_link l;
	if (tw_ctx_nl(c, r->key.ns, &nl) < 0 || tw_link_get(nl, r->key.name, 0, &l) < 0)
		return false;
	const char *kind = device_kind(r->key.kind);
	if (kind && strcmp(kind, l.kind))
		return false;
	if (r->key.kind == TW_K_ADDR) {
		struct tw_cidr want, *have = NULL;
		size_t n = 0;
		bool found = false;
		if (tw_cidr_parse(r->key.arg, false, &want) == 0 &&
		    tw_addr_list(nl, l.ifindex, &have, &n) == 0)
			for (size_t i = 0; i < n && !found; i++)
				found = tw_cidr_equal(&have[i], &want);
		free(have);
		return found;
	}
	if (r->key.kind == TW_K_PORT) {
		int br = tw_ctx_ifindex(c, r->key.ns, r->data);
		return br > 0 && l.master == br;
	}
	return true;
}

/* A run killed between journaling a creation and finishing it: if the
 * object is there, this run's predecessor made it; if not, forget it. */
static int repair(struct tw_ctx *c, struct tw_state *st)
{
	for (size_t i = 0; i < tw_state_count(st); i++) {
		struct tw_rec *r = tw_state_at(st, i);
		if (!r || !r->pending)
			continue;
		struct tw_key key = r->key;
		if (!rec_live(c, r)) {
			/* Killed between creat() and mount(): the placeholder
			 * would show in `ip netns list` for good. */
			if (key.kind == TW_K_NETNS)
				tw_netns_discard_stale(key.ns);
			if (tw_state_forget(st, &key) < 0)
				return -EIO;
			continue;
		}
		char data[sizeof(r->data)];
		tw_strscpy(data, r->data, sizeof(data));
		size_t n = r->n_owners;
		char **owners = calloc(n, sizeof(*owners));
		for (size_t k = 0; owners && k < n; k++)
			owners[k] = strdup(r->owners[k]);
		for (size_t k = 0; owners && k < n; k++)
			if (owners[k])
				tw_state_add(st, &key, true, data, owners[k]);
		for (size_t k = 0; owners && k < n; k++)
			free(owners[k]);
		free(owners);
	}
	return 0;
}

struct run {
	struct tw_state *st;
	struct tw_ctx *ctx;
};

static int run_open(struct run *run, const struct tw_run_opts *o, bool write, struct tw_err *e)
{
	char err[600];
	raise_nofile();
	run->ctx = tw_ctx_new();
	if (!run->ctx)
		return tw_err_set(e, 1, "out of memory");
	int r = tw_state_open(o->rundir ? o->rundir : tw_default_rundir(), write, &run->st, err,
			      sizeof(err));
	if (r < 0) {
		tw_ctx_free(run->ctx);
		return tw_err_set(e, 1, "state: %s", err);
	}
	if (write && repair(run->ctx, run->st) < 0) {
		tw_state_close(run->st);
		tw_ctx_free(run->ctx);
		return tw_err_set(e, 1, "state: %s: cannot record the repair", tw_state_path(run->st));
	}
	return 0;
}

static int run_close(struct run *run, int rc, struct tw_err *e)
{
	int r = tw_state_close(run->st);
	tw_ctx_free(run->ctx);
	if (rc == 0 && r < 0)
		return tw_err_set(e, 1, "cannot write the state file: %s", strerror(-r));
	return rc;
}

int tw_up(const struct tw_net *net, const struct tw_run_opts *o, struct tw_err *e)
{
	struct run run;
	if (run_open(&run, o, !o->dry_run, e) < 0)
		return -1;
	struct tw_plan plan;
	int rc = tw_plan_build(run.ctx, run.st, net, &plan, e);
	if (rc == 0 && o->dry_run) {
		for (size_t i = 0; o->out && i < plan.n; i++)
			if (!plan.v[i].recorded)
				tw_step_print(o->out, &plan.v[i], "");
		if (o->out && !tw_plan_changes(&plan))
			fprintf(o->out, "%s: nothing to do\n", net->owner);
	} else if (rc == 0) {
		struct tw_apply_opts ao = { .out = o->out, .progress = o->progress };
		if (!tw_plan_changes(&plan) && o->out)
			fprintf(o->out, "%s: nothing to do\n", net->owner);
		rc = tw_plan_apply(run.ctx, run.st, &plan, &ao, e);
	}
	tw_plan_free(&plan);
	return run_close(&run, rc, e);
}

static void print_release(FILE *out, const struct tw_rec *r, bool undo, const char *owner)
{
	char key[200];
	tw_key_format(&r->key, key, sizeof(key));
	if (undo)
		fprintf(out, "- %s\n", key);
	else if (r->n_owners > 1)
		fprintf(out, "= %s (kept: still used by %s%s)\n", key,
			 strcmp(r->owners[0], owner) ? r->owners[0] : r->owners[1],
			 r->n_owners > 2 ? " and others" : "");
	else
		fprintf(out, "= %s (kept: tapwire did not create it)\n", key);
}

/* What `down` found in use: refuse (one line each, nothing changed), cut it
 * off (--force, said on out), or keep it (the hook's release). */
static int busy_report(const char *owner, const struct tw_run_opts *o, struct tw_rec *const *undo,
		       const struct tw_busy *busy, int nbusy, struct tw_err *e)
{
	const char *cmd = o->cmd ? o->cmd : "down";
	FILE *err = o->err ? o->err : stderr;
	char line[600];
	for (int i = 0; i < nbusy; i++) {
		tw_busy_format(&busy[i], undo[busy[i].rec], line, sizeof(line));
		if (o->force && o->out)
			fprintf(o->out, "! %s: %s (--force)\n", line,
				busy[i].port[0] ? "cut off" : "removed anyway");
		else if (o->keep_busy && o->out)
			fprintf(o->out, "= %s: kept, on record for %s\n", line, owner);
		else if (!o->force && !o->keep_busy)
			fprintf(err, "tapwire: %s %s: %s; --force removes %s anyway\n", cmd, owner, line,
				busy[i].port[0] ? "it" : "the tap");
	}
	if (o->force || o->keep_busy)
		return 0;
	return tw_err_set(e, TW_EXIT_REFUSED, "%s %s: refused: %d in use, nothing removed%s; --force "
			  "removes %s anyway", cmd, owner, nbusy, o->dry_run ? " (dry run)" : "",
			  nbusy == 1 ? "it" : "them");
}

/* The records to keep when the busy bridge or tap b is kept: the object,
 * what is set on it (addresses, settings), and its namespace. */
static bool kept_with(const struct tw_rec *r, const struct tw_rec *b)
{
	if (r->key.kind == TW_K_NETNS)
		return b->key.ns[0] && !strcmp(r->key.ns, b->key.ns);
	return !strcmp(r->key.ns, b->key.ns) && !strcmp(r->key.name, b->key.name) &&
	       (r->key.kind == b->key.kind || r->key.kind == TW_K_ADDR ||
		r->key.kind == TW_K_ATTR || r->key.kind == TW_K_FDB);
}

int tw_down(const char *owner, const struct tw_run_opts *o, struct tw_err *e)
{
	struct run run;
	if (run_open(&run, o, !o->dry_run, e) < 0)
		return -1;
	size_t n = tw_state_count(run.st), nmine = 0, nundo = 0;
	struct tw_rec *mine = calloc(n + 1, sizeof(*mine));
	struct tw_rec **undo = calloc(n + 1, sizeof(*undo));
	bool *act = calloc(n + 1, sizeof(*act)), *keep = calloc(n + 1, sizeof(*keep));
	struct tw_busy *busy = NULL;
	int rc = 0, nbusy = 0;
	if (!mine || !undo || !act || !keep) {
		rc = tw_err_set(e, 1, "out of memory");
		goto out;
	}
	/* Listed in the order of removal: the last kind made first. */
	for (int k = TW_K__MAX - 1; k >= 0; k--) {
		for (size_t i = 0; i < n; i++) {
			struct tw_rec *r = tw_state_at(run.st, i);
			if (!r || (int)r->key.kind != k || !tw_rec_has_owner(r, owner))
				continue;
			mine[nmine] = *r; /* a shallow copy: keys and data only are used */
			act[nmine] = r->n_owners == 1 && (r->created || r->key.kind == TW_K_ATTR ||
							 r->key.kind == TW_K_PORT);
			if (act[nmine])
				undo[nundo++] = &mine[nmine];
			nmine++;
		}
	}
	/* Decided before anything changes: a refusal leaves all as it was. */
	char why[256] = "";
	if (nundo && (nbusy = tw_teardown_busy(run.ctx, run.st, owner, undo, nundo, &busy, why,
					       sizeof(why))) < 0) {
		rc = tw_err_set(e, 1, "%s: cannot tell what is in use: %s", owner, why);
		goto out;
	}
	if (nbusy && (rc = busy_report(owner, o, undo, busy, nbusy, e)) < 0)
		goto out;
	for (int b = 0; o->keep_busy && b < nbusy; b++)
		for (size_t i = 0; i < nmine; i++)
			keep[i] |= kept_with(&mine[i], undo[busy[b].rec]);
	nundo = 0;
	for (size_t i = 0; i < nmine; i++) {
		if (act[i] && !keep[i])
			undo[nundo++] = &mine[i];
		if (o->out && !keep[i])
			print_release(o->out, &mine[i], act[i], owner);
	}
	if (!nmine && o->out)
		fprintf(o->out, "%s: nothing on record\n", owner);
	if (!o->dry_run) {
		int r = tw_teardown(run.ctx, undo, nundo, why, sizeof(why));
		for (size_t i = 0; i < nmine; i++)
			if (!keep[i])
				tw_state_drop(run.st, &mine[i].key, owner);
		if (r < 0)
			rc = tw_err_set(e, 1, "%s: releasing: %s", owner, why[0] ? why : strerror(-r));
	}
out:
	free(busy);
	free(mine);
	free(undo);
	free(act);
	free(keep);
	return run_close(&run, rc, e);
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* ---- status: the ports of each bridge on record, as the kernel has them */

struct port_view {
	const struct tw_port *p;
	const char *owner;       /* a tapwire owner of the port, NULL: foreign */
	char peer[TW_NSNAME_MAX + IFNAMSIZ + 4];
	struct tw_holder holder; /* a held tap's holder */
};

/* A veth's other end: "[ns] name" from the record, else what the kernel says. */
static void veth_peer(const struct tw_rec *r, const char *ns, const char *name, char *buf,
		      size_t len)
{
	buf[0] = 0;
	if (r && r->key.kind == TW_K_VETH) {
		const char *slash = strchr(r->data, '/');
		char pns[TW_NSNAME_MAX] = "";
		if (!slash)
			return;
		if (!strcmp(r->key.ns, ns) && !strcmp(r->key.name, name)) {
			size_t n = (size_t)(slash - r->data);
			memcpy(pns, r->data, n < sizeof(pns) ? n : sizeof(pns) - 1);
			tw_dev_label(pns, slash + 1, buf, len);
		} else {
			tw_dev_label(r->key.ns, r->key.name, buf, len);
		}
	}
}

static void port_view(struct tw_state *st, const struct tw_rec *br, const struct tw_port *p,
		      const struct tw_holders *h, struct port_view *v)
{
	memset(v, 0, sizeof(*v));
	v->p = p;
	const struct tw_rec *r = tw_teardown_dev_rec(st, br->key.ns, p->name);
	v->owner = r ? r->owners[0] : NULL;
	veth_peer(r, br->key.ns, p->name, v->peer, sizeof(v->peer));
	if (!v->peer[0] && p->peer[0])
		tw_strscpy(v->peer, p->peer, sizeof(v->peer));
	else if (!v->peer[0] && p->peer_elsewhere)
		tw_strscpy(v->peer, "(another namespace)", sizeof(v->peer));
	if (!strcmp(p->kind, "tun") && p->carrier)
		tw_holders_find(h, p->name, &v->holder);
}

/* The live ports of bridge record r; 0 with none when it is not live. */
static int ports_of(struct tw_ctx *c, const struct tw_rec *r, struct tw_port **ports, size_t *n)
{
	struct tw_nl *nl;
	struct tw_link l;
	*ports = NULL;
	*n = 0;
	if (r->key.kind != TW_K_BRIDGE || tw_ctx_nl(c, r->key.ns, &nl) < 0 ||
	    tw_link_get(nl, r->key.name, 0, &l) < 0 || strcmp(l.kind, "bridge"))
		return 0;
	return tw_bridge_ports(nl, l.ifindex, ports, n);
}

typedef void bridge_fn(FILE *out, const struct tw_rec *br, const struct port_view *v, size_t n,
		       bool first);

/* fn on each bridge on record, with its ports; /proc is read once. */
static void each_bridge(FILE *out, struct tw_ctx *c, struct tw_state *st, bridge_fn *fn)
{
	struct tw_holders h = { NULL, 0, 0 };
	bool scanned = false, first = true;
	for (size_t i = 0; i < tw_state_count(st); i++) {
		const struct tw_rec *r = tw_state_at(st, i);
		struct tw_port *ports;
		size_t n;
		if (!r || r->key.kind != TW_K_BRIDGE || ports_of(c, r, &ports, &n) < 0)
			continue;
		for (size_t k = 0; k < n && !scanned; k++)
			if (!strcmp(ports[k].kind, "tun") && ports[k].carrier)
				scanned = true, tw_holders_scan(&h);
		struct port_view *v = calloc(n + 1, sizeof(*v));
		for (size_t k = 0; v && k < n; k++)
			port_view(st, r, &ports[k], &h, &v[k]);
		if (v)
			fn(out, r, v, n, first);
		first = false;
		free(v);
		free(ports);
	}
	tw_holders_free(&h);
}

static void bridge_json(FILE *out, const struct tw_rec *br, const struct port_view *v, size_t n,
			bool first)
{
	fprintf(out, "%s{\"netns\":", first ? "" : ",");
	json_str(out, br->key.ns);
	fputs(",\"name\":", out);
	json_str(out, br->key.name);
	fputs(",\"ports\":[", out);
	for (size_t k = 0; k < n; k++) {
		fprintf(out, "%s{\"name\":", k ? "," : "");
		json_str(out, v[k].p->name);
		fputs(",\"kind\":", out);
		json_str(out, v[k].p->kind);
		fputs(",\"owner\":", out);
		v[k].owner ? json_str(out, v[k].owner) : (void)fputs("null", out);
		fputs(",\"peer\":", out);
		v[k].peer[0] ? json_str(out, v[k].peer) : (void)fputs("null", out);
		bool tap = !strcmp(v[k].p->kind, "tun");
		fprintf(out, ",\"held\":%s,\"holder\":", tap && v[k].p->carrier ? "true" : "false");
		if (v[k].holder.pid) {
			fprintf(out, "{\"pid\":%ld,\"comm\":", (long)v[k].holder.pid);
			json_str(out, v[k].holder.comm);
			fputs(",\"domain\":", out);
			v[k].holder.domain[0] ? json_str(out, v[k].holder.domain) : (void)fputs("null", out);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("]}", out);
}

static void bridge_text(FILE *out, const struct tw_rec *br, const struct port_view *v, size_t n,
			bool first)
{
	char dev[TW_NSNAME_MAX + IFNAMSIZ + 4], what[200];
	(void)first;
	tw_dev_label(br->key.ns, br->key.name, dev, sizeof(dev));
	fprintf(out, "bridge %s: %zu port%s\n", dev, n, n == 1 ? "" : "s");
	for (size_t k = 0; k < n; k++) {
		const struct port_view *p = &v[k];
		bool tap = !strcmp(p->p->kind, "tun");
		if (tap && p->p->carrier) {
			char h[160];
			tw_holder_format(&p->holder, h, sizeof(h));
			snprintf(what, sizeof(what), "held by %s", h);
		} else if (tap) {
			snprintf(what, sizeof(what), "held by nobody");
		} else {
			snprintf(what, sizeof(what), "%s%s", p->peer[0] ? "peer " : "", p->peer);
		}
		fprintf(out, "  port %-15s %-6s %-16s %s\n", p->p->name,
			tap ? "tap" : (p->p->kind[0] ? p->p->kind : "-"),
			p->owner ? p->owner : "(not tapwire's)", what);
	}
}

static void status_json(FILE *out, struct tw_ctx *c, struct tw_state *st)
{
	fputs("{\"state\":", out);
	json_str(out, tw_state_path(st));
	fputs(",\"objects\":[", out);
	bool first = true;
	for (size_t i = 0; i < tw_state_count(st); i++) {
		struct tw_rec *r = tw_state_at(st, i);
		if (!r)
			continue;
		fprintf(out, "%s{\"kind\":", first ? "" : ",");
		first = false;
		json_str(out, tw_kind_name(r->key.kind));
		fputs(",\"netns\":", out);
		json_str(out, r->key.ns);
		fputs(",\"name\":", out);
		json_str(out, r->key.name);
		fputs(",\"arg\":", out);
		json_str(out, r->key.arg);
		fputs(",\"data\":", out);
		json_str(out, r->data);
		if (r->key.kind == TW_K_VETH) {
			char peer[TW_NSNAME_MAX + IFNAMSIZ + 4];
			veth_peer(r, r->key.ns, r->key.name, peer, sizeof(peer));
			fputs(",\"peer\":", out);
			json_str(out, peer);
		}
		fprintf(out, ",\"created\":%s,\"live\":%s,\"owners\":[", r->created ? "true" : "false",
			rec_live(c, r) ? "true" : "false");
		for (size_t k = 0; k < r->n_owners; k++) {
			if (k)
				fputc(',', out);
			json_str(out, r->owners[k]);
		}
		fputs("]}", out);
	}
	fputs("],\"bridges\":[", out);
	each_bridge(out, c, st, bridge_json);
	fputs("]}\n", out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void owner_text(FILE *out, struct tw_ctx *c, struct tw_state *st, const char *owner)
{
	fprintf(out, "owner %s\n", owner);
	for (int k = 0; k < TW_K__MAX; k++)
		for (size_t i = 0; i < tw_state_count(st); i++) {
			struct tw_rec *r = tw_state_at(st, i);
			if (!r || (int)r->key.kind != k || !tw_rec_has_owner(r, owner))
				continue;
			char key[200], peer[TW_NSNAME_MAX + IFNAMSIZ + 12] = "";
			tw_key_format(&r->key, key, sizeof(key));
			if (k == TW_K_VETH) {
				strcpy(peer, "  peer ");
				veth_peer(r, r->key.ns, r->key.name, peer + 7, sizeof(peer) - 7);
			}
			fprintf(out, "  %-48s %-8s %s%s%s\n", key, r->created ? "created" : "used",
				rec_live(c, r) ? "live" : "MISSING", r->n_owners > 1 ? "  shared" : "",
				peer);
		}
}

static void status_text(FILE *out, struct tw_ctx *c, struct tw_state *st)
{
	/* The owners, sorted, then each one's objects. */
	size_t n = tw_state_count(st), nown = 0, nobj = 0;
	const char **owners = calloc(n * 2 + 1, sizeof(*owners));
	for (size_t i = 0; owners && i < n; i++) {
		struct tw_rec *r = tw_state_at(st, i);
		nobj += r != NULL;
		for (size_t k = 0; r && k < r->n_owners; k++) {
			bool seen = false;
			for (size_t j = 0; j < nown && !seen; j++)
				seen = !strcmp(owners[j], r->owners[k]);
			if (!seen) {
				const char **grown = owners;
				if (nown >= n * 2)
					grown = realloc(owners, (nown * 2 + 1) * sizeof(*owners));
				if (!grown)
					break;
				owners = grown;
				owners[nown++] = r->owners[k];
			}
		}
	}
	if (!owners || !nown) {
		fprintf(out, "nothing on record\n");
		free(owners);
		return;
	}
	qsort(owners, nown, sizeof(*owners), cmp_str);
	fprintf(out, "tapwire status: %zu owner%s, %zu object%s on record in %s\n", nown,
		nown == 1 ? "" : "s", nobj, nobj == 1 ? "" : "s", tw_state_path(st));
	for (size_t j = 0; j < nown; j++)
		owner_text(out, c, st, owners[j]);
	each_bridge(out, c, st, bridge_text);
	free(owners);
}

int tw_status(FILE *out, bool json, const struct tw_run_opts *o, struct tw_err *e)
{
	struct run run;
	if (run_open(&run, o, false, e) < 0)
		return -1;
	if (json)
		status_json(out, run.ctx, run.st);
	else
		status_text(out, run.ctx, run.st);
	return run_close(&run, 0, e);
}
