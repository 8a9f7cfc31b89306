/* tapwire show --dot and --json (dot.h): one walk of the graph, written
 * as Graphviz here or as JSON by dot-json.c (dot-int.h). Node ids say what
 * they are: "d/NS/NAME" a device (NS "" is the host; neither part can hold
 * a '/'), "v/NAME" a VM; clusters are "cluster_host" and "cluster_ns_NS". */
#include "engine/dot.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dot-int.h"

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fputc('\\', out);
		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
}

void tw_dot_str(FILE *out, const char *s)
{
	fputc('"', out);
	esc(out, s);
	fputc('"', out);
}

static void dev_id(FILE *out, const char *ns, const char *name)
{
	fputs("\"d/", out);
	esc(out, ns);
	fputc('/', out);
	esc(out, name);
	fputc('"', out);
}

static void vm_id(FILE *out, const char *name)
{
	fputs("\"v/", out);
	esc(out, name);
	fputc('"', out);
}

/* label="LINE\nLINE..." from the strings up to NULL; empty ones skipped. */
static void label(FILE *out, const char *first, ...)
{
	va_list ap;
	bool any = false;
	fputs("label=\"", out);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		if (!*s)
			continue;
		fputs(any ? "\\n" : "", out);
		esc(out, s);
		any = true;
	}
	va_end(ap);
	fputc('"', out);
}

static const char *addrs_text(const struct tw_addrs *a, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < a->n && used + TW_CIDR_STRLEN + 2 < len; i++) {
		char c[TW_CIDR_STRLEN];
		tw_cidr_format(&a->v[i], c, sizeof(c));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", c);
	}
	return buf;
}

/* A device's node of kind (JSON): attrs (DOT), then a label of up to three
 * lines ("" skipped). */
static void node(struct tw_dot_out *o, const char *ns, const char *name, const char *kind,
		 const char *attrs, const char *l1, const char *l2, const char *l3)
{
	if (o->json) {
		tw_dotj_node(o, ns, name, kind, (const char *const[3]){ l1, l2, l3 });
		return;
	}
	FILE *out = o->f;
	fputs("\t\t", out);
	dev_id(out, ns, name);
	fprintf(out, " [%s", attrs);
	label(out, l1, l2, l3, NULL);
	fputs("];\n", out);
}

static bool has_tap(const struct tw_net *n, const char *ns, const char *name)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (!strcmp(n->taps[i].ns, ns) && !strcmp(n->taps[i].name, name))
			return true;
	return false;
}

static size_t bridge_nodes(struct tw_dot_out *o, const struct tw_net *n, const char *ns)
{
	size_t count = 0;
	char a[256], title[IFNAMSIZ + 16];
	for (size_t i = 0; i < n->n_bridges; i++) {
		const struct tw_bridge_spec *b = &n->bridges[i];
		if (strcmp(b->ns, ns))
			continue;
		snprintf(title, sizeof(title), "%sbridge %s", b->type == TW_BRIDGE_OVS ? "ovs " : "",
			 b->name);
		node(o, ns, b->name, b->type == TW_BRIDGE_OVS ? "ovs-bridge" : "bridge",
		     "shape=box, style=\"rounded,bold\", ", title, addrs_text(&b->addrs, a, sizeof(a)),
		     "");
		count++;
	}
	for (size_t i = 0; i < n->n_needs && !*ns; i++) {
		if (tw_net_find_bridge(n, "", n->needs[i].bridge))
			continue;
		snprintf(title, sizeof(title), "bridge %s", n->needs[i].bridge);
		node(o, "", n->needs[i].bridge, "bridge", "shape=box, style=\"rounded,dashed\", ", title,
		     "(must exist)", "");
		count++;
	}
	return count;
}

static size_t device_nodes(struct tw_dot_out *o, const struct tw_net *n, const char *ns)
{
	size_t count = 0;
	char a[256], title[IFNAMSIZ + 64];
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++) {
			const struct tw_veth_end *v = &n->veths[i].end[e];
			if (strcmp(v->ns, ns) || v->bridge[0])
				continue;
			node(o, ns, v->name, "veth", "", v->name, addrs_text(&v->addrs, a, sizeof(a)), "");
			count++;
		}
	for (size_t i = 0; i < n->n_taps; i++) {
		const struct tw_tap_spec *t = &n->taps[i];
		if (strcmp(t->ns, ns))
			continue;
		char user[TW_OWNER_MAX + 8] = "";
		if (t->owner[0])
			snprintf(user, sizeof(user), "user %s", t->owner);
		snprintf(title, sizeof(title), "tap %s", t->name);
		node(o, ns, t->name, "tap", "shape=ellipse, style=filled, fillcolor=lightyellow, ",
		     title, user, addrs_text(&t->addrs, a, sizeof(a)));
		count++;
	}
	for (size_t i = 0; i < n->n_vxlans; i++) {
		const struct tw_vxlan_spec *x = &n->vxlans[i];
		char vni[32] = "";
		if (strcmp(x->ns, ns))
			continue;
		if (x->id)
			snprintf(vni, sizeof(vni), "vni %u", x->id);
		snprintf(title, sizeof(title), "vxlan %s", x->name);
		node(o, ns, x->name, "vxlan", "shape=hexagon, ", title, vni, "");
		count++;
	}
	for (size_t i = 0; i < n->n_ports; i++) {
		if (strcmp(n->ports[i].ns, ns))
			continue;
		node(o, ns, n->ports[i].dev, "device", "style=dashed, ", n->ports[i].dev, "(existing device)",
		     "");
		count++;
	}
	return count;
}

