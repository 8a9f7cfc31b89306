/* doctor: an FRR with BGP EVPN for each control="evpn" vxlan tapwire has
 * on record (engine/evpn-check.h). Without one the vxlan has no remote at
 * all: FRR, not tapwire, fills its forwarding database (contract section
 * 9). Checked in the network namespace doctor runs in: with --netns NAME,
 * its own vxlans are asked of the FRR with pathspace NAME. */
#include <stdio.h>

#include "core/util.h"
#include "engine/doctor.h"
#include "engine/engine.h"
#include "engine/evpn-check.h"

static void one(void *arg, const char *pathspace, const char *ns, const char *vxlan)
{
	struct tw_doctor *d = arg;
	char why[TW_DOCTOR_TEXT], what[TW_DOCTOR_TEXT], fix[TW_DOCTOR_TEXT];
	if (tw_evpn_served(pathspace, vxlan, why, sizeof(why)) == 1)
		return;
	snprintf(what, sizeof(what), "vxlan %s%s%s (control=\"evpn\") is served by no FRR with BGP "
		 "EVPN", ns, *ns ? "/" : "", vxlan);
	if (*pathspace)
		snprintf(fix, sizeof(fix), "run zebra and bgpd for it with pathspace %s (zebra -N %s), "
			 "'advertise-all-vni' under 'address-family l2vpn evpn'", pathspace, pathspace);
	else
		snprintf(fix, sizeof(fix), "run FRR's zebra and bgpd with 'advertise-all-vni' under "
			 "'address-family l2vpn evpn'");
	tw_doctor_add(d, false, what, why, fix);
}

void tw_doctor_frr(struct tw_doctor *d)
{
	char err[512], what[TW_DOCTOR_TEXT];
	if (tw_evpn_each(tw_default_rundir(), d->netns ? d->netns : "", one, d, err, sizeof(err)) >= 0)
		return;
	snprintf(what, sizeof(what), "the control=\"evpn\" vxlans on record are not checked: %s", err);
	tw_doctor_add(d, true, what, "the state cannot be read", "run tapwire doctor as root");
}
