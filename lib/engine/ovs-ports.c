#include "engine/ovs-ports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_ovs(const struct tw_net *n, const char *ns, const char *br)
{
	const struct tw_bridge_spec *b = br[0] ? tw_net_find_bridge(n, ns, br) : NULL;
	return b && b->type == TW_BRIDGE_OVS;
}

static int add_ovs_port(struct tw_net *n, const char *dev, const char *bridge, bool existing,
			int line)
{
	struct tw_ovs_port_spec *v = realloc(n->ovs_ports, (n->n_ovs_ports + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n->ovs_ports = v;
	struct tw_ovs_port_spec *o = &v[n->n_ovs_ports++];
	memset(o, 0, sizeof(*o));
	tw_strscpy(o->dev, dev, sizeof(o->dev));
	tw_strscpy(o->bridge, bridge, sizeof(o->bridge));
	o->existing = existing;
	o->line = line;
	return 0;
}

/* A device whose bridge= is an OVS bridge is made without a master and
 * joins through an OVS port instead. */
static int to_ovs(struct tw_net *n, const char *ns, const char *dev, char *bridge, int line)
{
	if (!is_ovs(n, ns, bridge))
		return 0;
	int r = add_ovs_port(n, dev, bridge, false, line);
	bridge[0] = 0;
	return r;
}

int tw_ovs_ports_split(struct tw_net *n)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < n->n_veths; i++)
		for (int k = 0; r == 0 && k < 2; k++) {
			struct tw_veth_end *e = &n->veths[i].end[k];
			r = to_ovs(n, e->ns, e->name, e->bridge, e->line);
		}
	for (size_t i = 0; r == 0 && i < n->n_taps; i++)
		r = to_ovs(n, n->taps[i].ns, n->taps[i].name, n->taps[i].bridge, n->taps[i].line);
	for (size_t i = 0; r == 0 && i < n->n_vxlans; i++)
		r = to_ovs(n, n->vxlans[i].ns, n->vxlans[i].name, n->vxlans[i].bridge,
			   n->vxlans[i].line);
	size_t kept = 0;
	for (size_t i = 0; r == 0 && i < n->n_ports; i++) {
		const struct tw_port_spec *pt = &n->ports[i];
		if (is_ovs(n, pt->ns, pt->bridge))
			r = add_ovs_port(n, pt->dev, pt->bridge, true, pt->line);
		else
			n->ports[kept++] = *pt;
	}
	if (r == 0)
		n->n_ports = kept;
	return r;
}
