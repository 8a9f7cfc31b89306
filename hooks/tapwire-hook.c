/* The libvirt qemu hook, installed as $sysconfdir/libvirt/hooks/qemu.d/tapwire.
 *
 *   tapwire DOMAIN OP SUBOP EXTRA   < domain XML
 *
 * "prepare begin" builds the domain's network before QEMU starts; "release
 * end" takes it down after QEMU is gone; every other operation is none of
 * our business. libvirtd waits for us and holds the domain's lock, so the
 * hook never calls back into libvirt (that would deadlock), never prints on
 * stdout (for "migrate" and "restore" that would replace the XML), and
 * leaves domains that use no tapwire feature alone, cheaply.
 *
 * "release end" goes by the domain's name (argv[1]) and what the state
 * recorded for it, never by the XML it is given, and never refuses: libvirt
 * cannot act on a failed release, and the domain is gone whatever the hook
 * says.
 *
 * Exit: 0 done or nothing to do, 1 the system refused, 2 bad input. A
 * failure prints one line on stderr (libvirt shows it and refuses to start
 * the domain); everything else goes to syslog, each line naming the domain. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "core/err.h"
#include "engine/converge.h"
#include "engine/domain-net.h"
#include "engine/engine.h"
#include "owners.h"
#include "twxml.h"
#include "core/util.h"

static const char usage_text[] =
	"Usage: tapwire DOMAIN OP SUBOP EXTRA < domain.xml\n"
	"\n"
	"The tapwire libvirt qemu hook. libvirt runs it from\n"
	"$sysconfdir/libvirt/hooks/qemu.d/ with the domain XML on stdin:\n"
	"  prepare begin   apply the domain's <metadata><tw:net>, create the managed\n"
	"                  bridges its <interface type='bridge'> use (tapwire.conf),\n"
	"                  and the <tw:tap> its <interface type='ethernet'> name\n"
	"  release end     release everything on record for the domain, by its name,\n"
	"                  whatever XML comes\n"
	"  anything else   nothing\n"
	"Policy: " SYSCONFDIR "/tapwire/tapwire.conf. See tapwire-hook(8).\n";

/* ---- logging: syslog, every line prefixed with the domain ---------------- */

/* The domain as logs show it: argv[1], one line (see one_line). */
static char g_domain[TW_OWNER_MAX] = "?";

/* Control bytes become '?' (one_line): a newline in a domain name, a label
 * or anything else that reaches a message would forge a second line in
 * root's syslog or in what libvirt shows, and escapes would reach a
 * terminal. */
#define one_line(s, n) tw_one_line((s), (n), '?')

__attribute__((format(printf, 2, 3))) static void hlog(int prio, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syslog(prio, "%s: %s", g_domain, one_line(msg, sizeof(msg)));
}

/* The one line libvirt shows, also kept in syslog. */
__attribute__((format(printf, 2, 3))) static int fail(int code, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	one_line(msg, sizeof(msg));
	fprintf(stderr, "tapwire: %s\n", msg);
	syslog(LOG_ERR, "%s: %s", g_domain, msg);
	return code;
}

/* The engine prints a line per step to a FILE: send each line to syslog. */
struct logbuf {
	char line[512];
	size_t n;
};

static void logbuf_flush(struct logbuf *b)
{
	if (b->n)
		syslog(LOG_INFO, "%s: %.*s", g_domain, (int)b->n, one_line(b->line, b->n));
	b->n = 0;
}

static ssize_t logbuf_write(void *cookie, const char *buf, size_t len)
{
	struct logbuf *b = cookie;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || b->n == sizeof(b->line))
			logbuf_flush(b);
		if (buf[i] != '\n')
			b->line[b->n++] = buf[i];
	}
	return (ssize_t)len;
}

static int logbuf_close(void *cookie)
{
	logbuf_flush(cookie);
	return 0;
}

/* ---- stdin --------------------------------------------------------------- */

struct input {
	char *buf;
	size_t len;
	bool too_big; /* more than TW_XML_MAX_BYTES came; only the start is kept */
};

/* Read stdin to its end, always: libvirt writes the whole XML whatever the
 * operation, and must not see EPIPE. Keep at most keep bytes. */
static int read_input(size_t keep, struct input *in)
{
	size_t cap = 0;
	char scratch[65536];
	memset(in, 0, sizeof(*in));
	for (;;) {
		char *dst = scratch;
		size_t room = sizeof(scratch);
		if (in->len < keep) {
			if (cap - in->len < 65536 && cap < keep) {
				size_t ncap = cap ? cap * 2 : 65536;
				char *nb = realloc(in->buf, (ncap > keep ? keep : ncap) + 1);
				if (!nb)
					return -ENOMEM;
				in->buf = nb;
				cap = ncap > keep ? keep : ncap;
			}
			dst = in->buf + in->len;
			room = cap - in->len;
		}
		ssize_t k = read(STDIN_FILENO, dst, room);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno == EBADF ? 0 : -errno; /* no stdin: nothing to read */
		if (k == 0)
			break;
		if (dst == scratch)
			in->too_big = in->too_big || keep;
		else
			in->len += (size_t)k;
	}
	if (in->buf)
		in->buf[in->len] = '\0';
	return 0;
}

