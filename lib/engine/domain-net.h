/* From what libvirt describes (a domain, one <interface>) to the topology
 * tapwire applies. Plain structs in and out: no XML, no netlink. */
#ifndef TW_DOMAIN_H
#define TW_DOMAIN_H

#include <net/if.h>
#include <stddef.h>

#include <stdbool.h>

#include "core/model.h"

struct tw_domain_opts {
	const char *qemu_user;                 /* owns taps made for ethernet interfaces */
	const struct tw_bridge_spec *managed;  /* bridges tapwire may create (hook policy) */
	size_t n_managed;
	bool release;  /* only the owner is wanted: nothing is refused (libvirt cannot act on it) */
	int *err_line; /* when not NULL: the line of the element an error is about, else 0 */
};

/* The domain's <metadata><tw:net> (owner: its name, else the domain's),
 * plus: each <interface type='bridge'> bridge not declared there must
 * exist, unless policy lets tapwire create it; each <interface
 * type='ethernet'><target dev='X'> named by a <tw:tap name='X'> gives that
 * tap its queues, vnet_hdr (virtio), MAC, MTU and owner, and must say
 * <target managed='no'> (else libvirt makes a tap of its own under that
 * name): -EINVAL with err "interface MAC: its tap X is a <tw:tap>; ..."
 * and *o->err_line its line, which the caller prefixes with the domain or
 * file name ("web:14: interface ..."). */
int tw_domain_net(const struct tw_domain *d, const struct tw_domain_opts *o, struct tw_net **out,
		  char *err, size_t len);

/* The host side of one <interface type='bridge'>: a persistent tap on its
 * source bridge, named <target dev> or after its MAC, owned by user. Its
 * owner on record is "iface:MAC" (or "iface:DEV"), so detach finds it. */
int tw_iface_net(const struct tw_iface *i, const char *source, const char *user,
		 struct tw_net **out, char *err, size_t len);
/* "interface 52:54:00:38:06:f9" for messages. */
void tw_iface_label(const struct tw_iface *i, char *buf, size_t len);

#endif
