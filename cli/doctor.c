/* tapwire doctor: the checks, in the order they run. A check is one
 * function that adds findings (engine/doctor.h); adding one is that
 * function and one line here. Later checks may use what earlier ones found:
 * devices and qemu-conf ask about the callers the policy allows. */
#include "doctor.h"

#include <stdio.h>
#include <string.h>

#include "fail.h"

static const struct tw_check checks[] = {
	{ "helper", tw_doctor_helper },        /* setuid root or cap_net_admin+ep */
	{ "policy", tw_cli_doctor_policy },    /* bridge.conf, as the helper reads it */
	{ "devices", tw_doctor_devices },      /* /dev/net/tun, /dev/vhost-net for its callers */
	{ "forward", tw_doctor_forward },      /* a firewall's forward chain that drops */
	{ "hook", tw_doctor_hook },            /* where libvirt runs it; seen by the daemon */
	{ "hook-conf", tw_cli_doctor_hook_conf }, /* tapwire.conf, as the hook reads it */
	{ "qemu-conf", tw_doctor_qemu_conf },  /* bridge_helper for session libvirt */
	{ "frr", tw_doctor_frr },              /* an FRR for each control="evpn" vxlan */
	{ NULL, NULL },
};

int tw_cli_doctor(bool json, const char *netns)
{
	struct tw_doctor d = { .netns = netns };
	tw_doctor_run(&d, checks);
	tw_doctor_print(stdout, &d, checks, json);
	size_t problems = tw_doctor_problems(&d);
	tw_doctor_free(&d);
	return problems ? TW_EXIT_REFUSED : 0;
}

int tw_cli_more(const char *cmd, const char *file, const char *owner, const char *netns,
		bool json, bool dot, bool other)
{
	bool show = !strcmp(cmd, "show");
	if (dot && !show)
		return tw_cli_fail(TW_EXIT_INPUT, "%s: --dot is for show only", cmd);
	if (other)
		return tw_cli_fail(TW_EXIT_INPUT, "%s: --dry-run and --quiet do not apply", cmd);
	if (show && json && dot)
		return tw_cli_fail(TW_EXIT_INPUT, "show: --dot or --json, not both");
	if (show)
		return tw_cli_show(file, owner, json);
	if (file || owner)
		return tw_cli_fail(TW_EXIT_INPUT, "doctor takes no FILE and no --owner");
	return tw_cli_doctor(json, netns);
}
