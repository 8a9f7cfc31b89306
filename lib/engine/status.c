/* tapwire status: what is on record, per owner, whether it is live, and
 * every port of each bridge on record with the process holding each tap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "engine/holders.h"
#include "engine/pending.h"
#include "engine/run.h"
#include "engine/state.h"
#include "engine/teardown.h"
#include "kinds/ctx.h"
#include "kinds/kind.h"
#include "net/link.h"

/* ---- status: the ports of each bridge on record, as the kernel has them */

struct port_view {
	const struct tw_port *p;
	const char *owner;       /* a tapwire owner of the port, NULL: foreign */
	char peer[TW_NSNAME_MAX + IFNAMSIZ + 4];
	struct tw_holder holder; /* a held tap's holder */
};

/* A veth's other end: "[ns] name" from the record, else what the kernel says. */
static void veth_peer(const struct tw_rec *r, const char *ns, const char *name, char *buf,
		      size_t len)
{
	buf[0] = 0;
	if (r && r->key.kind == TW_K_VETH) {
		const char *slash = strchr(r->data, '/');
		char pns[TW_NSNAME_MAX] = "";
		if (!slash)
			return;
		if (!strcmp(r->key.ns, ns) && !strcmp(r->key.name, name)) {
			size_t n = (size_t)(slash - r->data);
			memcpy(pns, r->data, n < sizeof(pns) ? n : sizeof(pns) - 1);
			tw_dev_label(pns, slash + 1, buf, len);
		} else {
			tw_dev_label(r->key.ns, r->key.name, buf, len);
		}
	}
}

/* A macvtap's node as status shows it: "/dev/tap4 uid 4242 gid 0 held by
 * pid 99 qemu-system-x86", "" when the device is gone. */
static void macvtap_node(struct tw_ctx *c, const struct tw_rec *r, char *buf, size_t len)
{
	struct tw_nl *nl;
	struct tw_link l;
	struct stat st;
	char node[32], held[160] = "nobody";
	buf[0] = 0;
	if (tw_ctx_nl(c, r->key.ns, &nl) < 0 || tw_link_get(nl, r->key.name, 0, &l) < 0)
		return;
	snprintf(node, sizeof(node), "/dev/tap%d", l.ifindex);
	struct tw_holder h = { 0 };
	if (tw_node_holder(node, &h.pid) == 0 && h.pid) {
		tw_holder_describe(&h);
		tw_holder_format(&h, held, sizeof(held));
	}
	if (stat(node, &st) < 0)
		snprintf(buf, len, "%s missing", node);
	else
		snprintf(buf, len, "%s uid %u gid %u held by %s", node, (unsigned)st.st_uid,
			 (unsigned)st.st_gid, held);
}

static void port_view(struct tw_state *st, const struct tw_rec *br, const struct tw_port *p,
		      const struct tw_holders *h, struct port_view *v)
{
	memset(v, 0, sizeof(*v));
	v->p = p;
	const struct tw_rec *r = tw_teardown_dev_rec(st, br->key.ns, p->name);
	v->owner = r ? r->owners[0] : NULL;
	veth_peer(r, br->key.ns, p->name, v->peer, sizeof(v->peer));
	if (!v->peer[0] && p->peer[0])
		tw_strscpy(v->peer, p->peer, sizeof(v->peer));
	else if (!v->peer[0] && p->peer_elsewhere)
		tw_strscpy(v->peer, "(another namespace)", sizeof(v->peer));
	if (!strcmp(p->kind, "tun") && p->carrier)
		tw_holders_find(h, p->name, &v->holder);
}

/* The live ports of bridge record r; 0 with none when it is not live. */
static int ports_of(struct tw_ctx *c, const struct tw_rec *r, struct tw_port **ports, size_t *n)
{
	struct tw_nl *nl;
	struct tw_link l;
	*ports = NULL;
	*n = 0;
	if (r->key.kind != TW_K_BRIDGE || tw_ctx_nl(c, r->key.ns, &nl) < 0 ||
	    tw_link_get(nl, r->key.name, 0, &l) < 0 || strcmp(l.kind, "bridge"))
		return 0;
	return tw_bridge_ports(nl, l.ifindex, ports, n);
}

typedef void bridge_fn(FILE *out, const struct tw_rec *br, const struct port_view *v, size_t n,
		       bool first);

