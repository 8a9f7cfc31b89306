#include "engine/converge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/index.h"

/* ---- the source: who described this owner */

void tw_source_name(const char *src, char *out, size_t len)
{
	struct stat sb;
	char *real = NULL;
	if (src[0] && stat(src, &sb) == 0 && S_ISREG(sb.st_mode))
		real = realpath(src, NULL);
	tw_strscpy(out, real ? real : src, len);
	free(real);
}

int tw_converge_source(struct tw_state *st, const struct tw_net *net, bool owner_explicit,
		       struct tw_plan *p, struct tw_err *e)
{
	tw_source_name(net->source, p->source, sizeof(p->source));
	const char *had = tw_state_source(st, net->owner);
	if (owner_explicit || !p->source[0] || !had || !strcmp(had, p->source) ||
	    !tw_state_owner_known(st, net->owner))
		return 0;
	return tw_err_set(e, 2, "owner %s is already used by %s; this is %s: give it another name= or --owner",
			  net->owner, had, p->source);
}

/* ---- steps on devices, found by (namespace, name) */

struct devs {
	struct devref {
		char ns[TW_NSNAME_MAX];
		char name[IFNAMSIZ];
		size_t step;
	} *v;
	size_t n, cap;
	struct tw_index by_name;
};

static size_t dev_hash(const char *ns, const char *name)
{
	return tw_hash_str(tw_hash_str(TW_HASH_SEED, ns), name);
}