static const char *const macvlan_modes[] = { "bridge", "vepa", "private", "passthru", "source" };

/* tun devices, macvlans and macvtaps. */
static size_t more_nodes(struct tw_dot_out *o, const struct tw_net *n, const char *ns)
{
	size_t count = 0;
	char a[256], title[IFNAMSIZ + 16], mode[32];
	for (size_t i = 0; i < n->n_tuns; i++) {
		const struct tw_tun_spec *t = &n->tuns[i];
		if (strcmp(t->ns, ns))
			continue;
		snprintf(title, sizeof(title), "tun %s", t->name);
		node(o, ns, t->name, "tun", "shape=ellipse, style=filled, fillcolor=lightyellow, ",
		     title, addrs_text(&t->addrs, a, sizeof(a)), "");
		count++;
	}
	for (size_t i = 0; i < n->n_macvlans; i++) {
		const struct tw_macvlan_spec *m = &n->macvlans[i];
		if (strcmp(m->ns, ns))
			continue;
		snprintf(title, sizeof(title), "%s %s", m->tap ? "macvtap" : "macvlan", m->name);
		/* The default, bridge, goes unsaid (the state does not record a mode). */
		mode[0] = 0;
		if (m->mode != TW_MACVLAN_BRIDGE && (size_t)m->mode < TW_ARRAY_SIZE(macvlan_modes))
			snprintf(mode, sizeof(mode), "mode %s", macvlan_modes[m->mode]);
		node(o, ns, m->name, m->tap ? "macvtap" : "macvlan", "shape=ellipse, ", title, mode,
		     addrs_text(&m->addrs, a, sizeof(a)));
		count++;
	}
	return count;
}

static bool declared_here(const struct tw_net *n, const char *name)
{
	if (tw_net_find_bridge(n, "", name))
		return true;
	for (size_t i = 0; i < n->n_ports; i++)
		if (!n->ports[i].ns[0] && !strcmp(n->ports[i].dev, name))
			return true;
	for (size_t i = 0; i < n->n_taps; i++)
		if (!n->taps[i].ns[0] && !strcmp(n->taps[i].name, name))
			return true;
	for (size_t i = 0; i < n->n_macvlans; i++)
		if (!n->macvlans[i].ns[0] && !strcmp(n->macvlans[i].name, name))
			return true;
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++)
			if (!n->veths[i].end[e].ns[0] && !strcmp(n->veths[i].end[e].name, name))
				return true;
	return false;
}

/* The lower devices of macvlans and macvtaps, where tapwire runs, each once. */
static size_t lower_nodes(struct tw_dot_out *o, const struct tw_net *n)
{
	size_t count = 0;
	for (size_t i = 0; i < n->n_macvlans; i++) {
		const char *dev = n->macvlans[i].dev;
		bool seen = !dev[0] || declared_here(n, dev);
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(n->macvlans[k].dev, dev);
		if (seen)
			continue;
		node(o, "", dev, "device", "style=dashed, ", dev, "(existing device)", "");
		count++;
	}
	return count;
}

/* Taps the VMs hold that the net does not have. */
static size_t foreign_taps(struct tw_dot_out *o, const struct tw_dot *g, const char *ns)
{
	size_t count = 0;
	char title[IFNAMSIZ + 8];
	for (size_t i = 0; i < g->n_vms; i++) {
		const struct tw_dot_vm *v = &g->vms[i];
		if (!v->tap[0] || strcmp(v->ns, ns) || has_tap(g->net, ns, v->tap))
			continue;
		snprintf(title, sizeof(title), "tap %s", v->tap);
		node(o, ns, v->tap, "tap", "shape=ellipse, style=dashed, ", title, "(not tapwire's)", "");
		count++;
	}
	return count;
}

