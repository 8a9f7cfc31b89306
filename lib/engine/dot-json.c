/* tapwire show --json (dot.h): the graph tw_dot_write draws, as one JSON
 * document. Ids are those of the DOT graph ("d/NS/NAME", "v/NAME",
 * "cluster_host", "cluster_ns_NS"), so the two can be compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/dot-int.h"

/* ",", before every item of an array but its first. */
static void item(struct tw_dot_out *o)
{
	if (o->more)
		fputc(',', o->f);
	o->more = true;
}

/* "PREFIX" + a + "/" + b (b NULL: none) as one JSON string. */
static void id(FILE *f, const char *prefix, const char *a, const char *b)
{
	size_t len = strlen(prefix) + strlen(a) + (b ? strlen(b) + 1 : 0) + 1;
	char *s = malloc(len);
	if (!s) {
		fputs("null", f);
		return;
	}
	snprintf(s, len, "%s%s%s%s", prefix, a, b ? "/" : "", b ? b : "");
	tw_json_str(f, s);
	free(s);
}

void tw_dotj_begin(struct tw_dot_out *o, const char *title)
{
	fputs("{\"title\":", o->f);
	tw_json_str(o->f, title);
	fputs(",\"namespaces\":[", o->f);
	o->more = false;
}

void tw_dotj_cluster(struct tw_dot_out *o, const char *ns, bool end)
{
	if (end) {
		fputs("]}", o->f);
		o->more = true;
		return;
	}
	item(o);
	fputs("{\"id\":", o->f);
	if (*ns)
		id(o->f, "cluster_ns_", ns, NULL);
	else
		fputs("\"cluster_host\"", o->f);
	fputs(",\"name\":", o->f);
	tw_json_str(o->f, ns);
	fputs(",\"nodes\":[", o->f);
	o->more = false;
}

void tw_dotj_section(struct tw_dot_out *o, const char *name)
{
	fputs("],", o->f);
	tw_json_str(o->f, name);
	fputs(":[", o->f);
	o->more = false;
}

void tw_dotj_node(struct tw_dot_out *o, const char *ns, const char *name, const char *kind,
		  const char *const lines[3])
{
	item(o);
	fputs("{\"id\":", o->f);
	if (ns)
		id(o->f, "d/", ns, name);
	else
		id(o->f, "v/", name, NULL);
	fputs(",\"kind\":", o->f);
	tw_json_str(o->f, kind);
	fputs(",\"name\":", o->f);
	tw_json_str(o->f, name);
	fputs(",\"label\":[", o->f);
	const char *sep = "";
	for (int i = 0; i < 3; i++)
		if (lines[i] && *lines[i]) {
			fputs(sep, o->f);
			tw_json_str(o->f, lines[i]);
			sep = ",";
		}
	fputs("]}", o->f);
}

static void field(FILE *f, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(f, ",\"%s\":", name);
	tw_json_str(f, value);
}

void tw_dotj_edge(struct tw_dot_out *o, const struct tw_dot_edge *e)
{
	item(o);
	fputs("{\"from\":", o->f);
	if (e->vm)
		id(o->f, "v/", e->a, NULL);
	else
		id(o->f, "d/", e->ns1, e->a);
	fputs(",\"to\":", o->f);
	id(o->f, "d/", e->ns2, e->b);
	field(o->f, "kind", e->kind);
	field(o->f, "label", e->label);
	field(o->f, "tail", e->tail);
	field(o->f, "head", e->head);
	fputs("}", o->f);
}

void tw_dotj_end(struct tw_dot_out *o)
{
	fputs("]}\n", o->f);
}
