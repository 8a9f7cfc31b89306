/* tapwire show FILE|--owner NAME [--dot|--json]: a topology as Graphviz
 * (or the same graph as JSON). From
 * FILE, what it declares (a domain's NICs as edges from the VM); from
 * --owner, what the state has on record and the kernel shows now. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "engine/domain-net.h"
#include "engine/dot.h"
#include "engine/engine.h"
#include "fail.h"
#include "twxml.h"

/* The domain's NICs: on a bridge, or on a tap it names. */
static struct tw_dot_vm *domain_vms(const struct tw_domain *d, size_t *n)
{
	struct tw_dot_vm *v = calloc(d->n_ifaces + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; v && i < d->n_ifaces; i++) {
		const struct tw_iface *f = &d->ifaces[i];
		struct tw_dot_vm *e = &v[*n];
		if (f->type == TW_IFACE_BRIDGE && f->source_bridge[0])
			tw_strscpy(e->bridge, f->source_bridge, sizeof(e->bridge));
		else if (f->type == TW_IFACE_ETHERNET && f->target_dev[0])
			tw_strscpy(e->tap, f->target_dev, sizeof(e->tap));
		else if (f->type == TW_IFACE_DIRECT && f->source_dev[0])
			tw_strscpy(e->bridge, f->source_dev, sizeof(e->bridge));
		else
			continue;
		snprintf(e->name, sizeof(e->name), "VM %s", d->name);
		if (f->has_mac)
			tw_mac_format(f->mac, e->label);
		(*n)++;
	}
	return v;
}

static int doc_net(const char *file, const struct tw_doc *doc, struct tw_net **net)
{
	char err[300];
	int r, line = 0;
	switch (doc->kind) {
	case TW_DOC_NET:
		*net = tw_net_clone(doc->net);
		return *net ? 0 : tw_cli_fail(TW_EXIT_REFUSED, "out of memory");
	case TW_DOC_DOMAIN: {
		struct tw_domain_opts o = { .err_line = &line };
		r = tw_domain_net(doc->domain, &o, net, err, sizeof(err));
		break;
	}
	case TW_DOC_IFACE:
		r = tw_iface_net(doc->iface, file, NULL, net, err, sizeof(err));
		break;
	default:
		return tw_cli_fail(TW_EXIT_INPUT, "%s: not a document tapwire reads", file);
	}
	if (r < 0 && line)
		return tw_cli_fail(TW_EXIT_INPUT, "%s:%d: %s", file, line, err);
	if (r < 0)
		return tw_cli_fail(r == -EINVAL ? TW_EXIT_INPUT : TW_EXIT_REFUSED, "%s: %s", file, err);
	return 0;
}

/* g on stdout, as Graphviz or JSON. */
static void write_graph(const struct tw_dot *g, bool json)
{
	if (json)
		tw_dot_write_json(stdout, g);
	else
		tw_dot_write(stdout, g);
}

static int show_file(const char *file, bool json)
{
	struct tw_doc doc;
	struct tw_xml_error xe;
	if (tw_xml_parse_file(file, &doc, &xe) < 0) {
		char msg[800];
		tw_xml_error_format(&xe, msg, sizeof(msg));
		return tw_cli_fail(TW_EXIT_INPUT, "%s", msg);
	}
	struct tw_net *net = NULL;
	int r = doc_net(file, &doc, &net);
	if (r == 0) {
		size_t n = 0;
		struct tw_dot_vm *vms = doc.kind == TW_DOC_DOMAIN ? domain_vms(doc.domain, &n) : NULL;
		char title[600];
		snprintf(title, sizeof(title), "%s (owner %s)", file, net->owner);
		struct tw_dot g = { .net = net, .vms = vms, .n_vms = n, .title = title };
		write_graph(&g, json);
		free(vms);
	}
	tw_net_free(net);
	tw_doc_free(&doc);
	return r;
}

static int show_owner(const char *owner, bool json)
{
	char why[300] = "";
	if (!tw_owner_valid(owner, why, sizeof(why)))
		return tw_cli_fail(TW_EXIT_INPUT, "--owner %s: owner name %s", owner, why);
	if (geteuid() != 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "show --owner needs root (it reads %s and which "
				   "process holds each tap)", tw_default_rundir());
	struct tw_net *net = NULL;
	struct tw_dot_vm *vms = NULL;
	size_t n = 0;
	int r = tw_show_owner(owner, &net, &vms, &n, why, sizeof(why));
	if (r == -ENOENT)
		return tw_cli_fail(TW_EXIT_INPUT, "show: nothing is on record for owner %s (in %s)",
				   owner, tw_default_rundir());
	if (r < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "show: %s", why[0] ? why : strerror(-r));
	char title[TW_OWNER_MAX + 32];
	snprintf(title, sizeof(title), "owner %s (live)", owner);
	struct tw_dot g = { .net = net, .vms = vms, .n_vms = n, .title = title };
	write_graph(&g, json);
	tw_net_free(net);
	free(vms);
	return 0;
}

int tw_cli_show(const char *file, const char *owner, bool json)
{
	if (file && owner)
		return tw_cli_fail(TW_EXIT_INPUT, "show: give FILE or --owner NAME, not both");
	if (!file && !owner)
		return tw_cli_fail(TW_EXIT_INPUT, "show: which FILE, or --owner NAME? (see tapwire --help)");
	return file ? show_file(file, json) : show_owner(owner, json);
}
