/* The steps every kind is planned with (plan-int.h): one object probed
 * and planned, the settings of a present device that differ, and its
 * addresses. */
#include "engine/plan-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/converge.h"
#include "net/addr.h"

/* ---- devices: compare what is there with what is wanted */

static int want_attr(struct tw_plan *p, struct tw_state *st, const char *ns, const char *dev,
		     const char *what, const char *old, const char *value, int line)
{
	struct tw_step *s = add_step(p, st, TW_ACT_SET, TW_K_ATTR, ns, dev, what, NULL, line);
	if (!s)
		return -ENOMEM;
	if (!s->data[0])
		tw_strscpy(s->data, old, sizeof(s->data));
	tw_strscpy(s->value, value, sizeof(s->value));
	s->recorded = false; /* the kernel differs: it is a change again */
	return 0;
}

/* A setting this owner wants on a device that was there. When the kernel
 * differs, change it. When it is as wanted already because another owner
 * changed it, share that owner's record: the old value must come back
 * only when the last owner that needs the new one is gone, not under an
 * owner that still uses the device. */
int setting(struct tw_plan *p, struct tw_state *st, const char *ns, const char *dev,
		   const char *what, bool differs, const char *old, const char *value, int line)
{
	if (differs)
		return want_attr(p, st, ns, dev, what, old, value, line);
	struct tw_key k;
	memset(&k, 0, sizeof(k));
	k.kind = TW_K_ATTR;
	tw_strscpy(k.ns, ns, sizeof(k.ns));
	tw_strscpy(k.name, dev, sizeof(k.name));
	tw_strscpy(k.arg, what, sizeof(k.arg));
	if (!tw_state_find(st, &k))
		return 0;
	struct tw_step *s = add_step(p, st, TW_ACT_USE, TW_K_ATTR, ns, dev, what, NULL, line);
	if (!s)
		return -ENOMEM;
	tw_strscpy(s->value, value, sizeof(s->value));
	return 0;
}

int diff_dev(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
		    const char *dev, const struct tw_link *live, const struct want *w, int line)
{
	char old[64], val[64];
	int r = 0;
	if (w->mtu) {
		snprintf(old, sizeof(old), "%u", live->mtu);
		snprintf(val, sizeof(val), "%u", w->mtu);
		r = setting(p, st, ns, dev, "mtu", live->mtu != w->mtu, old, val, line);
	}
	if (r == 0 && w->mac) {
		tw_mac_format(live->mac, old);
		tw_mac_format(w->mac, val);
		r = setting(p, st, ns, dev, "mac", memcmp(live->mac, w->mac, TW_MAC_LEN), old, val, line);
	}
	if (r == 0 && w->stp >= 0 && live->stp >= 0)
		r = setting(p, st, ns, dev, "stp", live->stp != w->stp, live->stp ? "1" : "0",
			    w->stp ? "1" : "0", line);
	if (r == 0 && w->master) {
		int br = tw_ctx_is_fresh(c, ns) ? -ENODEV : tw_ctx_ifindex(c, ns, w->master);
		bool differs = br <= 0 || live->master != br;
		struct tw_link m;
		struct tw_nl *nl;
		old[0] = 0;
		if (differs && live->master && tw_ctx_nl(c, ns, &nl) == 0 &&
		    tw_link_get(nl, NULL, live->master, &m) == 0)
			tw_strscpy(old, m.name, sizeof(old));
		r = setting(p, st, ns, dev, "master", differs, old, w->master, line);
	}
	if (r == 0)
		r = setting(p, st, ns, dev, "up", !(live->flags & IFF_UP), "0", "1", line);
	return r;
}

/* Probe one object; on ABSENT plan its creation, on PRESENT its use.
 * Returns TW_ABSENT/TW_PRESENT, or -1 with e set. */
int plan_object(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st,
		       struct tw_step *s, struct tw_link *live, struct tw_err *e)
{
	/* A device this plan removes first to free its name: absent by then. */
	enum tw_kind k = s->key.kind;
	bool freed = tw_kind_is_device(k) && tw_converge_frees(p, s->key.ns, s->key.name);
	const struct tw_veth_spec *v = k == TW_K_VETH ? s->spec : NULL;
	freed |= v && tw_converge_frees(p, v->end[1].ns, v->end[1].name);
	return tw_plan_probe(c, p, s, freed, live, e);
}

struct tw_step *object(struct tw_plan *p, struct tw_state *st, enum tw_kind kind,
			      const char *ns, const char *name, const void *spec, int line,
			      struct tw_err *e)
{
	struct tw_step *s = add_step(p, st, TW_ACT_USE, kind, ns, name, NULL, spec, line);
	if (!s)
		tw_err_set(e, 1, "out of memory");
	return s;
}

int plan_addrs(struct tw_ctx *c, struct tw_plan *p, struct tw_state *st, const char *ns,
		      const char *dev, const struct tw_addrs *a, const struct tw_link *live,
		      int line, struct tw_err *e)
{
	if (!a->n)
		return 0;
	struct tw_cidr *have = NULL;
	size_t n_have = 0;
	if (live) {
		struct tw_nl *nl;
		int r = tw_ctx_nl(c, ns, &nl);
		if (r == 0)
			r = tw_addr_list(nl, live->ifindex, &have, &n_have);
		if (r < 0)
			return tw_err_set(e, 1, "cannot list the addresses of %s: %s", dev, strerror(-r));
	}
	int rc = 0;
	for (size_t i = 0; i < a->n && rc == 0; i++) {
		char text[TW_CIDR_STRLEN];
		tw_cidr_format(&a->v[i], text, sizeof(text));
		bool present = false;
		for (size_t k = 0; k < n_have && !present; k++)
			present = tw_cidr_equal(&have[k], &a->v[i]);
		struct tw_step *s = add_step(p, st, present ? TW_ACT_USE : TW_ACT_CREATE, TW_K_ADDR,
					     ns, dev, text, NULL, line);
		if (!s)
			rc = tw_err_set(e, 1, "out of memory");
		else if (!present)
			s->recorded = false;
	}
	free(have);
	return rc;
}
