/* doctor: a firewall's forward chain that drops what a bridge forwards
 * (engine/forward-drop.h), in the network namespace doctor runs in (see
 * --netns): Docker's FORWARD policy drop with br_netfilter, the classic
 * "VMs on the bridge cannot reach anything" of a host that also runs
 * containers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/doctor.h"
#include "engine/forward-drop.h"

#define MAX_DROPS 16

void tw_doctor_forward(struct tw_doctor *d)
{
	struct tw_fwdrop drops[MAX_DROPS];
	char what[TW_DOCTOR_TEXT];
	/* Not as a user: libnftables would only say on stderr that it may not. */
	int n = geteuid() == 0 ? tw_forward_drops(drops, MAX_DROPS) : -EPERM;
	if (n < 0) {
		snprintf(what, sizeof(what), "the firewall's forward chains are not checked: %s",
			 strerror(-n));
		tw_doctor_add(d, true, what, "the nftables ruleset cannot be read",
			      "run tapwire doctor as root");
		return;
	}
	const char *why = tw_forward_bridged() ?
		"br_netfilter hands bridged frames to it (bridge-nf-call-iptables=1): VMs and "
		"namespaces on a bridge cannot reach each other or beyond" :
		"it drops what the host forwards for a bridge (NAT, routed traffic)";
	for (int i = 0; i < n && i < MAX_DROPS; i++)
		tw_doctor_add(d, false, drops[i].what, why, drops[i].fix);
}
