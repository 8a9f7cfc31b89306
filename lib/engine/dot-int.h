/* Inside tapwire show: one walk of the graph (dot.c) writes either
 * Graphviz or JSON (dot-json.c). The walk hands every namespace, node and
 * edge to the writer; the DOT look (shapes, styles) is passed along and the
 * JSON writer ignores it. */
#ifndef TW_DOT_INT_H
#define TW_DOT_INT_H

#include <stdbool.h>
#include <stdio.h>

struct tw_dot_out {
	FILE *f;
	bool json;
	bool more; /* JSON: the open array has an item already */
};

/* An edge: from a device (or, vm set, from the VM named a) to a device. */
struct tw_dot_edge {
	const char *ns1, *a, *ns2, *b;
	bool vm;
	const char *kind;        /* "veth", "port", "lower", "nic" */
	const char *label;       /* NULL: none (DOT: no label attribute) */
	const char *tail, *head; /* a veth's ends on their bridges, or NULL */
	bool dashed;
};

/* The JSON document, piece by piece, in the order the walk calls them:
 * begin, each namespace's start, nodes and end, the "vms" section and its
 * nodes, the "edges" section and its edges, end. */
void tw_dotj_begin(struct tw_dot_out *o, const char *title);
void tw_dotj_cluster(struct tw_dot_out *o, const char *ns, bool end);
void tw_dotj_section(struct tw_dot_out *o, const char *name);
/* A device in namespace ns, or a VM (ns NULL); lines: its label, "" skipped. */
void tw_dotj_node(struct tw_dot_out *o, const char *ns, const char *name, const char *kind,
		  const char *const lines[3]);
void tw_dotj_edge(struct tw_dot_out *o, const struct tw_dot_edge *e);
void tw_dotj_end(struct tw_dot_out *o);

#endif
