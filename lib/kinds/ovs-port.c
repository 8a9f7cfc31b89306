/* The ovs-port kind: a device on an Open vSwitch bridge, key ("", dev),
 * data the bridge; added with add-port and, for a guest NIC, the external
 * ids OVN reads (iface-id, attached-mac, iface-status); removed with
 * del-port, and only from the bridge tapwire put it on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "net/ovs.h"

/* ---- ports on OVS bridges */

static int port_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live,
		      char *why, size_t len)
{
	char br[IFNAMSIZ];
	memset(live, 0, sizeof(*live));
	int r = tw_ovs_port_bridge(s->key.name, br, why, len);
	if (r <= 0)
		return r < 0 ? r : TW_ABSENT;
	if (strcmp(br, s->data)) {
		snprintf(why, len, "it is a port of Open vSwitch bridge %s already", br);
		return -EEXIST;
	}
	return TW_PRESENT;
}

static int port_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	const struct tw_ovs_port_spec *p = s->spec;
	const char *args[16];
	char id[160], mac[64], macs[TW_MAC_STRLEN];
	size_t n = 0;
	args[n++] = "--may-exist";
	args[n++] = "add-port";
	args[n++] = s->data;
	args[n++] = s->key.name;
	/* What libvirt sets for <virtualport type='openvswitch'>, and what
	 * ovn-controller binds a logical port by. */
	if (p && (p->iface_id[0] || p->has_mac)) {
		args[n++] = "--";
		args[n++] = "set";
		args[n++] = "Interface";
		args[n++] = s->key.name;
		if (p->iface_id[0]) {
			tw_ovs_setting(id, sizeof(id), "external_ids:iface-id", p->iface_id);
			args[n++] = id;
		}
		if (p->has_mac) {
			tw_mac_format(p->mac, macs);
			tw_ovs_setting(mac, sizeof(mac), "external_ids:attached-mac", macs);
			args[n++] = mac;
		}
		args[n++] = "external_ids:iface-status=active";
	}
	args[n] = NULL;
	return tw_ovs_do(args, why, len);
}

static int port_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	char br[IFNAMSIZ];
	int r = tw_ovs_port_bridge(rec->key.name, br, why, len);
	if (r <= 0 || strcmp(br, rec->data))
		return r; /* gone, or moved since: not ours to undo */
	const char *args[] = { "--if-exists", "del-port", rec->data, rec->key.name, NULL };
	return tw_ovs_do(args, why, len);
}

static void port_describe(const struct tw_step *s, char *buf, size_t len)
{
	const struct tw_ovs_port_spec *p = s->spec;
	char id[96] = "", mac[40] = "";
	if (p && p->iface_id[0])
		snprintf(id, sizeof(id), " iface-id %s", p->iface_id);
	if (p && p->has_mac) {
		char m[TW_MAC_STRLEN];
		tw_mac_format(p->mac, m);
		snprintf(mac, sizeof(mac), " attached-mac %s", m);
	}
	snprintf(buf, len, "ovs-port %s on %s%s%s", s->key.name, s->data, id, mac);
}

const struct tw_kind_ops tw_ovsport_ops = {
	.kind = TW_K_OVSPORT,
	.probe = port_probe,
	.create = port_create,
	.remove = port_remove,
	.describe = port_describe,
};
