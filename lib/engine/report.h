/* What a command did, step by step, for a person or a program: text lines
 * on out as they come ("+ bridge br0", "lab: 1 created"), or, with json, one
 * JSON document on out once the command is over (tw_report_end). The engine
 * (up, down, check, the removals and refusals) and attach/detach say every
 * step here, never on a FILE of their own.
 *
 * The document, one shape for up, check, down, attach and detach:
 *   {"command":"up","owner":"lab","file":"lab.xml","dry_run":false,"ok":true,
 *    "exit":0,"error":null,
 *    "steps":[{"mark":"+","kind":"bridge","netns":"","name":"br0",
 *              "description":"bridge br0","note":null}, ...],
 *    "summary":{"created":1,"changed":0,"removed":0,"used":0,"forced":0,
 *               "undone":0,"text":"lab: 1 created"},
 *    "blockers":[{"object":"bridge br0","port":"vnet0","kind":"tun",
 *                 "owner":null,"held":true,"pid":42,"command":"qemu-system-x86",
 *                 "domain":"web","message":"bridge br0 still has port ..."}],
 *    "tap":null,"hotplug":null}
 * "tap" is the tap of attach/detach; "hotplug" what went to or from a
 * libvirt domain: {"domain":"web","interface":"tw1a2b3c4d",
 * "action":"attached"|"detached"|"present"|"would-attach"|"would-detach",
 * "xml":"<interface ...>"|null}. */
#ifndef TW_ENGINE_REPORT_H
#define TW_ENGINE_REPORT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine/state.h"
#include "engine/teardown.h"

struct tw_report {
	FILE *out;        /* text lines, or the document; NULL: quiet */
	bool json;
	const char *cmd;  /* "up", "check", "down", "attach", "detach" */
	const char *file; /* the FILE given, or NULL */
	bool dry_run;
	bool started;     /* an owner is known: the document is printed */
	char owner[TW_OWNER_MAX];
	char tap[IFNAMSIZ];
	char summary[200];
	char error[600];
	size_t count[6];  /* + ~ - = ! undone */
	/* The document's arrays as they grow (open_memstream). */
	FILE *steps, *blockers, *hotplug;
	char *steps_buf, *blockers_buf, *hotplug_buf;
	size_t steps_len, blockers_len, hotplug_len;
	size_t nsteps, nblockers;
};

/* out: where the lines or the document go (NULL: nowhere). */
void tw_report_init(struct tw_report *r, FILE *out, bool json, const char *cmd,
		    const char *file, bool dry_run);
void tw_report_owner(struct tw_report *r, const char *owner);
/* A step: "MARK DESC (NOTE)" in text; note "" or NULL: none. key NULL for
 * what is no kernel object (then kind names it: "interface"). */
void tw_report_step(struct tw_report *r, char mark, const struct tw_key *key, const char *kind,
		    const char *desc, const char *note);
/* The same, "MARK DESC: NOTE" in text (a refusal's object, forced or kept). */
void tw_report_step_colon(struct tw_report *r, char mark, const struct tw_key *key,
			  const char *desc, const char *note);
/* The closing line ("lab: 2 created", "lab: nothing to do (dry run)"). */
void tw_report_summary(struct tw_report *r, const char *text);
/* An object in use that a removal would cut off (JSON only: the text is
 * the caller's line on stderr). */
void tw_report_blocker(struct tw_report *r, const struct tw_busy *b, const struct tw_rec *rec,
		       const char *line);
void tw_report_tap(struct tw_report *r, const char *tap);
/* JSON only, except xml, which the text shows under the step before it. */
void tw_report_hotplug(struct tw_report *r, const char *domain, const char *tap,
		       const char *action, const char *xml);
void tw_report_error(struct tw_report *r, const char *msg);
/* Print the document (JSON, once an owner is known) with exit code rc;
 * free what it holds. Returns rc. */
int tw_report_end(struct tw_report *r, int rc);

#endif
