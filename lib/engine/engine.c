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

int tw_down(const char *owner, const struct tw_run_opts *o, struct tw_err *e)
{
	struct run run;
	if (run_open(&run, o, !o->dry_run, e) < 0)
		return -1;
	size_t n = tw_state_count(run.st), nmine = 0, nundo = 0;
	struct tw_rec *mine = calloc(n + 1, sizeof(*mine));
	struct tw_rec **undo = calloc(n + 1, sizeof(*undo));
	if (!mine || !undo) {
		free(mine);
		free(undo);
		return run_close(&run, tw_err_set(e, 1, "out of memory"), e);
	}
	/* Listed in the order of removal: the last kind made first. */
	for (int k = TW_K__MAX - 1; k >= 0; k--) {
		for (size_t i = 0; i < n; i++) {
			struct tw_rec *r = tw_state_at(run.st, i);
			if (!r || (int)r->key.kind != k || !tw_rec_has_owner(r, owner))
				continue;
			bool last = r->n_owners == 1;
			bool act = last && (r->created || r->key.kind == TW_K_ATTR ||
					    r->key.kind == TW_K_PORT);
			if (o->out)
				print_release(o->out, r, act, owner);
			mine[nmine] = *r; /* a shallow copy: keys and data only are used */
			if (act)
				undo[nundo++] = &mine[nmine];
			nmine++;
		}
	}
	int rc = 0;
	if (!nmine && o->out)
		fprintf(o->out, "%s: nothing on record\n", owner);
	if (!o->dry_run) {
		char why[256] = "";
		int r = tw_teardown(run.ctx, undo, nundo, why, sizeof(why));
		for (size_t i = 0; i < nmine; i++)
			tw_state_drop(run.st, &mine[i].key, owner);
		if (r < 0)
			rc = tw_err_set(e, 1, "%s: releasing: %s", owner, why[0] ? why : strerror(-r));
	}
	free(mine);
	free(undo);
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

static void status_json(FILE *out, struct tw_ctx *c, struct tw_state *st)
{
	fputs("{\"objects\":[", out);
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
		fprintf(out, ",\"created\":%s,\"live\":%s,\"owners\":[", r->created ? "true" : "false",
			rec_live(c, r) ? "true" : "false");
		for (size_t k = 0; k < r->n_owners; k++) {
			if (k)
				fputc(',', out);
			json_str(out, r->owners[k]);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void status_text(FILE *out, struct tw_ctx *c, struct tw_state *st)
{
	/* The owners, sorted, then each one's objects. */
	size_t n = tw_state_count(st), nown = 0;
	const char **owners = calloc(n * 2 + 1, sizeof(*owners));
	for (size_t i = 0; owners && i < n; i++) {
		struct tw_rec *r = tw_state_at(st, i);
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
	for (size_t j = 0; j < nown; j++) {
		fprintf(out, "owner %s\n", owners[j]);
		for (int k = 0; k < TW_K__MAX; k++)
			for (size_t i = 0; i < n; i++) {
				struct tw_rec *r = tw_state_at(st, i);
				if (!r || (int)r->key.kind != k || !tw_rec_has_owner(r, owners[j]))
					continue;
				char key[200];
				tw_key_format(&r->key, key, sizeof(key));
				fprintf(out, "  %-48s %-8s %s%s\n", key, r->created ? "created" : "used",
					rec_live(c, r) ? "live" : "MISSING",
					r->n_owners > 1 ? "  shared" : "");
			}
	}
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