/* fn on each bridge on record, with its ports; /proc is read once. */
static void each_bridge(FILE *out, struct tw_ctx *c, struct tw_state *st, bridge_fn *fn)
{
	struct tw_holders h = { NULL, 0, 0 };
	bool scanned = false, first = true;
	for (size_t i = 0; i < tw_state_count(st); i++) {
		const struct tw_rec *r = tw_state_at(st, i);
		struct tw_port *ports;
		size_t n;
		if (!r || r->key.kind != TW_K_BRIDGE || ports_of(c, r, &ports, &n) < 0)
			continue;
		for (size_t k = 0; k < n && !scanned; k++)
			if (!strcmp(ports[k].kind, "tun") && ports[k].carrier)
				scanned = true, tw_holders_scan(&h);
		struct port_view *v = calloc(n + 1, sizeof(*v));
		for (size_t k = 0; v && k < n; k++)
			port_view(st, r, &ports[k], &h, &v[k]);
		if (v)
			fn(out, r, v, n, first);
		first = false;
		free(v);
		free(ports);
	}
	tw_holders_free(&h);
}

static void bridge_json(FILE *out, const struct tw_rec *br, const struct port_view *v, size_t n,
			bool first)
{
	fprintf(out, "%s{\"netns\":", first ? "" : ",");
	tw_json_str(out, br->key.ns);
	fputs(",\"name\":", out);
	tw_json_str(out, br->key.name);
	fputs(",\"ports\":[", out);
	for (size_t k = 0; k < n; k++) {
		fprintf(out, "%s{\"name\":", k ? "," : "");
		tw_json_str(out, v[k].p->name);
		fputs(",\"kind\":", out);
		tw_json_str(out, v[k].p->kind);
		fputs(",\"owner\":", out);
		v[k].owner ? tw_json_str(out, v[k].owner) : (void)fputs("null", out);
		fputs(",\"peer\":", out);
		v[k].peer[0] ? tw_json_str(out, v[k].peer) : (void)fputs("null", out);
		bool tap = !strcmp(v[k].p->kind, "tun");
		fprintf(out, ",\"held\":%s,\"holder\":", tap && v[k].p->carrier ? "true" : "false");
		if (v[k].holder.pid) {
			fprintf(out, "{\"pid\":%ld,\"comm\":", (long)v[k].holder.pid);
			tw_json_str(out, v[k].holder.comm);
			fputs(",\"domain\":", out);
			v[k].holder.domain[0] ? tw_json_str(out, v[k].holder.domain) : (void)fputs("null", out);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("]}", out);
}

static void bridge_text(FILE *out, const struct tw_rec *br, const struct port_view *v, size_t n,
			bool first)
{
	char dev[TW_NSNAME_MAX + IFNAMSIZ + 4], what[200];
	(void)first;
	tw_dev_label(br->key.ns, br->key.name, dev, sizeof(dev));
	fprintf(out, "bridge %s: %zu port%s\n", dev, n, n == 1 ? "" : "s");
	for (size_t k = 0; k < n; k++) {
		const struct port_view *p = &v[k];
		bool tap = !strcmp(p->p->kind, "tun");
		if (tap && p->p->carrier) {
			char h[160];
			tw_holder_format(&p->holder, h, sizeof(h));
			snprintf(what, sizeof(what), "held by %s", h);
		} else if (tap) {
			snprintf(what, sizeof(what), "held by nobody");
		} else {
			snprintf(what, sizeof(what), "%s%s", p->peer[0] ? "peer " : "", p->peer);
		}
		fprintf(out, "  port %-15s %-6s %-16s %s\n", p->p->name,
			tap ? "tap" : (p->p->kind[0] ? p->p->kind : "-"),
			p->owner ? p->owner : "(not tapwire's)", what);
	}
}

static void status_json(FILE *out, struct tw_ctx *c, struct tw_state *st)
{
	fputs("{\"state\":", out);
	tw_json_str(out, tw_state_path(st));
	fputs(",\"objects\":[", out);
	bool first = true;
	for (size_t i = 0; i < tw_state_count(st); i++) {
		struct tw_rec *r = tw_state_at(st, i);
		if (!r)
			continue;
		fprintf(out, "%s{\"kind\":", first ? "" : ",");
		first = false;
		tw_json_str(out, tw_kind_name(r->key.kind));
		fputs(",\"netns\":", out);
		tw_json_str(out, r->key.ns);
		fputs(",\"name\":", out);
		tw_json_str(out, r->key.name);
		fputs(",\"arg\":", out);
		tw_json_str(out, r->key.arg);
		fputs(",\"data\":", out);
		tw_json_str(out, r->data);
		if (r->key.kind == TW_K_VETH) {
			char peer[TW_NSNAME_MAX + IFNAMSIZ + 4];
			veth_peer(r, r->key.ns, r->key.name, peer, sizeof(peer));
			fputs(",\"peer\":", out);
			tw_json_str(out, peer);
		}
		if (r->key.kind == TW_K_MACVTAP) {
			char node[240];
			macvtap_node(c, r, node, sizeof(node));
			fputs(",\"node\":", out);
			tw_json_str(out, node);
		}
		fprintf(out, ",\"created\":%s,\"live\":%s,\"owners\":[", r->created ? "true" : "false",
			tw_rec_live(c, r) ? "true" : "false");
		for (size_t k = 0; k < r->n_owners; k++) {
			if (k)
				fputc(',', out);
			tw_json_str(out, r->owners[k]);
		}
		fputs("],\"kept\":", out);
		if (r->kept_by) {
			fputs("{\"for\":", out);
			tw_json_str(out, r->kept_by);
			fputs(",\"why\":", out);
			tw_json_str(out, r->kept);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("],\"bridges\":[", out);
	each_bridge(out, c, st, bridge_json);
	fputs("]", out);
	tw_pending_status(out, tw_state_path(st), true);
	fputs("}\n", out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void owner_text(FILE *out, struct tw_ctx *c, struct tw_state *st, const char *owner)
{
	fprintf(out, "owner %s\n", owner);
	for (int k = 0; k < TW_K__MAX; k++)
		for (size_t i = 0; i < tw_state_count(st); i++) {
			struct tw_rec *r = tw_state_at(st, i);
			if (!r || (int)r->key.kind != k || !tw_rec_has_owner(r, owner))
				continue;
			char key[200], peer[256] = "";
			tw_key_format(&r->key, key, sizeof(key));
			if (k == TW_K_VETH) {
				strcpy(peer, "  peer ");
				veth_peer(r, r->key.ns, r->key.name, peer + 7, sizeof(peer) - 7);
			} else if (k == TW_K_MACVTAP) {
				strcpy(peer, "  node ");
				macvtap_node(c, r, peer + 7, sizeof(peer) - 7);
			}
			fprintf(out, "  %-48s %-8s %s%s%s\n", key, r->created ? "created" : "used",
				tw_rec_live(c, r) ? "live" : "MISSING", r->n_owners > 1 ? "  shared" : "",
				peer);
			const char *why = tw_state_kept(r, owner);
			if (why)
				fprintf(out, "    kept: %s\n", why);
		}
}

static void status_text(FILE *out, struct tw_ctx *c, struct tw_state *st)
{
	/* The owners, sorted, then each one's objects. */
	size_t n = tw_state_count(st), nown = 0, nobj = 0;
	const char **owners = calloc(n * 2 + 1, sizeof(*owners));
	for (size_t i = 0; owners && i < n; i++) {
		struct tw_rec *r = tw_state_at(st, i);
		nobj += r != NULL;
		for (size_t k = 0; r && k < r->n_owners; k++) {
			bool seen = false;
			for (size_t j = 0; j < nown && !seen; j++)
				seen = !strcmp(owners[j], r->owners[k]);
			if (!seen) {
				const char **grown = owners;
				if (nown >= n * 2)
					grown = realloc(owners, (nown * 2 + 1) * sizeof(*owners));
				if (!grown)
					break;
				owners = grown;
				owners[nown++] = r->owners[k];
			}
		}
	}
	if (!owners || !nown) {
		fprintf(out, "nothing on record\n");
		free(owners);
		return;
	}
	qsort(owners, nown, sizeof(*owners), cmp_str);
	fprintf(out, "tapwire status: %zu owner%s, %zu object%s on record in %s\n", nown,
		nown == 1 ? "" : "s", nobj, nobj == 1 ? "" : "s", tw_state_path(st));
	for (size_t j = 0; j < nown; j++)
		owner_text(out, c, st, owners[j]);
	each_bridge(out, c, st, bridge_text);
	free(owners);
}

int tw_status(FILE *out, bool json, const struct tw_run_opts *o, struct tw_err *e)
{
	struct tw_run run;
	if (tw_run_open(&run, o, false, e) < 0)
		return -1;
	if (json)
		status_json(out, run.ctx, run.st);
	else
		status_text(out, run.ctx, run.st);
	if (!json)
		tw_pending_status(out, tw_state_path(run.st), false);
	return tw_run_close(&run, 0, e);
}
