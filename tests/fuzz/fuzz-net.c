/* libFuzzer target: the XML reader on hostile text, as `tapwire up` and
 * the hook meet it. Beyond memory errors it traps when an error is not one
 * printable line, or when a document is accepted with a name, MAC, MTU,
 * reference or OVS bridge that validation should have refused. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "twxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name, bool may_be_empty)
{
	if (!name[0] && may_be_empty)
		return;
	if (!tw_ifname_valid(name, NULL, 0))
		__builtin_trap();
}

static bool declared_ns(const struct tw_net *n, const char *name)
{
	for (size_t i = 0; i < n->n_namespaces; i++)
		if (!strcmp(n->namespaces[i].name, name))
			return true;
	return false;
}

static void check_net(const struct tw_net *n)
{
	if (!tw_owner_valid(n->owner, NULL, 0))
		__builtin_trap();
	for (size_t i = 0; i < n->n_namespaces; i++)
		if (!tw_nsname_valid(n->namespaces[i].name, NULL, 0))
			__builtin_trap();
	for (size_t i = 0; i < n->n_bridges; i++) {
		const struct tw_bridge_spec *b = &n->bridges[i];
		check_name(b->name, false);
		if (b->mtu && (b->mtu < TW_MTU_MIN || b->mtu > TW_MTU_MAX))
			__builtin_trap();
		if (b->ns[0] && (!declared_ns(n, b->ns) || b->type == TW_BRIDGE_OVS))
			__builtin_trap();
	}
	for (size_t i = 0; i < n->n_veths; i++)
		for (int e = 0; e < 2; e++) {
			const struct tw_veth_end *v = &n->veths[i].end[e];
			check_name(v->name, false);
			if (v->bridge[0] && !tw_net_find_bridge(n, v->ns, v->bridge))
				__builtin_trap();
			if (v->has_mac && !tw_mac_is_unicast(v->mac))
				__builtin_trap();
		}
	for (size_t i = 0; i < n->n_taps; i++) {
		check_name(n->taps[i].name, false);
		if (n->taps[i].queues > TW_QUEUES_MAX)
			__builtin_trap();
	}
	for (size_t i = 0; i < n->n_vxlans; i++)
		if (n->vxlans[i].id > TW_VXLAN_ID_MAX)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tw_doc doc;
	struct tw_xml_error err;
	char msg[1024];
	int r = tw_xml_parse_memory((const char *)data, size, "fuzz.xml", &doc, &err);
	if (r < 0) {
		if (doc.net || doc.domain || doc.iface)
			__builtin_trap();
		tw_xml_error_format(&err, msg, sizeof(msg));
		fuzz_check_line(msg, sizeof(msg) - 1);
		return 0;
	}
	if (doc.kind == TW_DOC_NET)
		check_net(doc.net);
	else if (doc.kind == TW_DOC_DOMAIN && doc.domain->net)
		check_net(doc.domain->net);
	tw_doc_free(&doc);
	return 0;
}
