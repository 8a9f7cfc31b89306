/* The XML reader: a <tw:net> topology, a libvirt domain or a lone libvirt
 * <interface> in, the plain structs of lib/model.h out. This is the only part
 * of tapwire that knows libxml2, and it knows nothing about netlink.
 *
 * Input is hostile until proven otherwise: files are read with a size limit,
 * a DOCTYPE (hence every entity declaration) is refused, nothing is fetched
 * from the network, nesting is bounded, and libxml2 never prints on its own.
 * The first problem found is reported; nothing is half-filled on failure. */
#ifndef TW_XML_H
#define TW_XML_H

#include <stddef.h>

#include "core/model.h"

/* The tapwire namespace URI; any prefix may be bound to it. */
#define TW_XML_NS "urn:tapwire:1"
/* Documents larger than this are refused before parsing (-EFBIG). */
#define TW_XML_MAX_BYTES (4u << 20)
/* Elements nested deeper than this are refused (libvirt XML needs ~8). */
#define TW_XML_MAX_DEPTH 64

enum tw_doc_kind { TW_DOC_NET, TW_DOC_DOMAIN, TW_DOC_IFACE };

/* Exactly one pointer is set, matching kind, and owned by the document: a
 * domain's topology is domain->net (which may be NULL), never doc->net. */
struct tw_doc {
	enum tw_doc_kind kind;
	struct tw_net *net;
	struct tw_domain *domain;
	struct tw_iface *iface;
};

struct tw_xml_error {
	char where[300];  /* "file:line", or just "file" when no line applies */
	char element[64]; /* "<tw:veth>", or "" */
	char msg[300];    /* one line, no trailing period */
};

/* Each returns 0, or a negative errno: -EINVAL for bad input (the CLI's exit
 * code 2), -ENOENT, -EACCES, -EISDIR, -EFBIG, -ENOMEM... for the rest. On
 * failure *out is zeroed and err (which may be NULL) says what and where.
 * `name` is the file name used in messages and in net->source. */
int tw_xml_parse_file(const char *path, struct tw_doc *out, struct tw_xml_error *err);
int tw_xml_parse_memory(const char *buf, size_t len, const char *name, struct tw_doc *out,
			struct tw_xml_error *err);

/* Frees whatever is set and zeroes the document; safe on a zeroed one. */
void tw_doc_free(struct tw_doc *doc);

/* One line, e.g. "lab.xml:7: <tw:veth>: end name 'xxxxxxxxxxxxxxxxxxxxx' is
 * 21 characters long; at most 15 are allowed". Always terminated. */
void tw_xml_error_format(const struct tw_xml_error *e, char *out, size_t len);

#endif
