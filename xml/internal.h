/* Shared between the files of xml/ only: the error context, the element
 * readers every element kind uses, and the entry points of each reader. */
#ifndef TW_XML_INTERNAL_H
#define TW_XML_INTERNAL_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "twxml.h"

/* One parse: the name used in messages and where the first error goes. */
struct tw_xml_ctx {
	const char *name;
	struct tw_xml_error *err;
};

/* The element being read and how messages name it. A child that only
 * carries attributes for its parent (a <tw:end> of a <tw:veth>, a <mac> of
 * an <interface>) is reported under the parent's label, with `what` naming
 * the child: "<tw:veth>: end name 'x' ...". The line is the child's own. */
struct tw_xml_el {
	struct tw_xml_ctx *ctx;
	xmlNode *node;
	const char *label; /* "<tw:veth>" */
	const char *what;  /* "" or "end " */
};

/* Record the error (first one wins) and return -EINVAL. line <= 0: none. */
int tw_xml_fail(struct tw_xml_ctx *c, long line, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tw_xml_el_fail(const struct tw_xml_el *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tw_xml_nomem(struct tw_xml_ctx *c);
long tw_xml_line(const xmlNode *n);

/* A value made safe for a one-line message: control bytes escaped, long
 * values cut. The returned pointer is buf. */
#define TW_XML_QUOTE_MAX 80
const char *tw_xml_quote(const char *s, char buf[TW_XML_QUOTE_MAX]);

/* Names for messages: "<tw:veth>", "<interface>", "<qemu:commandline>". */
void tw_xml_label(const xmlNode *n, char *buf, size_t len);

bool tw_xml_in_tw(const xmlNode *n);
bool tw_xml_is(const xmlNode *n, const char *tw_local); /* a tw: element? */
bool tw_xml_is_plain(const xmlNode *n, const char *local); /* no namespace */
bool tw_xml_is_text(const xmlNode *n);
/* First child element with no namespace and that name, or NULL. */
xmlNode *tw_xml_first_plain(xmlNode *parent, const char *local);

/* Grow a model array by one zeroed element; NULL when out of memory. The
 * capacity is the next power of two, so adding n elements costs O(n). */
void *tw_xml_grow(void *arr, size_t n, size_t size);
#define TW_XML_APPEND(arr, n)                                                                  \
	({                                                                                     \
		__typeof__(arr) grown_ = tw_xml_grow((arr), (n), sizeof(*(arr)));              \
		grown_ ? ((arr) = grown_, &grown_[(n)++]) : NULL;                              \
	})

/* Attribute readers. Each returns 0 or -EINVAL with the error recorded. An
 * absent optional attribute leaves the destination untouched. */
int tw_xml_check_attrs(const struct tw_xml_el *e, const char *const *allowed);
int tw_xml_check_leaf(const struct tw_xml_el *e);
int tw_xml_check_no_text(const struct tw_xml_el *e);
bool tw_xml_has(const struct tw_xml_el *e, const char *attr);
int tw_xml_get_ifname(const struct tw_xml_el *e, const char *attr, bool required,
		      char dst[IFNAMSIZ]);
int tw_xml_get_nsname(const struct tw_xml_el *e, const char *attr, bool required,
		      char dst[TW_NSNAME_MAX]);
int tw_xml_get_owner(const struct tw_xml_el *e, const char *attr, bool required, char *dst,
		     size_t len);
int tw_xml_get_str(const struct tw_xml_el *e, const char *attr, bool required, char *dst,
		   size_t len);
int tw_xml_get_uint(const struct tw_xml_el *e, const char *attr, bool required,
		    unsigned long min, unsigned long max, unsigned long *dst);
int tw_xml_get_bool(const struct tw_xml_el *e, const char *attr, const char *yes,
		    const char *no, enum tw_tristate *dst);
int tw_xml_get_enum(const struct tw_xml_el *e, const char *attr, const char *const *names,
		    int *dst);
int tw_xml_get_mac(const struct tw_xml_el *e, const char *attr, bool *has,
		   uint8_t mac[TW_MAC_LEN]);
int tw_xml_get_addrs(const struct tw_xml_el *e, const char *attr, struct tw_addrs *dst);
enum tw_xml_cast { TW_XML_UNICAST, TW_XML_MULTICAST };
int tw_xml_get_ip(const struct tw_xml_el *e, const char *attr, enum tw_xml_cast cast,
		  bool *has, struct tw_cidr *dst);

/* 1 and *dup set when two entries are equal, 0 when none are, -ENOMEM. */
int tw_xml_cidr_dup(struct tw_xml_ctx *c, const struct tw_cidr *v, size_t n,
		    struct tw_cidr *dup);

/* Readers of each document kind. */
int tw_xml_read_net(struct tw_xml_ctx *c, xmlNode *root, const char *default_owner,
		    struct tw_net **out);
int tw_xml_check_net(struct tw_xml_ctx *c, const struct tw_net *net);
int tw_xml_read_domain(struct tw_xml_ctx *c, xmlNode *root, struct tw_domain **out);
int tw_xml_read_iface_doc(struct tw_xml_ctx *c, xmlNode *root, struct tw_iface **out);
/* devices.c: <tw:tun>, <tw:macvlan>, <tw:macvtap>, and where their lower
 * devices are. */
int tw_xml_read_tun(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net);
int tw_xml_read_macvlan(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net);
int tw_xml_read_macvtap(struct tw_xml_ctx *c, xmlNode *n, struct tw_net *net);
int tw_xml_check_lowers(struct tw_xml_ctx *c, const struct tw_net *net);
/* <interface type='direct'><source dev mode>: libvirt's macvtap modes. */
int tw_xml_read_direct_source(const struct tw_xml_el *e, struct tw_iface *ifc);
/* bridge-svc.c: a <tw:bridge>'s children, <tw:nat/> and <tw:dhcp>. */
int tw_xml_read_bridge_svc(const struct tw_xml_el *e, struct tw_bridge_spec *b);

/* vxlan-control.c: control= of a <tw:vxlan> and what "evpn" excludes. */
int tw_xml_vxlan_control(const struct tw_xml_el *e, struct tw_vxlan_spec *vx);

#endif