static int devs_add(struct devs *d, const char *ns, const char *name, size_t step)
{
	struct devref *v = tw_grow(d->v, &d->cap, d->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->v = v;
	tw_strscpy(v[d->n].ns, ns, sizeof(v[d->n].ns));
	tw_strscpy(v[d->n].name, name, sizeof(v[d->n].name));
	v[d->n].step = step;
	return tw_index_add(&d->by_name, dev_hash(ns, name), d->n++);
}

/* The n-th step (from *cursor on) that d holds for (ns, name). */
static bool devs_next(const struct devs *d, const char *ns, const char *name, size_t *cursor,
		      size_t *step)
{
	size_t i;
	while (tw_index_next(&d->by_name, dev_hash(ns, name), cursor, &i))
		if (!strcmp(d->v[i].ns, ns) && !strcmp(d->v[i].name, name)) {
			*step = d->v[i].step;
			return true;
		}
	return false;
}

static void devs_free(struct devs *d)
{
	free(d->v);
	tw_index_free(&d->by_name);
}

static bool is_device(enum tw_kind k)
{
	return tw_kind_is_device(k);
}

/* Both ends of a veth are the veth's: its record is keyed by one end, and
 * data names the other, "peerns/peer". */
static int devs_add_step(struct devs *d, const struct tw_step *s, size_t i)
{
	int r = devs_add(d, s->key.ns, s->key.name, i);
	const char *slash = s->key.kind == TW_K_VETH ? strchr(s->data, '/') : NULL;
	if (r < 0 || !slash || (size_t)(slash - s->data) >= TW_NSNAME_MAX)
		return r;
	char ns[TW_NSNAME_MAX];
	memcpy(ns, s->data, (size_t)(slash - s->data));
	ns[slash - s->data] = 0;
	return devs_add(d, ns, slash + 1, i);
}

/* Made by tapwire for this owner alone: its settings are the owner's to
 * change in place, with nothing to put back (the device goes whole). */
static bool made_for(struct tw_state *st, const struct tw_step *s, const char *owner)
{
	const struct tw_rec *r = tw_state_find(st, &s->key);
	return r && r->created && !r->pending && r->n_owners == 1 && tw_rec_has_owner(r, owner);
}

static int mark_changes(struct tw_state *st, struct tw_plan *p)
{
	struct devs d = { 0 };
	int r = 0;
	for (size_t i = 0; r == 0 && i < p->n; i++)
		if (is_device(p->v[i].key.kind) && p->v[i].action == TW_ACT_USE)
			r = devs_add_step(&d, &p->v[i], i);
	for (size_t i = 0; r == 0 && i < p->n; i++) {
		struct tw_step *s = &p->v[i];
		size_t cursor = 0, dev;
		if (s->key.kind == TW_K_ATTR && s->action == TW_ACT_SET &&
		    devs_next(&d, s->key.ns, s->key.name, &cursor, &dev) &&
		    made_for(st, &p->v[dev], p->owner))
			s->action = TW_ACT_CHANGE;
	}
	devs_free(&d);
	return r;
}

/* ---- what the owner's records hold and no step names */



static struct tw_step *append(struct tw_plan *p)
{
	struct tw_step *v = tw_grow(p->v, &p->cap, p->n + 1, sizeof(*v));
	if (!v)
		return NULL;
	p->v = v;
	memset(&v[p->n], 0, sizeof(*v));
	return &v[p->n++];
}

/* ---- removals that free a name a creation needs: before the creations
 *
 * A device of this owner's records (tapwire made it, for this owner alone)
 * whose name FILE now declares as another kind, or as a veth end with
 * another peer, must go before the creation that takes its name: the
 * planner probes that name as free, and the removal (with the addresses,
 * ports and settings on the device) runs first (tw_plan_apply). */

struct tw_early {
	struct devs freed;   /* the (ns, name)s these removals free */
	size_t *recs;        /* state indexes of the devices removed early */
	size_t n;
};

struct decl {
	enum tw_kind kind;
	const char *pns, *pname; /* a veth end's peer; NULL otherwise */
};

static int decl_add(struct devs *d, struct decl **v, size_t *n, size_t *cap, const char *ns,
		    const char *name, enum tw_kind kind, const char *pns, const char *pname)
{
	struct decl *g = tw_grow(*v, cap, *n + 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	*v = g;
	g[*n] = (struct decl){ kind, pns, pname };
	return devs_add(d, ns, name, (*n)++);
}

static int declare_all(const struct tw_net *net, struct devs *d, struct decl **v, size_t *n)
{
	size_t cap = 0;
	int r = 0;
	for (size_t i = 0; r == 0 && i < net->n_bridges; i++)
		r = decl_add(d, v, n, &cap, net->bridges[i].ns, net->bridges[i].name,
			     net->bridges[i].type == TW_BRIDGE_OVS ? TW_K_OVSBR : TW_K_BRIDGE, NULL, NULL);
	for (size_t i = 0; r == 0 && i < net->n_vxlans; i++)
		r = decl_add(d, v, n, &cap, net->vxlans[i].ns, net->vxlans[i].name, TW_K_VXLAN, NULL, NULL);
	for (size_t i = 0; r == 0 && i < net->n_taps; i++)
		r = decl_add(d, v, n, &cap, net->taps[i].ns, net->taps[i].name, TW_K_TAP, NULL, NULL);
	for (size_t i = 0; r == 0 && i < net->n_tuns; i++)
		r = decl_add(d, v, n, &cap, net->tuns[i].ns, net->tuns[i].name, TW_K_TUN, NULL, NULL);
	for (size_t i = 0; r == 0 && i < net->n_macvlans; i++)
		r = decl_add(d, v, n, &cap, net->macvlans[i].ns, net->macvlans[i].name,
			     net->macvlans[i].tap ? TW_K_MACVTAP : TW_K_MACVLAN, NULL, NULL);
	for (size_t i = 0; r == 0 && i < net->n_veths; i++)
		for (int k = 0; r == 0 && k < 2; k++) {
			const struct tw_veth_end *a = &net->veths[i].end[k], *b = &net->veths[i].end[!k];
			r = decl_add(d, v, n, &cap, a->ns, a->name, TW_K_VETH, b->ns, b->name);
		}
	return r;
}

/* The names of device record r: its key, and a veth's other end. */
static int rec_names(const struct tw_rec *r, char ns[2][TW_NSNAME_MAX], char name[2][IFNAMSIZ])
{
	tw_strscpy(ns[0], r->key.ns, TW_NSNAME_MAX);
	tw_strscpy(name[0], r->key.name, IFNAMSIZ);
	const char *slash = r->key.kind == TW_K_VETH ? strchr(r->data, '/') : NULL;
	if (!slash || (size_t)(slash - r->data) >= TW_NSNAME_MAX)
		return 1;
	memcpy(ns[1], r->data, (size_t)(slash - r->data));
	ns[1][slash - r->data] = 0;
	tw_strscpy(name[1], slash + 1, IFNAMSIZ);
	return 2;
}

/* Does something declared at a name of r need that name for another object? */
static bool clashes(const struct tw_rec *r, const struct devs *d, const struct decl *v)
{
	char ns[2][TW_NSNAME_MAX], name[2][IFNAMSIZ];
	int n = rec_names(r, ns, name);
	for (int k = 0; k < n; k++) {
		size_t cursor = 0, i;
		while (devs_next(d, ns[k], name[k], &cursor, &i)) {
			if (v[i].kind != r->key.kind)
				return true;
			if (v[i].pname && (n < 2 || strcmp(v[i].pns, ns[!k]) || strcmp(v[i].pname, name[!k])))
				return true;
		}
	}
	return false;
}

int tw_converge_early(struct tw_state *st, struct tw_plan *p)
{
	struct devs d = { 0 };
	struct decl *v = NULL;
	size_t nv = 0, cap = 0;
	struct tw_early *ea = calloc(1, sizeof(*ea));
	int r = ea ? declare_all(p->net, &d, &v, &nv) : -ENOMEM;
	for (size_t i = 0; r == 0 && nv && i < tw_state_count(st); i++) {
		const struct tw_rec *rec = tw_state_at(st, i);
		if (!rec || !is_device(rec->key.kind) || !rec->created || rec->pending ||
		    rec->n_owners != 1 || !tw_rec_has_owner(rec, p->owner) || !clashes(rec, &d, v))
			continue;
		size_t *g = tw_grow(ea->recs, &cap, ea->n + 1, sizeof(*g));
		if (!g) {
			r = -ENOMEM;
			break;
		}
		ea->recs = g;
		g[ea->n++] = i;
		char ns[2][TW_NSNAME_MAX], name[2][IFNAMSIZ];
		for (int k = 0, n = rec_names(rec, ns, name); r == 0 && k < n; k++)
			r = devs_add(&ea->freed, ns[k], name[k], i);
	}
	devs_free(&d);
	free(v);
	p->early = ea;
	return r;
}

bool tw_converge_frees(const struct tw_plan *p, const char *ns, const char *name)
{
	size_t cursor = 0, i;
	return p->early && p->early->n && devs_next(&p->early->freed, ns, name, &cursor, &i);
}

void tw_converge_free(struct tw_plan *p)
{
	if (!p->early)
		return;
	devs_free(&p->early->freed);
	free(p->early->recs);
	free(p->early);
	p->early = NULL;
}

static int plan_removal(struct tw_plan *p, const struct tw_rec *r);

/* The early removals, first in the plan: what is on each freed device
 * (addresses, ports, settings, forwarding entries), then the devices. */
static int plan_early(struct tw_state *st, struct tw_plan *p)
{
	if (!p->early || !p->early->n)
		return 0;
	struct tw_step *later = p->v;
	size_t n_later = p->n;
	p->v = NULL;
	p->n = p->cap = 0;
	int r = 0;
	for (size_t i = 0; r == 0 && i < tw_state_count(st); i++) {
		const struct tw_rec *rec = tw_state_at(st, i);
		size_t cursor = 0, dev;
		if (rec && !is_device(rec->key.kind) && rec->key.kind != TW_K_NETNS &&
		    tw_rec_has_owner(rec, p->owner) &&
		    devs_next(&p->early->freed, rec->key.ns, rec->key.name, &cursor, &dev))
			r = plan_removal(p, rec);
	}
	for (size_t i = 0; r == 0 && i < p->early->n; i++)
		r = plan_removal(p, tw_state_at(st, p->early->recs[i]));
	p->n_early = p->n;
	for (size_t i = 0; r == 0 && i < n_later; i++) {
		struct tw_step *s = append(p);
		if (!s)
			r = -ENOMEM;
		else
			*s = later[i];
	}
	free(later);
	return r;
}

/* As `down` does: undo it when this owner is its last and tapwire made it
 * (or changed it: a setting, a port); else only the reference goes. */
static int plan_removal(struct tw_plan *p, const struct tw_rec *r)
{
	struct tw_step *s = append(p);
	if (!s)
		return -ENOMEM;
	s->action = TW_ACT_REMOVE;
	s->key = r->key;
	tw_strscpy(s->data, r->data, sizeof(s->data));
	if (r->n_owners > 1)
		snprintf(s->note, sizeof(s->note), "kept: still used by %.64s%s",
			 strcmp(r->owners[0], p->owner) ? r->owners[0] : r->owners[1],
			 r->n_owners > 2 ? " and others" : "");
	else if (!r->created && r->key.kind != TW_K_ATTR && r->key.kind != TW_K_PORT)
		snprintf(s->note, sizeof(s->note), "kept: tapwire did not create it");
	return 0;
}

static int plan_removals(struct tw_state *st, struct tw_plan *p)
{
	size_t n = tw_state_count(st);
	bool *named = calloc(n + 1, sizeof(*named));
	if (!named)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct tw_rec *r = tw_state_find(st, &p->v[i].key);
		if (r)
			named[tw_state_index(st, r)] = true;
	}
	int rc = 0;
	/* In the order of removal, the last kind made first, as `down` lists them. */
	for (int k = TW_K__MAX - 1; rc == 0 && k >= 0; k--)
		for (size_t i = 0; rc == 0 && i < n; i++) {
			const struct tw_rec *r = tw_state_at(st, i);
			if (r && !named[i] && (int)r->key.kind == k && tw_rec_has_owner(r, p->owner))
				rc = plan_removal(p, r);
		}
	free(named);
	return rc;
}

/* ---- addresses: a new one on a device whose old one goes replaces it */

static bool same_family(const char *a, const char *b)
{
	return !strchr(a, ':') == !strchr(b, ':');
}

static int pair_addresses(struct tw_plan *p)
{
	struct devs gone = { 0 };
	bool *taken = calloc(p->n + 1, sizeof(*taken));
	int r = taken ? 0 : -ENOMEM;
	for (size_t i = p->n_early; r == 0 && i < p->n; i++)
		if (p->v[i].action == TW_ACT_REMOVE && p->v[i].key.kind == TW_K_ADDR && !p->v[i].note[0])
			r = devs_add(&gone, p->v[i].key.ns, p->v[i].key.name, i);
	for (size_t i = 0; r == 0 && gone.n && i < p->n; i++) {
		struct tw_step *s = &p->v[i];
		size_t cursor = 0, old;
		if (s->action != TW_ACT_CREATE || s->key.kind != TW_K_ADDR)
			continue;
		while (devs_next(&gone, s->key.ns, s->key.name, &cursor, &old)) {
			if (taken[old] || !same_family(p->v[old].key.arg, s->key.arg))
				continue;
			s->action = TW_ACT_CHANGE;
			tw_strscpy(s->data, p->v[old].key.arg, sizeof(s->data));
			taken[old] = true;
			break;
		}
	}
	size_t n = 0;
	for (size_t i = 0; r == 0 && i < p->n; i++)
		if (!taken[i])
			p->v[n++] = p->v[i];
	if (r == 0)
		p->n = n;
	devs_free(&gone);
	free(taken);
	return r;
}

int tw_converge_plan(struct tw_state *st, struct tw_plan *p, struct tw_err *e)
{
	if (mark_changes(st, p) < 0 || plan_early(st, p) < 0 || plan_removals(st, p) < 0 ||
	    pair_addresses(p) < 0)
		return tw_err_set(e, 1, "out of memory");
	return 0;
}
