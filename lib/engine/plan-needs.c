/* What a plan checks without making anything: the bridges a description
 * uses but does not declare (a libvirt interface's source bridge), and
 * where its messages point. */
#include "engine/plan.h"

#include <errno.h>
#include <string.h>

#include "net/ovs.h"

const char *tw_plan_where(const struct tw_plan *p, int line, char *buf, size_t len)
{
	if (p->net->source[0] && line > 0)
		snprintf(buf, len, "%s:%d: ", p->net->source, line);
	else if (p->net->source[0])
		snprintf(buf, len, "%s: ", p->net->source);
	else
		buf[0] = 0;
	return buf;
}

/* What to do about a missing bridge: a domain can declare it in its
 * <tw:net> metadata; an interface file (owner "iface:...") has none. */
static const char *hint(const struct tw_plan *p, bool ovs)
{
	if (!strncmp(p->owner, "iface:", 6))
		return ovs ? "create it first, e.g. declared with type='ovs' in a <tw:net> file and "
			     "`tapwire up FILE`" : "create it first, e.g. declared in a <tw:net> file and "
			     "`tapwire up FILE`, or let the libvirt hook's tapwire.conf manage it";
	return ovs ? "declare it in <tw:net> with type='ovs' for tapwire to create it"
		   : "declare it in <tw:net> for tapwire to create it";
}

static int need_ovs(struct tw_plan *p, const struct tw_need_spec *n, struct tw_err *e)
{
	char loc[300], why[256];
	tw_plan_where(p, n->line, loc, sizeof(loc));
	int r = tw_ovs_bridge_exists(n->bridge, why, sizeof(why));
	if (r < 0)
		return tw_err_set(e, 1, "%s%s: Open vSwitch bridge %s: %s", loc, n->what, n->bridge, why);
	if (r == 0)
		return tw_err_set(e, 1, "%s%s: Open vSwitch bridge %s does not exist (%s)", loc, n->what,
				  n->bridge, hint(p, true));
	return 0;
}

/* A vxlan's dev= (its underlay) must exist, as a <tw:port dev> must:
 * caught by check, before up makes anything. A bridge the file declares
 * there will exist by then. */
static int plan_underlays(struct tw_ctx *c, struct tw_plan *p, struct tw_err *e)
{
	char loc[300];
	for (size_t i = 0; i < p->net->n_vxlans; i++) {
		const struct tw_vxlan_spec *v = &p->net->vxlans[i];
		if (!v->dev[0] || tw_net_find_bridge(p->net, v->ns, v->dev))
			continue;
		struct tw_nl *nl;
		struct tw_link l;
		int r = tw_ctx_is_fresh(c, v->ns) ? -ENODEV : tw_ctx_nl(c, v->ns, &nl);
		if (r == 0)
			r = tw_link_get(nl, v->dev, 0, &l);
		if (r == -ENODEV)
			return tw_err_set(e, 1, "%svxlan %s: dev %s: no such device",
					  tw_plan_where(p, v->line, loc, sizeof(loc)), v->name, v->dev);
		if (r < 0)
			return tw_err_set(e, 1, "%svxlan %s: dev %s: %s",
					  tw_plan_where(p, v->line, loc, sizeof(loc)), v->name, v->dev,
					  strerror(-r));
	}
	return 0;
}

int tw_plan_needs(struct tw_ctx *c, struct tw_plan *p, struct tw_err *e)
{
	char loc[300], why[256];
	for (size_t i = 0; i < p->net->n_needs; i++) {
		const struct tw_need_spec *n = &p->net->needs[i];
		const struct tw_bridge_spec *b = tw_net_find_bridge(p->net, "", n->bridge);
		if (b && (b->type == TW_BRIDGE_OVS) != n->ovs)
			return tw_err_set(e, 2, "%s%s: bridge %s is declared %s, but the interface %s",
					  tw_plan_where(p, n->line, loc, sizeof(loc)), n->what, n->bridge,
					  n->ovs ? "a Linux bridge" : "type='ovs'",
					  n->ovs ? "has <virtualport type='openvswitch'>"
						 : "has no <virtualport type='openvswitch'/>");
		if (b)
			continue;
		if (n->ovs) {
			if (need_ovs(p, n, e) < 0)
				return -1;
			continue;
		}
		struct tw_nl *nl;
		struct tw_link l;
		int r = tw_ctx_nl(c, "", &nl);
		if (r == 0)
			r = tw_link_get(nl, n->bridge, 0, &l);
		tw_plan_where(p, n->line, loc, sizeof(loc));
		if (r == -ENODEV)
			return tw_err_set(e, 1, "%s%s: bridge %s does not exist (%s)", loc, n->what,
					  n->bridge, hint(p, false));
		if (r < 0)
			return tw_err_set(e, 1, "%s%s: bridge %s: %s", loc, n->what, n->bridge, strerror(-r));
		if (strcmp(l.kind, "bridge") && tw_ovs_bridge_exists(n->bridge, why, sizeof(why)) == 1)
			return tw_err_set(e, 1, "%s%s: %s is an Open vSwitch bridge: give the interface <virtualport type='openvswitch'/>",
					  loc, n->what, n->bridge);
		if (strcmp(l.kind, "bridge"))
			return tw_err_set(e, 1, "%s%s: %s is not a Linux bridge", loc, n->what, n->bridge);
	}
	return plan_underlays(c, p, e);
}
