/* `tapwire attach|detach IFACE.xml --domain DOM`: the host side through the
 * engine, the guest side through the libvirt API. The only code of tapwire
 * that links libvirt (never the helper, never the hook). */
#ifndef TW_CLI_LIBVIRT_H
#define TW_CLI_LIBVIRT_H

#include <stdbool.h>

#include "engine/engine.h"
#include "core/model.h"

struct tw_virt_opts {
	const char *uri;    /* --connect; NULL: libvirt's default */
	const char *domain; /* --domain: name, UUID or id */
	const char *file;   /* IFACE.xml, for messages */
	struct tw_run_opts run;
};

/* net is the host side of interface i (tw_iface_net: its tap, owned by the
 * --owner user). Make the tap (as `attach`), then hot-plug it into the
 * running domain as an <interface type='ethernet'> with <target dev=TAP
 * managed='no'/>. If libvirt refuses, the tap is removed again unless it
 * was there before. Returns the exit code; the first line on stderr says
 * what failed. */
int tw_virt_attach(const struct tw_iface *i, struct tw_net *net, const struct tw_virt_opts *o);
/* Unplug the guest NIC on net's tap (matched by i's MAC, else by tap
 * name), wait for the guest to let it go, then remove the tap. */
int tw_virt_detach(const struct tw_iface *i, const struct tw_net *net,
		   const struct tw_virt_opts *o);

#endif