/* ---- the domain ----------------------------------------------------------- */

struct job {
	const char *domain; /* argv[1] */
	bool prepare;       /* else release */
	struct input in;
	bool ours;          /* the XML mentions the tapwire namespace */
	struct tw_hook_conf conf;
	struct tw_doc doc;
	struct tw_bridge_spec *managed;
	size_t n_managed;
};

static const char *conf_path(void)
{
	const char *p = tw_getenv_unprivileged("TAPWIRE_HOOK_CONF");
	return p ? p : SYSCONFDIR "/tapwire/tapwire.conf";
}

/* A broken policy stops the domains that use tapwire; the others, which
 * cannot be told apart from ones relying on a policy bridge, are left to
 * libvirt (a missing bridge then fails there) and the error is logged. */
static int load_conf(struct job *j)
{
	char err[400];
	int r = tw_hook_conf_load(conf_path(), &j->conf, err, sizeof(err));
	if (r < 0 && j->ours)
		return fail(r == -EINVAL ? TW_EXIT_INPUT : TW_EXIT_REFUSED, "%s", err);
	if (r < 0)
		hlog(LOG_ERR, "policy ignored: %s", err);
	return 0;
}

/* The user QEMU runs as: a static DAC label in the domain, else qemu.conf's
 * `user`, else libvirt's build default (configure --with-qemu-user and
 * --with-qemu-group: libvirt-qemu:kvm on Debian) when that user exists, else
 * root (upstream libvirt's default). libvirtd opens the taps itself and
 * hands QEMU the fds, so this only matters to a QEMU that opens them. group
 * is set for the build default only ("" when that group does not exist). */
static void qemu_user(const struct tw_domain *d, char *user, char *group, size_t len)
{
	const char *p = tw_getenv_unprivileged("TAPWIRE_QEMU_CONF");
	group[0] = 0;
	if (d->dac_user[0]) {
		tw_strscpy(user, d->dac_user + (d->dac_user[0] == '+'), len);
		return;
	}
	if (tw_qemu_conf_user(p ? p : SYSCONFDIR "/libvirt/qemu.conf", user, len) == 0)
		return;
	if (getpwnam(TW_QEMU_USER)) {
		tw_strscpy(user, TW_QEMU_USER, len);
		if (getgrnam(TW_QEMU_GROUP))
			tw_strscpy(group, TW_QEMU_GROUP, len);
		return;
	}
	tw_strscpy(user, "root", len);
}

/* A concrete bridge for every <interface type='bridge'> whose bridge the
 * policy lets tapwire create. */
static int match_managed(struct job *j)
{
	const struct tw_domain *d = j->doc.domain;
	for (size_t i = 0; i < d->n_ifaces; i++) {
		const struct tw_iface *f = &d->ifaces[i];
		if (f->type != TW_IFACE_BRIDGE || !f->source_bridge[0])
			continue;
		const struct tw_hook_rule *r = tw_hook_conf_match(&j->conf, f->source_bridge);
		bool dup = false;
		for (size_t k = 0; k < j->n_managed && !dup; k++)
			dup = !strcmp(j->managed[k].name, f->source_bridge);
		if (!r || dup)
			continue;
		struct tw_bridge_spec *v = realloc(j->managed, (j->n_managed + 1) * sizeof(*v));
		if (!v)
			return fail(TW_EXIT_REFUSED, "out of memory");
		j->managed = v;
		v[j->n_managed] = r->spec; /* shares r's addresses; tw_domain_net copies */
		tw_strscpy(v[j->n_managed].name, f->source_bridge, sizeof(v->name));
		v[j->n_managed].line = f->line;
		j->n_managed++;
	}
	return 0;
}

/* Parse the XML. A domain that does not mention tapwire is not refused for
 * what our parser dislikes: that is libvirt's to judge, not ours. */
