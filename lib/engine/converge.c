#include "engine/converge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/index.h"

/* ---- the source: who described this owner */

/* A file is named by its absolute path, so lab.xml and ./lab.xml are one
 * source; anything else (the hook's domain name) as it is. */
static void canonical(const char *src, char *out, size_t len)
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
	canonical(net->source, p->source, sizeof(p->source));
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
	return k == TW_K_BRIDGE || k == TW_K_OVSBR || k == TW_K_VXLAN || k == TW_K_VETH ||
	       k == TW_K_TAP;
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
	for (size_t i = 0; r == 0 && i < p->n; i++)
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
	if (mark_changes(st, p) < 0 || plan_removals(st, p) < 0 || pair_addresses(p) < 0)
		return tw_err_set(e, 1, "out of memory");
	return 0;
}
