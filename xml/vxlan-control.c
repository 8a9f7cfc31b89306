/* A <tw:vxlan>'s control=: "static" (the default: the file lists the
 * remotes) or "evpn" (BGP EVPN distributes them; contract section 9). */
#include "internal.h"

int tw_xml_vxlan_control(const struct tw_xml_el *e, struct tw_vxlan_spec *vx)
{
	static const char *const names[] = { "static", "evpn", NULL }; /* enum tw_vxlan_control */
	int control = TW_VXLAN_STATIC;
	int r = tw_xml_get_enum(e, "control", names, &control);
	if (r < 0)
		return r;
	vx->control = (enum tw_vxlan_control)control;
	if (vx->control != TW_VXLAN_EVPN)
		return 0;
	/* Zebra learns the remote VTEPs from BGP and writes them into the
	 * FDB itself; a remote from the file would flood beside them. */
	if (vx->has_remote || vx->has_group || vx->n_remotes)
		return tw_xml_el_fail(e, "control='evpn' takes its remotes from BGP EVPN; remove %s",
				      vx->has_remote ? "remote=" : vx->has_group ? "group=" : "the <tw:remote> children");
	/* Zebra advertises the device's local address as this host's VTEP,
	 * and maps a VNI to the bridge the device is a port of: without
	 * either the VNI is never advertised. */
	if (!vx->has_local)
		return tw_xml_el_fail(e, "control='evpn' needs local=, the underlay address BGP EVPN advertises as this host's VTEP");
	if (!vx->bridge[0])
		return tw_xml_el_fail(e, "control='evpn' needs bridge=: FRR serves a VNI through the bridge its vxlan is a port of");
	return 0;
}