static int parse(struct job *j, bool *skip)
{
	struct tw_xml_error xe;
	char msg[800];
	int r = -EFBIG;
	if (!j->in.too_big)
		r = tw_xml_parse_memory(j->in.buf ? j->in.buf : "", j->in.len, j->domain, &j->doc,
					&xe);
	if (r == 0 && j->doc.kind == TW_DOC_DOMAIN)
		return 0;
	if (r == -EFBIG)
		snprintf(msg, sizeof(msg), "%s: domain XML larger than %u bytes", j->domain,
			 TW_XML_MAX_BYTES);
	else if (r == 0)
		snprintf(msg, sizeof(msg), "%s: stdin is not a libvirt <domain>", j->domain);
	else
		tw_xml_error_format(&xe, msg, sizeof(msg));
	if (j->ours)
		return fail(r == -ENOMEM ? TW_EXIT_REFUSED : TW_EXIT_INPUT, "%s", msg);
	hlog(LOG_WARNING, "not a tapwire domain, left alone: %s", msg);
	*skip = true;
	return 0;
}

/* The engine's lines (one per step) to syslog; NULL when that cannot be
 * set up (the engine then runs quietly). */
static FILE *engine_log(struct logbuf *lb)
{
	cookie_io_functions_t io = { .write = logbuf_write, .close = logbuf_close };
	lb->n = 0;
	FILE *out = fopencookie(lb, "w", io);
	if (out)
		setvbuf(out, NULL, _IONBF, 0);
	return out;
}

/* prepare begin: the domain's network, as its XML describes it. */
static int prepare(struct job *j)
{
	bool skip = false;
	int r;
	/* Cheapest first: no tapwire namespace and no policy: not ours. */
	if ((r = load_conf(j)))
		return r;
	if (!j->ours && j->conf.n_rules == 0)
		return 0;
	if ((r = parse(j, &skip)) || skip)
		return r;
	if ((r = match_managed(j)))
		return r;
	const struct tw_domain *d = j->doc.domain;
	if (!d->net && j->n_managed == 0)
		return 0;

	char user[TW_OWNER_MAX] = "root", group[TW_OWNER_MAX] = "", err[400];
	if (d->net && d->net->n_taps)
		qemu_user(d, user, group, sizeof(user));
	int line = 0;
	struct tw_domain_opts o = { .qemu_user = user, .managed = j->managed,
				    .n_managed = j->n_managed, .err_line = &line };
	struct tw_net *net = NULL;
	r = tw_domain_net(d, &o, &net, err, sizeof(err));
	if (r < 0 && line)
		return fail(TW_EXIT_INPUT, "%s:%d: %s", j->domain, line, err);
	if (r < 0)
		return fail(r == -EINVAL ? TW_EXIT_INPUT : TW_EXIT_REFUSED, "%s: %s", j->domain, err);
	/* The source of the domain's owner is the domain's name (which also
	 * starts the hook's "web:14: ..." messages); release looks for it. */
	tw_strscpy(net->source, j->domain, sizeof(net->source));
	/* The build default's group goes with its user, on the taps that user
	 * was given (tw_domain_net keeps the taps of d->net, in order). */
	for (size_t i = 0; group[0] && i < net->n_taps; i++)
		if (!d->net->taps[i].owner[0] && !net->taps[i].group[0] &&
		    !strcmp(net->taps[i].owner, user))
			tw_strscpy(net->taps[i].group, group, sizeof(net->taps[i].group));

	struct logbuf lb;
	FILE *out = engine_log(&lb);
	struct tw_run_opts ro = { .out = out };
	struct tw_err e;
	uint64_t t0 = tw_now_us();
	hlog(LOG_INFO, "prepare: owner %s, %zu namespaces, %zu bridges, %zu veths, %zu taps, %zu vxlans, qemu user %s%s%s",
	     net->owner, net->n_namespaces, net->n_bridges, net->n_veths, net->n_taps,
	     net->n_vxlans, user, group[0] ? ":" : "", group);
	r = tw_up(net, &ro, &e);
	if (out)
		fclose(out);
	if (r < 0)
		r = fail(e.exit ? e.exit : TW_EXIT_REFUSED, "%s", e.msg);
	else
		hlog(LOG_INFO, "prepare done in %llu us", (unsigned long long)(tw_now_us() - t0));
	tw_net_free(net);
	return r;
}

/* ---- release end: by name, whatever the XML ------------------------------ */

/* The owner the XML's <tw:net name> gives, or "": a hint only, so XML the
 * reader refuses is not an error here. */
static void xml_owner(struct job *j, char *owner, size_t len)
{
	struct tw_xml_error xe;
	char msg[800];
	owner[0] = 0;
	if (!j->ours || j->in.too_big)
		return;
	if (tw_xml_parse_memory(j->in.buf, j->in.len, j->domain, &j->doc, &xe) < 0) {
		tw_xml_error_format(&xe, msg, sizeof(msg));
		hlog(LOG_WARNING, "release: by name, the domain XML aside: %s", msg);
		return;
	}
	if (j->doc.kind == TW_DOC_DOMAIN && j->doc.domain->net)
		tw_strscpy(owner, j->doc.domain->net->owner, len);
}

