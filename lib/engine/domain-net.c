#include "engine/domain-net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* libvirt's way of saying the bridge is Open vSwitch's. */
static bool on_ovs(const struct tw_iface *i)
{
	return !strcmp(i->virtualport_type, "openvswitch");
}

static int need_bridge(struct tw_net *n, const struct tw_iface *i, const char *bridge)
{
	for (size_t k = 0; k < n->n_needs; k++)
		if (!strcmp(n->needs[k].bridge, bridge))
			return 0;
	struct tw_need_spec *v = realloc(n->needs, (n->n_needs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n->needs = v;
	struct tw_need_spec *s = &v[n->n_needs++];
	memset(s, 0, sizeof(*s));
	tw_strscpy(s->bridge, bridge, sizeof(s->bridge));
	s->ovs = on_ovs(i);
	s->line = i->line;
	tw_iface_label(i, s->what, sizeof(s->what));
	return 0;
}

static int add_bridge(struct tw_net *n, const struct tw_bridge_spec *b)
{
	struct tw_bridge_spec *v = realloc(n->bridges, (n->n_bridges + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n->bridges = v;
	struct tw_bridge_spec *s = &v[n->n_bridges];
	*s = *b;
	s->addrs.v = NULL;
	s->addrs.n = 0;
	/* A policy bridge may carry addresses: the net owns its own copy. */
	if (b->addrs.n) {
		s->addrs.v = malloc(b->addrs.n * sizeof(*s->addrs.v));
		if (!s->addrs.v)
			return -ENOMEM;
		memcpy(s->addrs.v, b->addrs.v, b->addrs.n * sizeof(*s->addrs.v));
		s->addrs.n = b->addrs.n;
	}
	n->n_bridges++;
	return 0;
}

/* virtio, virtio-transitional, virtio-non-transitional: libvirt reads
 * <driver queues> only for these, and opens the tap once (single queue)
 * for any other model, which a multi-queue tap refuses with EINVAL. */
static bool is_virtio(const char *model)
{
	return !strncmp(model, "virtio", 6) && (!model[6] || model[6] == '-');
}

/* libvirt's interface settings fill in what a <tw:tap> leaves open. */
static void merge_tap(struct tw_tap_spec *t, const struct tw_iface *i, const char *user)
{
	if (!t->queues && i->queues > 1 && is_virtio(i->model))
		t->queues = i->queues;
	if (t->vnet_hdr == TW_UNSET && is_virtio(i->model))
		t->vnet_hdr = TW_YES;
	if (!t->has_mac && i->has_mac) {
		memcpy(t->mac, i->mac, TW_MAC_LEN);
		t->has_mac = true;
	}
	if (!t->mtu && i->mtu)
		t->mtu = i->mtu;
	if (!t->owner[0] && user)
		tw_strscpy(t->owner, user, sizeof(t->owner));
}

/* The <tw:tap> an <interface type='ethernet'> names by its <target dev>
 * (in the namespace tapwire runs in, where QEMU opens it), or NULL. */
static struct tw_tap_spec *ethernet_tap(struct tw_net *n, const struct tw_iface *i)
{
	for (size_t t = 0; i->target_dev[0] && t < n->n_taps; t++)
		if (!strcmp(n->taps[t].name, i->target_dev) && !n->taps[t].ns[0])
			return &n->taps[t];
	return NULL;
}

void tw_iface_label(const struct tw_iface *i, char *buf, size_t len)
{
	char mac[TW_MAC_STRLEN];
	if (i->has_mac) {
		tw_mac_format(i->mac, mac);
		snprintf(buf, len, "interface %s", mac);
	} else if (i->target_dev[0]) {
		snprintf(buf, len, "interface %s", i->target_dev);
	} else {
		snprintf(buf, len, "interface on line %d", i->line);
	}
}

int tw_domain_net(const struct tw_domain *d, const struct tw_domain_opts *o, struct tw_net **out,
		  char *err, size_t len)
{
	struct tw_net *n = d->net ? tw_net_clone(d->net) : calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (!n->owner[0])
		tw_strscpy(n->owner, d->name, sizeof(n->owner));
	int r = 0;
	for (size_t k = 0; k < d->n_ifaces && r == 0; k++) {
		const struct tw_iface *i = &d->ifaces[k];
		if (i->type == TW_IFACE_BRIDGE && i->source_bridge[0] &&
		    !tw_net_find_bridge(n, "", i->source_bridge)) {
			const struct tw_bridge_spec *m = NULL;
			for (size_t b = 0; o && b < o->n_managed && !m; b++)
				if (!strcmp(o->managed[b].name, i->source_bridge))
					m = &o->managed[b];
			r = m ? add_bridge(n, m) : need_bridge(n, i, i->source_bridge);
		}
		struct tw_tap_spec *t = i->type == TW_IFACE_ETHERNET ? ethernet_tap(n, i) : NULL;
		if (t && i->target_managed != TW_NO && !(o && o->release)) {
			char label[96];
			if (o && o->err_line)
				*o->err_line = i->line;
			tw_iface_label(i, label, sizeof(label));
			snprintf(err, len, "%s: its tap %s is a <tw:tap>; give its <target> managed='no' so that libvirt opens tapwire's tap instead of making its own",
				 label, i->target_dev);
			tw_net_free(n);
			return -EINVAL;
		}
		if (t)
			merge_tap(t, i, o ? o->qemu_user : NULL);
	}
	if (r < 0) {
		snprintf(err, len, "out of memory");
		tw_net_free(n);
		return r;
	}
	*out = n;
	return 0;
}

/* <target dev>, else "tw" and the last four bytes of the MAC. */
static void tap_name(const struct tw_iface *i, char name[IFNAMSIZ])
{
	if (i->target_dev[0])
		tw_strscpy(name, i->target_dev, IFNAMSIZ);
	else
		snprintf(name, IFNAMSIZ, "tw%02x%02x%02x%02x", i->mac[2], i->mac[3], i->mac[4],
			 i->mac[5]);
}

/* "iface:MAC", else "iface:DEV": what detach finds the tap by. */
static int iface_owner(const struct tw_iface *i, char *buf, size_t len)
{
	char mac[TW_MAC_STRLEN];
	if (i->has_mac) {
		tw_mac_format(i->mac, mac);
		snprintf(buf, len, "iface:%s", mac);
	} else if (i->target_dev[0]) {
		snprintf(buf, len, "iface:%s", i->target_dev);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* <interface type='direct'>: a macvtap on <source dev> in <source mode>
 * (libvirt's default: vepa), carrying the guest's own MAC, its /dev/tapN
 * owned by user. */
static int direct_net(const struct tw_iface *i, const char *source, const char *user,
		      struct tw_net **out)
{
	static const char *const modes[] = { "bridge", "vepa", "private", "passthrough" };
	static const enum tw_macvlan_mode values[] = { TW_MACVLAN_BRIDGE, TW_MACVLAN_VEPA,
						      TW_MACVLAN_PRIVATE, TW_MACVLAN_PASSTHRU };
	struct tw_net *n = calloc(1, sizeof(*n));
	struct tw_macvlan_spec *m = calloc(1, sizeof(*m));
	if (!n || !m) {
		free(m);
		free(n);
		return -ENOMEM;
	}
	iface_owner(i, n->owner, sizeof(n->owner));
	tw_strscpy(n->source, source ? source : "", sizeof(n->source));
	n->macvlans = m;
	n->n_macvlans = 1;
	m->tap = true;
	tap_name(i, m->name);
	tw_strscpy(m->dev, i->source_dev, sizeof(m->dev));
	m->mode = TW_MACVLAN_VEPA;
	for (size_t k = 0; k < TW_ARRAY_SIZE(modes); k++)
		if (!strcmp(i->source_mode, modes[k]))
			m->mode = values[k];
	m->has_mac = i->has_mac;
	memcpy(m->mac, i->mac, TW_MAC_LEN);
	m->mtu = i->mtu;
	if (i->queues > 1 && is_virtio(i->model))
		m->queues = i->queues;
	if (user)
		tw_strscpy(m->owner, user, sizeof(m->owner));
	m->line = i->line;
	*out = n;
	return 0;
}

int tw_iface_net(const struct tw_iface *i, const char *source, const char *user,
		 struct tw_net **out, char *err, size_t len)
{
	char label[96];
	tw_iface_label(i, label, sizeof(label));
	if (i->type == TW_IFACE_DIRECT && !i->source_dev[0]) {
		snprintf(err, len, "%s: <interface type='direct'> needs <source dev=...>, the macvtap's lower device",
			 label);
		return -EINVAL;
	}
	if (i->type != TW_IFACE_DIRECT && (i->type != TW_IFACE_BRIDGE || !i->source_bridge[0])) {
		snprintf(err, len, "%s: only <interface type='bridge'> with <source bridge=...> or type='direct' with <source dev=...> can be attached",
			 label);
		return -EINVAL;
	}
	if (!i->has_mac && !i->target_dev[0]) {
		snprintf(err, len, "%s: give it a <mac address=...> or a <target dev=...> so that "
				   "detach can find its tap again", label);
		return -EINVAL;
	}
	if (i->type == TW_IFACE_DIRECT)
		return direct_net(i, source, user, out);
	struct tw_net *n = calloc(1, sizeof(*n));
	struct tw_tap_spec *t = calloc(1, sizeof(*t));
	if (!n || !t || need_bridge(n, i, i->source_bridge) < 0) {
		free(t);
		tw_net_free(n);
		return -ENOMEM;
	}
	iface_owner(i, n->owner, sizeof(n->owner));
	tw_strscpy(n->source, source ? source : "", sizeof(n->source));
	n->taps = t;
	n->n_taps = 1;
	tap_name(i, t->name);
	t->vnet_hdr = TW_UNSET;
	t->line = i->line;
	merge_tap(t, i, user);
	*out = n;
	if (!on_ovs(i)) {
		tw_strscpy(t->bridge, i->source_bridge, sizeof(t->bridge));
		return 0;
	}
	/* As libvirt does for <virtualport type='openvswitch'>: the tap is an
	 * OVS port that carries the guest's interface id and MAC. */
	struct tw_ovs_port_spec *o = calloc(1, sizeof(*o));
	if (!o) {
		tw_net_free(n);
		*out = NULL;
		return -ENOMEM;
	}
	tw_strscpy(o->dev, t->name, sizeof(o->dev));
	tw_strscpy(o->bridge, i->source_bridge, sizeof(o->bridge));
	tw_strscpy(o->iface_id, i->interfaceid, sizeof(o->iface_id));
	o->has_mac = i->has_mac;
	memcpy(o->mac, i->mac, TW_MAC_LEN);
	o->line = i->line;
	n->ovs_ports = o;
	n->n_ovs_ports = 1;
	return 0;
}