static size_t cluster_nodes(struct tw_dot_out *o, const struct tw_dot *g, const char *ns)
{
	return bridge_nodes(o, g->net, ns) + device_nodes(o, g->net, ns) +
	       more_nodes(o, g->net, ns) + foreign_taps(o, g, ns) + (*ns ? 0 : lower_nodes(o, g->net));
}

static void cluster(struct tw_dot_out *o, const struct tw_dot *g, const char *ns)
{
	if (o->json) {
		tw_dotj_cluster(o, ns, false);
		cluster_nodes(o, g, ns);
		tw_dotj_cluster(o, ns, true);
		return;
	}
	FILE *out = o->f;
	fputs("\tsubgraph ", out);
	if (*ns) {
		fputs("\"cluster_ns_", out);
		esc(out, ns);
		fputs("\" {\n\t\t", out);
		char title[TW_NSNAME_MAX + 16];
		snprintf(title, sizeof(title), "namespace %s", ns);
		label(out, title, NULL);
	} else {
		fputs("\"cluster_host\" {\n\t\t", out);
		label(out, "host (where tapwire runs)", NULL);
	}
	fputs(";\n\t\tstyle=rounded; color=gray40;\n", out);
	size_t n = cluster_nodes(o, g, ns);
	/* An empty cluster would not be drawn at all. */
	if (!n) {
		fputs("\t\t\"n/", out);
		esc(out, ns);
		fputs("\" [shape=plaintext, label=\"(empty)\"];\n", out);
	}
	fputs("\t}\n", out);
}

/* Each namespace once: the host first, then in the order they appear. */
static void add_ns(const char **list, size_t *n, size_t max, const char *ns)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(list[i], ns))
			return;
	if (*n < max)
		list[(*n)++] = ns;
}

static size_t namespaces(const struct tw_dot *g, const char **list, size_t max)
{
	const struct tw_net *n = g->net;
	size_t k = 0;
	for (size_t i = 0; i < n->n_bridges; i++)
		add_ns(list, &k, max, n->bridges[i].ns);
	if (n->n_needs)
		add_ns(list, &k, max, "");
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++)
			add_ns(list, &k, max, n->veths[i].end[e].ns);
	for (size_t i = 0; i < n->n_taps; i++)
		add_ns(list, &k, max, n->taps[i].ns);
	for (size_t i = 0; i < n->n_vxlans; i++)
		add_ns(list, &k, max, n->vxlans[i].ns);
	for (size_t i = 0; i < n->n_ports; i++)
		add_ns(list, &k, max, n->ports[i].ns);
	for (size_t i = 0; i < n->n_tuns; i++)
		add_ns(list, &k, max, n->tuns[i].ns);
	for (size_t i = 0; i < n->n_macvlans; i++) {
		add_ns(list, &k, max, n->macvlans[i].ns);
		if (n->macvlans[i].dev[0])
			add_ns(list, &k, max, "");
	}
	for (size_t i = 0; i < g->n_vms; i++)
		add_ns(list, &k, max, g->vms[i].ns);
	for (size_t i = 0; i < n->n_namespaces; i++)
		add_ns(list, &k, max, n->namespaces[i].name);
	return k;
}

static void edge(struct tw_dot_out *o, const struct tw_dot_edge *e)
{
	if (o->json) {
		tw_dotj_edge(o, e);
		return;
	}
	FILE *out = o->f;
	fputc('\t', out);
	if (e->vm)
		vm_id(out, e->a);
	else
		dev_id(out, e->ns1, e->a);
	fputs(" -- ", out);
	dev_id(out, e->ns2, e->b);
	const char *sep = " [";
	if (e->label) {
		fputs(sep, out);
		label(out, e->label, NULL);
		sep = ", ";
	}
	if (e->tail) {
		fprintf(out, "%staillabel=", sep);
		tw_dot_str(out, e->tail);
		sep = ", ";
	}
	if (e->head) {
		fprintf(out, "%sheadlabel=", sep);
		tw_dot_str(out, e->head);
		sep = ", ";
	}
	if (e->dashed) {
		fprintf(out, "%sstyle=dashed", sep);
		sep = ", ";
	}
	fputs(*sep == ',' ? "];\n" : ";\n", out);
}

/* A veth: one edge between the places of its ends. */
static void veth_edges(struct tw_dot_out *o, const struct tw_net *n)
{
	for (size_t i = 0; i < n->n_veths; i++) {
		const struct tw_veth_end *a = &n->veths[i].end[0], *b = &n->veths[i].end[1];
		edge(o, &(struct tw_dot_edge){ .ns1 = a->ns, .a = a->bridge[0] ? a->bridge : a->name,
					       .ns2 = b->ns, .b = b->bridge[0] ? b->bridge : b->name,
					       .kind = "veth", .label = "veth",
					       .tail = a->bridge[0] ? a->name : NULL,
					       .head = b->bridge[0] ? b->name : NULL });
	}
}

