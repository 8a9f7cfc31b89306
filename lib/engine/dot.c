/* tapwire show --dot (dot.h). Node ids say what they are: "d/NS/NAME" a
 * device (NS "" is the host; neither part can hold a '/'), "v/NAME" a VM;
 * clusters are "cluster_host" and "cluster_ns_NS". */
#include "engine/dot.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* A device's node: attrs, then a label of up to three lines ("" skipped). */
static void node(FILE *out, const char *ns, const char *name, const char *attrs, const char *l1,
		 const char *l2, const char *l3)
{
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

static size_t bridge_nodes(FILE *out, const struct tw_net *n, const char *ns)
{
	size_t count = 0;
	char a[256], title[IFNAMSIZ + 16];
	for (size_t i = 0; i < n->n_bridges; i++) {
		const struct tw_bridge_spec *b = &n->bridges[i];
		if (strcmp(b->ns, ns))
			continue;
		snprintf(title, sizeof(title), "%sbridge %s", b->type == TW_BRIDGE_OVS ? "ovs " : "",
			 b->name);
		node(out, ns, b->name, "shape=box, style=\"rounded,bold\", ", title,
		     addrs_text(&b->addrs, a, sizeof(a)), "");
		count++;
	}
	for (size_t i = 0; i < n->n_needs && !*ns; i++) {
		if (tw_net_find_bridge(n, "", n->needs[i].bridge))
			continue;
		snprintf(title, sizeof(title), "bridge %s", n->needs[i].bridge);
		node(out, "", n->needs[i].bridge, "shape=box, style=\"rounded,dashed\", ", title,
		     "(must exist)", "");
		count++;
	}
	return count;
}

static size_t device_nodes(FILE *out, const struct tw_net *n, const char *ns)
{
	size_t count = 0;
	char a[256], title[IFNAMSIZ + 64];
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++) {
			const struct tw_veth_end *v = &n->veths[i].end[e];
			if (strcmp(v->ns, ns) || v->bridge[0])
				continue;
			node(out, ns, v->name, "", v->name, addrs_text(&v->addrs, a, sizeof(a)), "");
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
		node(out, ns, t->name, "shape=ellipse, style=filled, fillcolor=lightyellow, ", title,
		     user, addrs_text(&t->addrs, a, sizeof(a)));
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
		node(out, ns, x->name, "shape=hexagon, ", title, vni, "");
		count++;
	}
	for (size_t i = 0; i < n->n_ports; i++) {
		if (strcmp(n->ports[i].ns, ns))
			continue;
		node(out, ns, n->ports[i].dev, "style=dashed, ", n->ports[i].dev, "(existing device)",
		     "");
		count++;
	}
	return count;
}

static const char *const macvlan_modes[] = { "bridge", "vepa", "private", "passthru", "source" };

