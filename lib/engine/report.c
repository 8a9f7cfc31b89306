/* tw_report: a command's steps as text lines or as one JSON document. */
#include "engine/report.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "kinds/kind.h"

void tw_report_init(struct tw_report *r, FILE *out, bool json, const char *cmd,
		    const char *file, bool dry_run)
{
	memset(r, 0, sizeof(*r));
	r->out = out;
	r->json = json;
	r->cmd = cmd;
	r->file = file;
	r->dry_run = dry_run;
}

void tw_report_owner(struct tw_report *r, const char *owner)
{
	r->started = true;
	tw_strscpy(r->owner, owner, sizeof(r->owner));
}

/* The stream of one of the document's arrays, opened on first use. */
static FILE *part(FILE **f, char **buf, size_t *len)
{
	if (!*f)
		*f = open_memstream(buf, len);
	return *f;
}

static void json_or_null(FILE *f, const char *s)
{
	if (s && *s)
		tw_json_str(f, s);
	else
		fputs("null", f);
}

static void step(struct tw_report *r, char mark, const struct tw_key *key, const char *kind,
		 const char *desc, const char *note, const char *sep)
{
	static const char marks[] = "+~-=!";
	const char *m = strchr(marks, mark);
	bool undone = mark == '-' && note && !strcmp(note, "undone");
	r->count[undone ? 5 : m ? (size_t)(m - marks) : 4]++;
	if (!r->json) {
		if (r->out)
			fprintf(r->out, "%c %s%s%s%s\n", mark, desc, note && *note ? sep : "",
				note && *note ? note : "", note && *note && *sep == ' ' ? ")" : "");
		return;
	}
	FILE *f = part(&r->steps, &r->steps_buf, &r->steps_len);
	if (!f)
		return;
	fprintf(f, "%s{\"mark\":\"%c\",\"kind\":", r->nsteps++ ? "," : "", mark);
	tw_json_str(f, key ? tw_kind_name(key->kind) : kind ? kind : "");
	fputs(",\"netns\":", f);
	tw_json_str(f, key ? key->ns : "");
	fputs(",\"name\":", f);
	tw_json_str(f, key ? (key->name[0] ? key->name : key->ns) : r->tap);
	if (key && key->arg[0]) {
		fputs(",\"arg\":", f);
		tw_json_str(f, key->arg);
	}
	fputs(",\"description\":", f);
	tw_json_str(f, desc);
	fputs(",\"note\":", f);
	json_or_null(f, note);
	fputc('}', f);
}

void tw_report_step(struct tw_report *r, char mark, const struct tw_key *key, const char *kind,
		    const char *desc, const char *note)
{
	step(r, mark, key, kind, desc, note, " (");
}

void tw_report_step_colon(struct tw_report *r, char mark, const struct tw_key *key,
			  const char *desc, const char *note)
{
	step(r, mark, key, NULL, desc, note, ": ");
}

void tw_report_summary(struct tw_report *r, const char *text)
{
	tw_strscpy(r->summary, text, sizeof(r->summary));
	if (!r->json && r->out)
		fprintf(r->out, "%s\n", text);
}

void tw_report_blocker(struct tw_report *r, const struct tw_busy *b, const struct tw_rec *rec,
		       const char *line)
{
	FILE *f = r->json ? part(&r->blockers, &r->blockers_buf, &r->blockers_len) : NULL;
	if (!f)
		return;
	char what[200];
	tw_key_format(&rec->key, what, sizeof(what));
	fprintf(f, "%s{\"object\":", r->nblockers++ ? "," : "");
	tw_json_str(f, what);
	fputs(",\"port\":", f);
	json_or_null(f, b->port);
	fputs(",\"kind\":", f);
	json_or_null(f, b->port[0] ? b->kind : "tun");
	fputs(",\"owner\":", f);
	json_or_null(f, b->other);
	fputs(",\"peer\":", f);
	json_or_null(f, b->peer);
	fprintf(f, ",\"held\":%s,\"pid\":", b->held ? "true" : "false");
	if (b->holder.pid)
		fprintf(f, "%ld", (long)b->holder.pid);
	else
		fputs("null", f);
	fputs(",\"command\":", f);
	json_or_null(f, b->holder.comm);
	fputs(",\"domain\":", f);
	json_or_null(f, b->holder.domain);
	fputs(",\"message\":", f);
	tw_json_str(f, line);
	fputc('}', f);
}

void tw_report_tap(struct tw_report *r, const char *tap)
{
	tw_strscpy(r->tap, tap, sizeof(r->tap));
}

void tw_report_hotplug(struct tw_report *r, const char *domain, const char *tap,
		       const char *action, const char *xml)
{
	if (!r->json) {
		if (r->out && xml)
			fputs(xml, r->out);
		return;
	}
	if (r->hotplug)
		fclose(r->hotplug), free(r->hotplug_buf), r->hotplug = NULL, r->hotplug_buf = NULL;
	FILE *f = part(&r->hotplug, &r->hotplug_buf, &r->hotplug_len);
	if (!f)
		return;
	fputs("{\"domain\":", f);
	tw_json_str(f, domain);
	fputs(",\"interface\":", f);
	tw_json_str(f, tap);
	fputs(",\"action\":", f);
	tw_json_str(f, action);
	fputs(",\"xml\":", f);
	json_or_null(f, xml);
	fputc('}', f);
}

void tw_report_error(struct tw_report *r, const char *msg)
{
	if (!r->error[0])
		tw_strscpy(r->error, msg, sizeof(r->error));
}

/* The text of one array, closed; "" when it never opened. */
static const char *done(FILE **f, char **buf)
{
	if (*f) {
		fclose(*f);
		*f = NULL;
	}
	return *buf ? *buf : "";
}

int tw_report_end(struct tw_report *r, int rc)
{
	const char *steps = done(&r->steps, &r->steps_buf);
	const char *blockers = done(&r->blockers, &r->blockers_buf);
	const char *hotplug = done(&r->hotplug, &r->hotplug_buf);
	FILE *o = r->out;
	if (r->json && r->started && o) {
		fputs("{\"command\":", o);
		json_or_null(o, r->cmd);
		fputs(",\"owner\":", o);
		tw_json_str(o, r->owner);
		fputs(",\"file\":", o);
		json_or_null(o, r->file);
		fprintf(o, ",\"dry_run\":%s,\"ok\":%s,\"exit\":%d,\"error\":", r->dry_run ? "true" : "false",
			rc ? "false" : "true", rc);
		json_or_null(o, r->error);
		fprintf(o, ",\"steps\":[%s],\"summary\":{\"created\":%zu,\"changed\":%zu,\"removed\":%zu,"
			"\"used\":%zu,\"forced\":%zu,\"undone\":%zu,\"text\":", steps, r->count[0],
			r->count[1], r->count[2], r->count[3], r->count[4], r->count[5]);
		json_or_null(o, r->summary);
		fprintf(o, "},\"blockers\":[%s],\"tap\":", blockers);
		json_or_null(o, r->tap);
		fprintf(o, ",\"hotplug\":%s}\n", *hotplug ? hotplug : "null");
		fflush(o);
	}
	free(r->steps_buf);
	free(r->blockers_buf);
	free(r->hotplug_buf);
	r->steps_buf = r->blockers_buf = r->hotplug_buf = NULL;
	return rc;
}