/* A device on its bridge. */
static void port_edge(struct tw_dot_out *o, const char *ns, const char *dev, const char *bridge)
{
	edge(o, &(struct tw_dot_edge){ .ns1 = ns, .a = dev, .ns2 = ns, .b = bridge, .kind = "port" });
}

static void bridge_edges(struct tw_dot_out *o, const struct tw_net *n)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (n->taps[i].bridge[0])
			port_edge(o, n->taps[i].ns, n->taps[i].name, n->taps[i].bridge);
	for (size_t i = 0; i < n->n_vxlans; i++)
		if (n->vxlans[i].bridge[0])
			port_edge(o, n->vxlans[i].ns, n->vxlans[i].name, n->vxlans[i].bridge);
	for (size_t i = 0; i < n->n_ports; i++)
		port_edge(o, n->ports[i].ns, n->ports[i].dev, n->ports[i].bridge);
	/* A macvlan hangs off its lower device, where tapwire runs. */
	for (size_t i = 0; i < n->n_macvlans; i++)
		if (n->macvlans[i].dev[0])
			edge(o, &(struct tw_dot_edge){ .ns1 = n->macvlans[i].ns, .a = n->macvlans[i].name,
						       .ns2 = "", .b = n->macvlans[i].dev,
						       .kind = "lower", .dashed = true });
}

/* Each VM once. */
static void vm_nodes(struct tw_dot_out *o, const struct tw_dot *g)
{
	for (size_t i = 0; i < g->n_vms; i++) {
		const struct tw_dot_vm *v = &g->vms[i];
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(g->vms[k].name, v->name);
		if (seen)
			continue;
		if (o->json) {
			tw_dotj_node(o, NULL, v->name, "vm", (const char *const[3]){ v->name, "", "" });
			continue;
		}
		fputc('\t', o->f);
		vm_id(o->f, v->name);
		fputs(" [shape=box3d, style=filled, fillcolor=lightblue, ", o->f);
		label(o->f, v->name, NULL);
		fputs("];\n", o->f);
	}
}

/* Each NIC: the VM to its tap (or bridge), and a tap that is not the net's
 * to its bridge. */
static void vm_edges(struct tw_dot_out *o, const struct tw_dot *g)
{
	for (size_t i = 0; i < g->n_vms; i++) {
		const struct tw_dot_vm *v = &g->vms[i];
		edge(o, &(struct tw_dot_edge){ .vm = true, .a = v->name, .ns2 = v->ns,
					       .b = v->tap[0] ? v->tap : v->bridge, .kind = "nic",
					       .label = v->label });
		if (v->tap[0] && v->bridge[0] && !has_tap(g->net, v->ns, v->tap))
			port_edge(o, v->ns, v->tap, v->bridge);
	}
}

static void walk(struct tw_dot_out *o, const struct tw_dot *g)
{
	const struct tw_net *n = g->net;
	size_t max = 1 + n->n_namespaces + n->n_bridges + 2 * n->n_veths + n->n_taps +
		     n->n_vxlans + n->n_ports + n->n_tuns + n->n_macvlans + g->n_vms;
	const char **ns = calloc(max, sizeof(*ns));
	if (!ns)
		return;
	const char *title = g->title ? g->title : "";
	if (o->json) {
		tw_dotj_begin(o, title);
	} else {
		fputs("graph \"tapwire\" {\n\t", o->f);
		label(o->f, title, NULL);
		fputs(";\n\tlabelloc=t; fontname=\"Helvetica\";\n"
		      "\tnode [fontname=\"Helvetica\", fontsize=11];\n"
		      "\tedge [fontname=\"Helvetica\", fontsize=9];\n", o->f);
	}
	size_t k = namespaces(g, ns, max);
	for (size_t i = 0; i < k; i++)
		cluster(o, g, ns[i]);
	if (o->json)
		tw_dotj_section(o, "vms");
	vm_nodes(o, g);
	if (o->json)
		tw_dotj_section(o, "edges");
	vm_edges(o, g);
	veth_edges(o, n);
	bridge_edges(o, n);
	if (o->json)
		tw_dotj_end(o);
	else
		fputs("}\n", o->f);
	free(ns);
}

void tw_dot_write(FILE *out, const struct tw_dot *g)
{
	walk(&(struct tw_dot_out){ .f = out }, g);
}

void tw_dot_write_json(FILE *out, const struct tw_dot *g)
{
	walk(&(struct tw_dot_out){ .f = out, .json = true }, g);
}
