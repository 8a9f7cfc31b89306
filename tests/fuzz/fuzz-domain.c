/* libFuzzer target: libvirt domain and <interface> XML, all the way to the
 * topology the hook and `tapwire attach` would apply (lib/domain.c): what
 * libvirt hands the hook is outside text too. */
#include <errno.h>
#include <stdint.h>

#include "engine/domain-net.h"
#include "fuzz-common.h"
#include "twxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_derived(const struct tw_net *n)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (!tw_ifname_valid(n->taps[i].name, NULL, 0) || n->taps[i].queues > TW_QUEUES_MAX)
			__builtin_trap();
	for (size_t i = 0; i < n->n_needs; i++)
		if (!tw_ifname_valid(n->needs[i].bridge, NULL, 0))
			__builtin_trap();
	if (!tw_owner_valid(n->owner, NULL, 0))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tw_doc doc;
	struct tw_xml_error err;
	char msg[1024];
	if (tw_xml_parse_memory((const char *)data, size, "fuzz.xml", &doc, &err) < 0) {
		tw_xml_error_format(&err, msg, sizeof(msg));
		fuzz_check_line(msg, sizeof(msg) - 1);
		return 0;
	}
	struct tw_net *n = NULL;
	int r = -EINVAL;
	if (doc.kind == TW_DOC_DOMAIN) {
		static const struct tw_bridge_spec managed = { .name = "br-managed", .stp = TW_UNSET };
		struct tw_domain_opts o = { .qemu_user = "libvirt-qemu", .managed = &managed,
					    .n_managed = 1 };
		r = tw_domain_net(doc.domain, &o, &n, msg, sizeof(msg));
	} else if (doc.kind == TW_DOC_IFACE) {
		r = tw_iface_net(doc.iface, "fuzz.xml", "1000", &n, msg, sizeof(msg));
	}
	if (r == 0)
		check_derived(n);
	else if (r == -EINVAL)
		fuzz_check_line(msg, sizeof(msg) - 1);
	tw_net_free(n);
	tw_doc_free(&doc);
	return 0;
}