/* tun devices, macvlans and macvtaps. */
static size_t more_nodes(FILE *out, const struct tw_net *n, const char *ns)
{
	size_t count = 0;
	char a[256], title[IFNAMSIZ + 16], mode[32];
	for (size_t i = 0; i < n->n_tuns; i++) {
		const struct tw_tun_spec *t = &n->tuns[i];
		if (strcmp(t->ns, ns))
			continue;
		snprintf(title, sizeof(title), "tun %s", t->name);
		node(out, ns, t->name, "shape=ellipse, style=filled, fillcolor=lightyellow, ", title,
		     addrs_text(&t->addrs, a, sizeof(a)), "");
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
		node(out, ns, m->name, "shape=ellipse, ", title, mode, addrs_text(&m->addrs, a, sizeof(a)));
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
static size_t lower_nodes(FILE *out, const struct tw_net *n)
{
	size_t count = 0;
	for (size_t i = 0; i < n->n_macvlans; i++) {
		const char *dev = n->macvlans[i].dev;
		bool seen = !dev[0] || declared_here(n, dev);
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(n->macvlans[k].dev, dev);
		if (seen)
			continue;
		node(out, "", dev, "style=dashed, ", dev, "(existing device)", "");
		count++;
	}
	return count;
}

/* Taps the VMs hold that the net does not have. */
static size_t foreign_taps(FILE *out, const struct tw_dot *g, const char *ns)
{
	size_t count = 0;
	char title[IFNAMSIZ + 8];
	for (size_t i = 0; i < g->n_vms; i++) {
		const struct tw_dot_vm *v = &g->vms[i];
		if (!v->tap[0] || strcmp(v->ns, ns) || has_tap(g->net, ns, v->tap))
			continue;
		snprintf(title, sizeof(title), "tap %s", v->tap);
		node(out, ns, v->tap, "shape=ellipse, style=dashed, ", title, "(not tapwire's)", "");
		count++;
	}
	return count;
}

static void cluster(FILE *out, const struct tw_dot *g, const char *ns)
{
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
	size_t n = bridge_nodes(out, g->net, ns) + device_nodes(out, g->net, ns) +
		   more_nodes(out, g->net, ns) + foreign_taps(out, g, ns) +
		   (*ns ? 0 : lower_nodes(out, g->net));
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

static void edge(FILE *out, const char *ns1, const char *a, const char *ns2, const char *b)
{
	fputc('\t', out);
	dev_id(out, ns1, a);
	fputs(" -- ", out);
	dev_id(out, ns2, b);
}

/* A veth: one edge between the places of its ends. */
static void veth_edges(FILE *out, const struct tw_net *n)
{
	for (size_t i = 0; i < n->n_veths; i++) {
		const struct tw_veth_end *a = &n->veths[i].end[0], *b = &n->veths[i].end[1];
		edge(out, a->ns, a->bridge[0] ? a->bridge : a->name, b->ns,
		     b->bridge[0] ? b->bridge : b->name);
		fputs(" [label=\"veth\"", out);
		if (a->bridge[0]) {
			fputs(", taillabel=", out);
			tw_dot_str(out, a->name);
		}
		if (b->bridge[0]) {
			fputs(", headlabel=", out);
			tw_dot_str(out, b->name);
		}
		fputs("];\n", out);
	}
}

static void bridge_edges(FILE *out, const struct tw_net *n)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (n->taps[i].bridge[0]) {
			edge(out, n->taps[i].ns, n->taps[i].name, n->taps[i].ns, n->taps[i].bridge);
			fputs(";\n", out);
		}
	for (size_t i = 0; i < n->n_vxlans; i++)
		if (n->vxlans[i].bridge[0]) {
			edge(out, n->vxlans[i].ns, n->vxlans[i].name, n->vxlans[i].ns,
			     n->vxlans[i].bridge);
			fputs(";\n", out);
		}
	for (size_t i = 0; i < n->n_ports; i++) {
		edge(out, n->ports[i].ns, n->ports[i].dev, n->ports[i].ns, n->ports[i].bridge);
		fputs(";\n", out);
	}
	/* A macvlan hangs off its lower device, where tapwire runs. */
	for (size_t i = 0; i < n->n_macvlans; i++)
		if (n->macvlans[i].dev[0]) {
			edge(out, n->macvlans[i].ns, n->macvlans[i].name, "", n->macvlans[i].dev);
			fputs(" [style=dashed];\n", out);
		}
}

static void vm_nodes_and_edges(FILE *out, const struct tw_dot *g)
{
	for (size_t i = 0; i < g->n_vms; i++) {
		const struct tw_dot_vm *v = &g->vms[i];
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(g->vms[k].name, v->name);
		if (!seen) {
			fputc('\t', out);
			vm_id(out, v->name);
			fputs(" [shape=box3d, style=filled, fillcolor=lightblue, ", out);
			label(out, v->name, NULL);
			fputs("];\n", out);
		}
		fputc('\t', out);
		vm_id(out, v->name);
		fputs(" -- ", out);
		dev_id(out, v->ns, v->tap[0] ? v->tap : v->bridge);
		fputs(" [", out);
		label(out, v->label, NULL);
		fputs("];\n", out);
		if (v->tap[0] && v->bridge[0] && !has_tap(g->net, v->ns, v->tap)) {
			edge(out, v->ns, v->tap, v->ns, v->bridge);
			fputs(";\n", out);
		}
	}
}

void tw_dot_write(FILE *out, const struct tw_dot *g)
{
	const struct tw_net *n = g->net;
	size_t max = 1 + n->n_namespaces + n->n_bridges + 2 * n->n_veths + n->n_taps +
		     n->n_vxlans + n->n_ports + n->n_tuns + n->n_macvlans + g->n_vms;
	const char **ns = calloc(max, sizeof(*ns));
	if (!ns)
		return;
	fputs("graph \"tapwire\" {\n\t", out);
	label(out, g->title ? g->title : "", NULL);
	fputs(";\n\tlabelloc=t; fontname=\"Helvetica\";\n"
	      "\tnode [fontname=\"Helvetica\", fontsize=11];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9];\n", out);
	size_t k = namespaces(g, ns, max);
	for (size_t i = 0; i < k; i++)
		cluster(out, g, ns[i]);
	vm_nodes_and_edges(out, g);
	veth_edges(out, n);
	bridge_edges(out, n);
	fputs("}\n", out);
	free(ns);
}
