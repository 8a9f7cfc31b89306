#include "model.h"

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
	for (size_t i = 0; i < net->n_bridges; i++)
		addrs_free(&net->bridges[i].addrs);
	for (size_t i = 0; i < net->n_veths; i++)
		for (int e = 0; e < 2; e++)
			addrs_free(&net->veths[i].end[e].addrs);
	for (size_t i = 0; i < net->n_taps; i++)
		addrs_free(&net->taps[i].addrs);
	for (size_t i = 0; i < net->n_vxlans; i++)
		free(net->vxlans[i].remotes);
	free(net->namespaces);
	free(net->bridges);
	free(net->veths);
	free(net->taps);
	free(net->vxlans);
	free(net->ports);
	free(net->needs);
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

const struct tw_ns_spec *tw_net_find_ns(const struct tw_net *net, const char *name)
{
	for (size_t i = 0; i < net->n_namespaces; i++)
		if (!strcmp(net->namespaces[i].name, name))
			return &net->namespaces[i];
	return NULL;
}

const struct tw_bridge_spec *tw_net_find_bridge(const struct tw_net *net, const char *ns,
						const char *name)
{
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!strcmp(net->bridges[i].name, name) && !strcmp(net->bridges[i].ns, ns))
			return &net->bridges[i];
	return NULL;
}
