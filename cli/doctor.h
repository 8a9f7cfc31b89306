/* tapwire doctor and tapwire show: commands of their own, called from
 * cli/tapwire.c's dispatch. */
#ifndef TW_CLI_DOCTOR_H
#define TW_CLI_DOCTOR_H

#include <stdbool.h>

#include "engine/doctor.h"

/* doctor or show (cmd) from the command line: its FILE, --owner, --netns
 * (NULL without; the namespace is entered already), --json, --dot; other:
 * an option neither takes was given (-n, -q). */
int tw_cli_more(const char *cmd, const char *file, const char *owner, const char *netns,
		bool json, bool dot, bool other);

/* Runs every check; prints one line per finding and a summary (or one JSON
 * document). 0 when no problem was found, else TW_EXIT_REFUSED. */
int tw_cli_doctor(bool json, const char *netns);

/* doctor-policy.c: the helper's policy, read by the helper's own parser. */
void tw_cli_doctor_policy(struct tw_doctor *d);

/* doctor-hook-conf.c: the hook's policy, read by the hook's own reader. */
void tw_cli_doctor_hook_conf(struct tw_doctor *d);

/* show.c: the topology of file, or of owner as the state has it, as
 * Graphviz on stdout (json: as one JSON document). */
int tw_cli_show(const char *file, const char *owner, bool json);

#endif
