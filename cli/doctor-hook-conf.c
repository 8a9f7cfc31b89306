/* doctor: the hook's own policy, tapwire.conf (which bridges it may make on
 * its own), read by the hook's own reader (hooks/conf.c, linked in as it
 * is): the same path, the same trust checks, the same verdict. A broken one
 * makes the hook refuse every domain that uses tapwire at "prepare begin".
 * A missing file is an empty policy, as for the hook. */
#include <errno.h>
#include <stdio.h>

#include "conf.h"
#include "doctor.h"

void tw_cli_doctor_hook_conf(struct tw_doctor *d)
{
	const char *path = tw_doctor_path("TAPWIRE_HOOK_CONF", SYSCONFDIR "/tapwire/tapwire.conf");
	struct tw_hook_conf c = { NULL, 0 };
	char err[TW_DOCTOR_TEXT];
	int r = tw_hook_conf_load(path, &c, err, sizeof(err));
	if (r == 0) {
		tw_hook_conf_free(&c);
		return;
	}
	tw_doctor_add(d, false, err, "the hook refuses to start every domain that uses tapwire "
		      "(and ignores the file for the others)", r == -EINVAL ?
		      "correct that line (see tapwire-hook(8))" :
		      "chown root:root and chmod go-w the file and every directory on the way to it");
}
