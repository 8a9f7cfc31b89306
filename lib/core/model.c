#include "core/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void addrs_free(struct tw_addrs *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

void tw_net_free(struct tw_net *net)
{
	if (!net)
		return;
	/* Each loop checks its array: a partly built net (a failed clone) may
	 * have a count without an array. */
	for (size_t i = 0; net->bridges && i < net->n_bridges; i++)
		addrs_free(&net->bridges[i].addrs);
	for (size_t i = 0; net->bridges && i < net->n_bridges; i++)
		tw_bridge_svc_free(net->bridges[i].svc);
	for (size_t i = 0; net->veths && i < net->n_veths; i++)
		for (int e = 0; e < 2; e++)
			addrs_free(&net->veths[i].end[e].addrs);
	for (size_t i = 0; net->taps && i < net->n_taps; i++)
		addrs_free(&net->taps[i].addrs);
	for (size_t i = 0; net->vxlans && i < net->n_vxlans; i++)
		free(net->vxlans[i].remotes);
	for (size_t i = 0; net->tuns && i < net->n_tuns; i++)
		addrs_free(&net->tuns[i].addrs);
	for (size_t i = 0; net->macvlans && i < net->n_macvlans; i++)
		addrs_free(&net->macvlans[i].addrs);
	free(net->tuns);
	free(net->macvlans);
	free(net->namespaces);
	free(net->bridges);
	free(net->veths);
	free(net->taps);
	free(net->vxlans);
	free(net->ports);
	free(net->needs);
	free(net->ovs_ports);
	free(net);
}

void tw_domain_free(struct tw_domain *dom)
{
	if (!dom)
		return;
	tw_net_free(dom->net);
	free(dom->ifaces);
	free(dom);
}

const struct tw_bridge_spec *tw_net_find_bridge(const struct tw_net *net, const char *ns,
						const char *name)
{
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!strcmp(net->bridges[i].name, name) && !strcmp(net->bridges[i].ns, ns))
			return &net->bridges[i];
	return NULL;
}

static int dup_array(void **dst, const void *src, size_t n, size_t size)
{
	*dst = NULL;
	if (!n)
		return 0;
	*dst = malloc(n * size);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

static int dup_addrs(struct tw_addrs *a)
{
	const struct tw_cidr *src = a->v;
	return dup_array((void **)&a->v, src, a->n, sizeof(*src));
}

void tw_bridge_svc_free(struct tw_bridge_svc *s)
{
	if (s)
		free(s->hosts);
	free(s);
}

int tw_bridge_svc_dup(struct tw_bridge_svc **dst, const struct tw_bridge_svc *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	if (dup_array((void **)dst, src, 1, sizeof(*src)) < 0)
		return -ENOMEM;
	if (dup_array((void **)&(*dst)->hosts, src->hosts, src->n_hosts, sizeof(*src->hosts)) < 0) {
		free(*dst);
		*dst = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct tw_net *tw_net_clone(const struct tw_net *src)
{
	struct tw_net *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	*n = *src;
	n->namespaces = NULL;
	n->bridges = NULL;
	n->veths = NULL;
	n->taps = NULL;
	n->vxlans = NULL;
	n->ports = NULL;
	n->needs = NULL;
	n->ovs_ports = NULL;
	n->tuns = NULL;
	n->macvlans = NULL;
	/* Arrays first, so a failure leaves only arrays to free. */
	int r = dup_array((void **)&n->namespaces, src->namespaces, src->n_namespaces, sizeof(*src->namespaces)) |
		dup_array((void **)&n->bridges, src->bridges, src->n_bridges, sizeof(*src->bridges)) |
		dup_array((void **)&n->veths, src->veths, src->n_veths, sizeof(*src->veths)) |
		dup_array((void **)&n->taps, src->taps, src->n_taps, sizeof(*src->taps)) |
		dup_array((void **)&n->vxlans, src->vxlans, src->n_vxlans, sizeof(*src->vxlans)) |
		dup_array((void **)&n->ports, src->ports, src->n_ports, sizeof(*src->ports)) |
		dup_array((void **)&n->needs, src->needs, src->n_needs, sizeof(*src->needs)) |
		dup_array((void **)&n->ovs_ports, src->ovs_ports, src->n_ovs_ports,
			  sizeof(*src->ovs_ports)) |
		dup_array((void **)&n->tuns, src->tuns, src->n_tuns, sizeof(*src->tuns)) |
		dup_array((void **)&n->macvlans, src->macvlans, src->n_macvlans, sizeof(*src->macvlans));
	/* Nested arrays still point into src: null them before copying, so a
	 * partial failure frees only what this function allocated. */
	for (size_t i = 0; n->bridges && i < n->n_bridges; i++)
		n->bridges[i].addrs.v = NULL;
	for (size_t i = 0; n->bridges && i < n->n_bridges; i++)
		n->bridges[i].svc = NULL;
	for (size_t i = 0; n->veths && i < n->n_veths; i++)
		n->veths[i].end[0].addrs.v = n->veths[i].end[1].addrs.v = NULL;
	for (size_t i = 0; n->taps && i < n->n_taps; i++)
		n->taps[i].addrs.v = NULL;
	for (size_t i = 0; n->vxlans && i < n->n_vxlans; i++)
		n->vxlans[i].remotes = NULL;
	for (size_t i = 0; n->tuns && i < n->n_tuns; i++)
		n->tuns[i].addrs.v = NULL;
	for (size_t i = 0; n->macvlans && i < n->n_macvlans; i++)
		n->macvlans[i].addrs.v = NULL;
	if (r) {
		tw_net_free(n);
		return NULL;
	}
	for (size_t i = 0; i < n->n_bridges; i++) {
		n->bridges[i].addrs.v = src->bridges[i].addrs.v;
		r |= dup_addrs(&n->bridges[i].addrs);
	}
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++) {
			n->veths[i].end[e].addrs.v = src->veths[i].end[e].addrs.v;
			r |= dup_addrs(&n->veths[i].end[e].addrs);
		}
	for (size_t i = 0; i < n->n_taps; i++) {
		n->taps[i].addrs.v = src->taps[i].addrs.v;
		r |= dup_addrs(&n->taps[i].addrs);
	}
	for (size_t i = 0; i < n->n_bridges; i++)
		r |= tw_bridge_svc_dup(&n->bridges[i].svc, src->bridges[i].svc);
	for (size_t i = 0; i < n->n_vxlans; i++)
		r |= dup_array((void **)&n->vxlans[i].remotes, src->vxlans[i].remotes,
			       src->vxlans[i].n_remotes, sizeof(struct tw_cidr));
	for (size_t i = 0; i < n->n_tuns; i++) {
		n->tuns[i].addrs.v = src->tuns[i].addrs.v;
		r |= dup_addrs(&n->tuns[i].addrs);
	}
	for (size_t i = 0; i < n->n_macvlans; i++) {
		n->macvlans[i].addrs.v = src->macvlans[i].addrs.v;
		r |= dup_addrs(&n->macvlans[i].addrs);
	}
	if (r) {
		tw_net_free(n);
		return NULL;
	}
	return n;
}

const char *tw_net_more_devices(const struct tw_net *net)
{
	static char buf[96];
	size_t taps = 0;
	for (size_t i = 0; i < net->n_macvlans; i++)
		taps += net->macvlans[i].tap;
	buf[0] = 0;
	if (net->n_tuns || net->n_macvlans)
		snprintf(buf, sizeof(buf), ", %zu tuns, %zu macvlans, %zu macvtaps", net->n_tuns,
			 net->n_macvlans - taps, taps);
	return buf;
}
