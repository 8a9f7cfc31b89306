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
#include "engine/run.h"
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
	case TW_K_TUN: return "tun";
	case TW_K_MACVLAN: return "macvlan";
	case TW_K_MACVTAP: return "macvtap";
	default: return NULL;
	}
}

/* Is the object of a record in the kernel? */
bool tw_rec_live(struct tw_ctx *c, const struct tw_rec *r)
{
	const struct tw_kind_ops *ops = tw_kind_ops(r->key.kind);
	if (ops && ops->live)
		return ops->live(c, r);
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
		if (!tw_rec_live(c, r)) {
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

int tw_run_open(struct tw_run *run, const struct tw_run_opts *o, bool write, struct tw_err *e)
{
	char err[600];
	raise_nofile();
	run->ctx = tw_ctx_new();
	if (!run->ctx)
		return tw_err_set(e, 1, "out of memory");
	tw_ctx_set_rundir(run->ctx, o->rundir ? o->rundir : tw_default_rundir());
	int r = tw_state_open(o->rundir ? o->rundir : tw_default_rundir(),
			      write ? 1 : o->dry_run ? TW_STATE_PEEK : 0, &run->st, err, sizeof(err));
	if (r < 0) {
		tw_ctx_free(run->ctx);
		return tw_err_set(e, 1, "state: %s%s", err, r == -EACCES || r == -EPERM
				  ? " (tapwire must run as root)" : "");
	}
	if (write && repair(run->ctx, run->st) < 0) {
		tw_state_close(run->st);
		tw_ctx_free(run->ctx);
		return tw_err_set(e, 1, "state: %s: cannot record the repair", tw_state_path(run->st));
	}
	return 0;
}

int tw_run_close(struct tw_run *run, int rc, struct tw_err *e)
{
	int r = tw_state_close(run->st);
	tw_ctx_free(run->ctx);
	if (rc == 0 && r < 0)
		return tw_err_set(e, 1, "cannot write the state file: %s", strerror(-r));
	return rc;
}

static int busy_report(const char *owner, const struct tw_run_opts *o, struct tw_report *rep,
		       struct tw_rec *const *undo, const struct tw_busy *busy, int nbusy,
		       struct tw_err *e);

/* Where a run says its steps: the caller's report, or text lines on o->out
 * through local; the owner is known from here on. */
static struct tw_report *report_of(const struct tw_run_opts *o, struct tw_report *local,
				   const char *owner)
{
	struct tw_report *r = o->report;
	if (!r) {
		r = local;
		tw_report_init(r, o->out, false, o->cmd, NULL, o->dry_run);
	}
	tw_report_owner(r, owner);
	return r;
}

/* The removals of a converging up obey what down obeys: nothing in use is
 * cut off unless --force says so. Decided before anything changes. */
static int up_busy(struct tw_run *run, const struct tw_plan *p, const struct tw_run_opts *o,
		   struct tw_report *rep, struct tw_err *e)
{
	struct tw_rec *recs, **undo;
	struct tw_busy *busy = NULL;
	int n = tw_plan_removals(p, 0, p->n, &recs, &undo);
	int rc = 0;
	if (n < 0)
		return tw_err_set(e, TW_EXIT_REFUSED, "out of memory");
	char why[256] = "";
	int nbusy = n ? tw_teardown_busy(run->ctx, run->st, p->owner, undo, (size_t)n, &busy, why,
					 sizeof(why)) : 0;
	if (nbusy < 0)
		rc = tw_err_set(e, TW_EXIT_REFUSED, "%s: cannot tell what is in use: %s", p->owner, why);
	else if (nbusy) {
		struct tw_run_opts ro = *o;
		ro.cmd = "up";
		rc = busy_report(p->owner, &ro, rep, undo, busy, nbusy, e);
	}
	free(busy);
	free(undo);
	free(recs);
	return rc;
}

int tw_up(const struct tw_net *net, const struct tw_run_opts *o, struct tw_err *e)
{
	struct tw_run run;
	struct tw_report local, *rep = report_of(o, &local, net->owner);
	if (tw_run_open(&run, o, !o->dry_run, e) < 0)
		return -1;
	struct tw_plan plan;
	struct tw_plan_opts po = { .owner_explicit = o->owner_explicit, .force = o->force };
	int rc = tw_plan_build_opts(run.ctx, run.st, net, &po, &plan, e);
	if (rc == 0)
		tw_plan_svc_warn(run.ctx, &plan, o->err ? o->err : stderr);
	if (rc == 0)
		rc = up_busy(&run, &plan, o, rep, e);
	if (rc == 0 && o->dry_run) {
		tw_plan_report(rep, &plan, true);
	} else if (rc == 0) {
		struct tw_apply_opts ao = { .rep = rep, .progress = o->progress };
		char text[TW_OWNER_MAX + 16];
		snprintf(text, sizeof(text), "%s: nothing to do", net->owner);
		if (!tw_plan_changes(&plan))
			tw_report_summary(rep, text);
		rc = tw_plan_apply(run.ctx, run.st, &plan, &ao, e);
	}
	tw_plan_free(&plan);
	return tw_run_close(&run, rc, e);
}

static void print_release(struct tw_report *rep, const struct tw_rec *r, bool undo,
			  const char *owner)
{
	char key[200], note[TW_OWNER_MAX + 64];
	tw_key_format(&r->key, key, sizeof(key));
	if (undo)
		tw_report_step(rep, '-', &r->key, NULL, key, NULL);
	else if (r->n_owners > 1)
		snprintf(note, sizeof(note), "kept: still used by %s%s",
			 strcmp(r->owners[0], owner) ? r->owners[0] : r->owners[1],
			 r->n_owners > 2 ? " and others" : "");
	else
		snprintf(note, sizeof(note), "kept: tapwire did not create it");
	if (!undo)
		tw_report_step(rep, '=', &r->key, NULL, key, note);
}

/* What `down` found in use: refuse (one line each, nothing changed), cut it
 * off (--force, said on out), or keep it (the hook's release). */
static int busy_report(const char *owner, const struct tw_run_opts *o, struct tw_report *rep,
		       struct tw_rec *const *undo, const struct tw_busy *busy, int nbusy,
		       struct tw_err *e)
{
	const char *cmd = o->cmd ? o->cmd : "down";
	FILE *err = o->err ? o->err : stderr;
	char line[600], note[TW_OWNER_MAX + 32];
	for (int i = 0; i < nbusy; i++) {
		const struct tw_rec *r = undo[busy[i].rec];
		tw_busy_format(&busy[i], r, line, sizeof(line));
		tw_report_blocker(rep, &busy[i], r, line);
		snprintf(note, sizeof(note), "kept, on record for %s", owner);
		if (o->force)
			tw_report_step_colon(rep, '!', &r->key, line, busy[i].port[0]
					     ? "cut off (--force)" : "removed anyway (--force)");
		else if (o->keep_busy)
			tw_report_step_colon(rep, '=', &r->key, line, note);
		else
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
		r->key.kind == TW_K_ATTR || r->key.kind == TW_K_FDB || r->key.kind == TW_K_NAT ||
		r->key.kind == TW_K_DHCP);
}

/* Why each busy bridge or tap is kept, on record for owner: its lines
 * joined ("; ") when several ports are in its way. */
static int keep_why(struct tw_state *st, const char *owner, struct tw_rec *const *undo,
		    const struct tw_busy *busy, int nbusy)
{
	for (int b = 0; b < nbusy; b++) {
		bool first = true;
		for (int k = 0; k < b && first; k++)
			first = busy[k].rec != busy[b].rec;
		if (!first)
			continue;
		char why[TW_KEPT_MAX] = "", line[600];
		for (int k = b; k < nbusy; k++) {
			if (busy[k].rec != busy[b].rec)
				continue;
			tw_busy_format(&busy[k], undo[busy[k].rec], line, sizeof(line));
			size_t len = strlen(why);
			if (len && len + 2 < sizeof(why))
				memcpy(why + len, "; ", 3), len += 2;
			tw_strscpy(why + len, line, sizeof(why) - len);
		}
		if (tw_state_set_kept(st, &undo[busy[b].rec]->key, owner, why) < 0)
			return -EIO;
	}
	return 0;
}

int tw_down(const char *owner, const struct tw_run_opts *o, struct tw_err *e)
{
	struct tw_run run;
	struct tw_report local, *rep = report_of(o, &local, owner);
	if (tw_run_open(&run, o, !o->dry_run, e) < 0)
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
	if (nbusy && (rc = busy_report(owner, o, rep, undo, busy, nbusy, e)) < 0)
		goto out;
	for (int b = 0; o->keep_busy && b < nbusy; b++)
		for (size_t i = 0; i < nmine; i++)
			keep[i] |= kept_with(&mine[i], undo[busy[b].rec]);
	if (o->keep_busy && !o->dry_run && keep_why(run.st, owner, undo, busy, nbusy) < 0) {
		rc = tw_err_set(e, 1, "%s: cannot record what is kept: %s", owner, tw_state_path(run.st));
		goto out;
	}
	nundo = 0;
	for (size_t i = 0; i < nmine; i++) {
		if (act[i] && !keep[i])
			undo[nundo++] = &mine[i];
		if (!keep[i])
			print_release(rep, &mine[i], act[i], owner);
	}
	char text[TW_OWNER_MAX + 24];
	snprintf(text, sizeof(text), "%s: nothing on record", owner);
	if (!nmine)
		tw_report_summary(rep, text);
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
	return tw_run_close(&run, rc, e);
}

/* ---- gc: what a release kept, once it is free */

/* The records of owner to release along with the free kept ones (free[i]:
 * record i is kept and free now): each, what was kept with it, and its
 * namespace when nothing else of owner stays in it. */
static void kept_closure(struct tw_state *st, const char *owner, const bool *is_free, bool *take)
{
	size_t n = tw_state_count(st);
	for (size_t i = 0; i < n; i++) {
		struct tw_rec *r = tw_state_at(st, i);
		if (!r || !tw_rec_has_owner(r, owner) || r->key.kind == TW_K_NETNS)
			continue;
		take[i] = is_free[i];
		for (size_t k = 0; k < n && !take[i]; k++)
			take[i] = is_free[k] && !tw_state_kept(r, owner) &&
				  kept_with(r, tw_state_at(st, k));
	}
	for (size_t i = 0; i < n; i++) {
		struct tw_rec *r = tw_state_at(st, i);
		if (!r || !tw_rec_has_owner(r, owner) || r->key.kind != TW_K_NETNS)
			continue;
		bool some = false, all = true;
		for (size_t k = 0; k < n; k++) {
			struct tw_rec *d = tw_state_at(st, k);
			if (!d || k == i || !tw_rec_has_owner(d, owner) || strcmp(d->key.ns, r->key.ns))
				continue;
			some |= take[k];
			all &= take[k];
		}
		take[i] = some && all;
	}
}

/* One owner's kept records that are free now: released. */
static int gc_owner(struct tw_run *run, const char *owner, const struct tw_run_opts *o,
		    struct tw_gc_freed **freed, size_t *nfreed, struct tw_err *e)
{
	size_t n = tw_state_count(run->st), nk = 0, nundo = 0, ntake = 0;
	struct tw_rec **kept = calloc(n + 1, sizeof(*kept)), **undo = calloc(n + 1, sizeof(*undo));
	struct tw_rec *take_recs = calloc(n + 1, sizeof(*take_recs));
	bool *is_free = calloc(n + 1, sizeof(*is_free)), *take = calloc(n + 1, sizeof(*take));
	size_t *at = calloc(n + 1, sizeof(*at));
	struct tw_busy *busy = NULL;
	int rc = 0;
	char why[256] = "";
	struct tw_report local, *rep = report_of(o, &local, owner);
	if (!kept || !undo || !take_recs || !is_free || !take || !at) {
		rc = tw_err_set(e, 1, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct tw_rec *r = tw_state_at(run->st, i);
		if (r && tw_state_kept(r, owner) && tw_rec_has_owner(r, owner)) {
			at[nk] = i;
			kept[nk++] = r;
		}
	}
	int nbusy = tw_teardown_busy(run->ctx, run->st, owner, kept, nk, &busy, why, sizeof(why));
	if (nbusy < 0) {
		rc = tw_err_set(e, 1, "%s: cannot tell what is in use: %s", owner, why);
		goto out;
	}
	for (size_t k = 0; k < nk; k++)
		is_free[at[k]] = true;
	for (int b = 0; b < nbusy; b++)
		is_free[at[busy[b].rec]] = false;
	kept_closure(run->st, owner, is_free, take);
	/* From the last kind made to the first, as down lists them. */
	for (int k = TW_K__MAX - 1; k >= 0; k--)
		for (size_t i = 0; i < n; i++) {
			struct tw_rec *r = tw_state_at(run->st, i);
			if (!take[i] || (int)r->key.kind != k)
				continue;
			take_recs[ntake] = *r; /* shallow: keys and data only are used */
			if (r->n_owners == 1 && (r->created || r->key.kind == TW_K_ATTR ||
						 r->key.kind == TW_K_PORT)) {
				undo[nundo++] = &take_recs[ntake];
				if (!is_free[i]) { /* kept with it: as down says it */
					print_release(rep, r, true, owner);
					ntake++;
					continue;
				}
				struct tw_gc_freed *v = realloc(*freed, (*nfreed + 1) * sizeof(*v));
				if (!v) {
					rc = tw_err_set(e, 1, "out of memory");
					goto out;
				}
				*freed = v;
				tw_key_format(&r->key, v[*nfreed].what, sizeof(v[*nfreed].what));
				tw_strscpy(v[*nfreed].owner, owner, sizeof(v[*nfreed].owner));
				char note[TW_OWNER_MAX + 24];
				snprintf(note, sizeof(note), "kept for %s, free now", owner);
				tw_report_step(rep, '-', &r->key, NULL, v[*nfreed].what, note);
				(*nfreed)++;
			}
			ntake++;
		}
	if (!o->dry_run && ntake) {
		int r = tw_teardown(run->ctx, undo, nundo, why, sizeof(why));
		for (size_t i = 0; i < ntake; i++)
			tw_state_drop(run->st, &take_recs[i].key, owner);
		if (r < 0)
			rc = tw_err_set(e, 1, "%s: releasing what was kept: %s", owner,
					why[0] ? why : strerror(-r));
	}
out:
	free(busy);
	free(kept);
	free(undo);
	free(take_recs);
	free(is_free);
	free(take);
	free(at);
	return rc;
}

int tw_gc_kept(const struct tw_run_opts *o, struct tw_gc_freed **freed, size_t *n,
	       struct tw_err *e)
{
	struct tw_run run;
	*freed = NULL;
	*n = 0;
	/* A peek first: a gc with nothing kept creates no state and takes
	 * no exclusive lock. */
	struct tw_run_opts peek = *o;
	peek.dry_run = true;
	if (tw_run_open(&run, &peek, false, e) < 0)
		return -1;
	bool any = false;
	for (size_t i = 0; i < tw_state_count(run.st) && !any; i++) {
		struct tw_rec *r = tw_state_at(run.st, i);
		any = r && r->kept_by;
	}
	tw_run_close(&run, 0, e);
	if (!any)
		return 0;
	if (tw_run_open(&run, o, !o->dry_run, e) < 0)
		return -1;
	/* The owners with something kept, each once (owner names are copied:
	 * a release drops records, and their names with them). */
	int rc = 0;
	char **owners = NULL;
	size_t nown = 0;
	for (size_t i = 0; rc == 0 && i < tw_state_count(run.st); i++) {
		struct tw_rec *r = tw_state_at(run.st, i);
		if (!r || !r->kept_by)
			continue;
		bool seen = false;
		for (size_t k = 0; k < nown && !seen; k++)
			seen = !strcmp(owners[k], r->kept_by);
		char **v = seen ? owners : realloc(owners, (nown + 1) * sizeof(*v));
		if (!v || (!seen && !(v[nown] = strdup(r->kept_by))))
			rc = tw_err_set(e, 1, "out of memory");
		else if (!seen)
			nown++;
		if (v)
			owners = v;
	}
	for (size_t k = 0; rc == 0 && k < nown; k++)
		rc = gc_owner(&run, owners[k], o, freed, n, e);
	for (size_t k = 0; k < nown; k++)
		free(owners[k]);
	free(owners);
	return tw_run_close(&run, rc, e);
}