static int release(struct job *j)
{
	const char *rundir = tw_default_rundir();
	/* Named as the engine records it: cut as tw_net's source is, and a
	 * domain named like a file where the hook runs as that file's path. */
	char given[sizeof(((struct tw_net *)0)->source)];
	char source[TW_SOURCE_MAX], hint[TW_OWNER_MAX], err[600];
	tw_strscpy(given, j->domain, sizeof(given));
	tw_source_name(given, source, sizeof(source));
	xml_owner(j, hint, sizeof(hint));
	const char *const hints[2] = { j->domain, hint };
	struct owners o = { .v = NULL };
	int r = tw_owners_scan(rundir, source, hints, &o, err, sizeof(err));
	if (r < 0 && r != -ENOENT) {
		free(o.v);
		return fail(TW_EXIT_REFUSED, "%s: release: state: %s", j->domain, err);
	}
	size_t mine = 0;
	for (size_t k = 0; k < o.n; k++) {
		if (o.v[k].foreign)
			hlog(LOG_INFO, "release: owner %s is on record for another source: left", o.v[k].name);
		else
			mine++;
	}
	if (mine == 0) {
		if (j->ours)
			hlog(LOG_INFO, "release: nothing on record");
		free(o.v);
		return 0;
	}

	struct logbuf lb;
	FILE *out = engine_log(&lb);
	/* What another VM still uses (a bridge with its ports) stays, on
	 * record as kept, for a later release, down or gc. */
	struct tw_run_opts ro = { .out = out, .keep_busy = true };
	struct tw_err e;
	char first[sizeof(e.msg)] = "";
	uint64_t t0 = tw_now_us();
	for (size_t k = 0; k < o.n; k++) {
		struct owner *w = &o.v[k];
		if (w->foreign)
			continue;
		hlog(LOG_INFO, "release: owner %s, %zu records", w->name, w->recs);
		if (tw_down(w->name, &ro, &e) < 0) {
			hlog(LOG_ERR, "release: owner %s: %s", w->name, e.msg);
			if (!first[0])
				tw_strscpy(first, e.msg, sizeof(first));
			w->failed = true;
		}
	}
	if (out)
		fclose(out);
	unsigned long long us = (unsigned long long)(tw_now_us() - t0);
	/* After a failure, exit 0 all the same if anything was released:
	 * libvirt can do nothing about the rest, and the log says what. */
	int rc = 0;
	if (!first[0])
		hlog(LOG_INFO, "release done in %llu us", us);
	else if (tw_owners_released_some(rundir, source, hints, &o))
		hlog(LOG_WARNING, "release done in part in %llu us: %s", us, first);
	else
		rc = fail(TW_EXIT_REFUSED, "%s", first);
	free(o.v);
	return rc;
}

static int run(struct job *j)
{
	j->ours = j->in.buf && memmem(j->in.buf, j->in.len, TW_XML_NS, strlen(TW_XML_NS));
	return j->prepare ? prepare(j) : release(j);
}

int main(int argc, char **argv)
{
	/* A reader that went away must not kill us before we exit properly. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return fputs(usage_text, stdout), 0;
	if (argc == 2 && !strcmp(argv[1], "--version"))
		return puts("tapwire-hook " PACKAGE_VERSION), 0;

	struct job j = { .domain = argc > 1 ? argv[1] : "?" };
	bool act = argc >= 4 && ((!strcmp(argv[2], "prepare") && !strcmp(argv[3], "begin")) ||
				 (!strcmp(argv[2], "release") && !strcmp(argv[3], "end")));
	int r = read_input(act ? TW_XML_MAX_BYTES : 0, &j.in);
	if (argc < 4 || argc > 5) {
		fputs("tapwire: usage: tapwire DOMAIN OP SUBOP EXTRA < domain.xml (see --help)\n",
		      stderr);
		free(j.in.buf);
		return TW_EXIT_INPUT;
	}
	if (!act) {
		free(j.in.buf);
		return 0;
	}
	tw_strscpy(g_domain, j.domain, sizeof(g_domain));
	one_line(g_domain, sizeof(g_domain));
	j.prepare = !strcmp(argv[2], "prepare");
	/* Environment overrides exist for tests only. */
	bool debug = tw_getenv_unprivileged("TAPWIRE_HOOK_DEBUG");
	openlog("tapwire-hook", LOG_PID | (debug ? LOG_PERROR : 0), LOG_DAEMON);
	if (r < 0)
		r = fail(TW_EXIT_REFUSED, "%s: reading the domain XML: %s", j.domain, strerror(-r));
	else
		r = run(&j);
	tw_doc_free(&j.doc);
	free(j.managed);
	tw_hook_conf_free(&j.conf);
	free(j.in.buf);
	closelog();
	return r;
}
