/* tapwire: bridges, namespaces, veths and taps from XML, by hand.
 *
 *   tapwire up FILE | down FILE [--force] | check FILE | status  (each [--json])
 *   tapwire attach IFACE.xml [--owner USER] [--domain DOM [--connect URI]]
 *   tapwire detach IFACE.xml [--force] [--domain DOM [--connect URI]]
 *   tapwire gc [-n] [-q] [--json]
 *
 * Exit codes: 0 done, 1 the system refused, 2 bad input or usage. Every
 * failure prints one line first that says what and where. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confirm.h"
#include "engine/domain-net.h"
#include "engine/engine.h"
#include "engine/gc.h"
#include "doctor.h"
#include "fail.h"
#include "libvirt.h"
#include "net/netns.h"
#include "engine/state.h"
#include "twxml.h"
#include "core/util.h"
#include "tun-access.h"

static const char usage_text[] =
	"Usage: tapwire COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Make the bridges, namespaces, veth pairs, taps, tuns, macvlans, macvtaps,\n"
	"vxlans, NAT and DHCP that a tapwire <tw:net> document or a libvirt domain\n"
	"describes, and take them down again.\n"
	"\n"
	"Commands:\n"
	"  up FILE           make the kernel match FILE for its owner: create what is\n"
	"                    missing, change what differs, remove what FILE no longer\n"
	"                    declares; FILE is a <tw:net> document, a libvirt domain\n"
	"                    XML (its <metadata><tw:net> and bridge interfaces), or\n"
	"                    one libvirt <interface> (as attach)\n"
	"  up FILE --owner NAME\n"
	"                    the same under owner NAME (also when NAME is on record\n"
	"                    for another file)\n"
	"  down FILE         release what `up FILE` made for its owner\n"
	"  down --owner NAME release everything on record for NAME\n"
	"  check FILE        validate FILE and print the plan; change nothing\n"
	"  status [--json]   what tapwire manages, per owner, and whether it is live;\n"
	"                    every port of its bridges and who holds each tap\n"
	"  attach IFACE.xml [--owner USER]\n"
	"                    make a persistent tap for a libvirt <interface\n"
	"                    type='bridge'>: on its <source bridge>, MAC from <mac>\n"
	"                    with byte 0 set to fe, named <target dev> or twXXXXXXXX,\n"
	"                    usable by USER (QEMU: -netdev tap,ifname=...,script=no);\n"
	"                    for <interface type='direct'>: a macvtap on <source dev>\n"
	"                    in its mode, with the guest's own MAC\n"
	"  detach IFACE.xml  remove the tap or macvtap attach made\n"
	"  attach|detach IFACE.xml --domain DOM [--connect URI]\n"
	"                    also hot-plug the tap into (or unplug it from) the\n"
	"                    running libvirt domain DOM, as <interface type='ethernet'>\n"
	"                    with <target dev=TAP managed='no'/>\n"
	"  gc [--json]       remove the taps of tapwire-bridge-helper that were made\n"
	"                    persistent and that no process holds any more\n"
	"  up FILE --confirm SECONDS\n"
	"                    apply, then take it all back unless `tapwire confirm`\n"
	"                    comes within SECONDS (the timer outlives the terminal)\n"
	"  up FILE --probe ADDR\n"
	"                    apply, then take it back at once unless ADDR answers\n"
	"                    (ICMP echo, or ARP for a neighbour) within 5 s; exit 1\n"
	"  confirm [OWNER]   keep the change waiting for confirmation (OWNER's, or\n"
	"                    the only one)\n"
	"  revert [OWNER]    take it back now\n"
	"  doctor [--json]   what stands between this host and a working tapwire: one\n"
	"                    line per problem (what, why, the fix); exit 1 if any\n"
	"  show FILE|--owner NAME [--dot|--json]\n"
	"                    the topology as Graphviz (dot -Tsvg): namespaces as\n"
	"                    clusters, bridges, veths as edges, taps, the VMs on them;\n"
	"                    --json: the same graph as one JSON document\n"
	"\n"
	"Options:\n"
	"  -n, --dry-run     print the plan, change nothing (up, down, attach, detach, gc)\n"
	"  -q, --quiet       do not print the steps\n"
	"  -j, --json        one JSON document on stdout: up, check, down, attach,\n"
	"                    detach (owner, steps, counts, what refused), status, gc,\n"
	"                    doctor, show\n"
	"  -f, --force       up, down, detach: remove a bridge that still has ports that\n"
	"                    are not its owner's, or a tap a process holds (a running\n"
	"                    VM loses its network); without it they refuse, exit 1\n"
	"      --domain DOM  libvirt domain (name, UUID or id) for attach and detach\n"
	"      --connect URI libvirt connection URI (default: libvirt's default)\n"
	"  -N, --netns NAME  run in network namespace NAME (/run/netns/NAME), as\n"
	"                    `ip -n NAME` does; prefer it to `ip netns exec`\n"
	"  -h, --help        this text\n"
	"      --version     the version\n"
	"\n"
	"Steps print as '+ made', '~ changed', '= used as it is', '- removed'.\n"
	"State: $TAPWIRE_RUNDIR or /run/tapwire. Exit: 0 done, 1 the system refused,\n"
	"2 bad input or usage. See tapwire(8) and tapwire.xml(5).\n";

struct cli {
	const char *cmd;
	const char *file;
	const char *owner;
	const char *domain, *connect; /* attach/detach --domain, --connect */
	const char *netns; /* --netns: where "" (where tapwire runs) is */
	bool dry_run, quiet, json, force;
	bool dot; /* show --dot */
	struct tw_report *rep; /* what up, check, down, attach, detach did */
	struct tw_guard guard; /* up --confirm, --probe (confirm.h) */
};

static int parse_args(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' }, { "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },    { "owner", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },    { "version", no_argument, NULL, 'V' },
		{ "domain", required_argument, NULL, 'd' }, { "connect", required_argument, NULL, 'c' },
		{ "netns", required_argument, NULL, 'N' }, { "force", no_argument, NULL, 'f' },
		{ "confirm", required_argument, NULL, 'C' }, { "probe", required_argument, NULL, 'P' },
		{ "dot", no_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	opterr = 0;
	/* A leading ':' tells a missing argument (':') from an unknown
	 * option ('?'). */
	while ((o = getopt_long(argc, argv, "+:nqjo:hN:f", opts, NULL)) != -1) {
		switch (o) {
		case 'n': c->dry_run = true; break;
		case 'q': c->quiet = true; break;
		case 'j': c->json = true; break;
		case 'o': c->owner = optarg; break;
		case 'd': c->domain = optarg; break;
		case 'c': c->connect = optarg; break;
		case 'N': c->netns = optarg; break;
		case 'f': c->force = true; break;
		case 'C': if (tw_guard_seconds(optarg, &c->guard.confirm)) return TW_EXIT_INPUT; break;
		case 'P': c->guard.probe = optarg; break;
		case 'G': c->dot = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': printf("tapwire " PACKAGE_VERSION "\n"); exit(0);
		case ':':
			return tw_cli_fail(TW_EXIT_INPUT, "option '%s' needs an argument (see tapwire --help)",
				    argv[optind - 1]);
		default:
			return tw_cli_fail(TW_EXIT_INPUT, "unknown option '%s' (see tapwire --help)", argv[optind - 1]);
		}
	}
	return 0;
}

/* Options may come before or after the command and its file. */
static int parse(int argc, char **argv, struct cli *c)
{
	int r = parse_args(argc, argv, c);
	if (r)
		return r;
	while (optind < argc) {
		const char *a = argv[optind++];
		if (!c->cmd)
			c->cmd = a;
		else if (!c->file)
			c->file = a;
		else
			return tw_cli_fail(TW_EXIT_INPUT, "unexpected argument '%s' (see tapwire --help)", a);
		if ((r = parse_args(argc, argv, c)))
			return r;
	}
	bool plugs = c->cmd && (!strcmp(c->cmd, "attach") || !strcmp(c->cmd, "detach"));
	if ((c->domain && !plugs) || (c->connect && !c->domain))
		return tw_cli_fail(TW_EXIT_INPUT, "%s only goes with attach or detach --domain DOM",
			    c->domain && !plugs ? "--domain" : "--connect");
	return 0;
}

static int load(const char *file, struct tw_doc *doc)
{
	struct tw_xml_error err;
	int r = tw_xml_parse_file(file, doc, &err);
	if (r < 0) {
		char msg[800];
		tw_xml_error_format(&err, msg, sizeof(msg));
		return tw_cli_fail(TW_EXIT_INPUT, "%s", msg);
	}
	return 0;
}

/* The topology a document asks for (a new net owned by the caller). */
static int doc_net(const struct tw_doc *doc, const struct cli *c, struct tw_net **out)
{
	char err[300];
	int r;
	/* The owner of a topology is its name; `up --owner NAME` chooses
	 * another one, and may take over a name on record for another source
	 * (the engine refuses that otherwise). For an <interface>, --owner
	 * names the user of the tap. */
	char why[96];
	if (c->owner && doc->kind != TW_DOC_IFACE && strcmp(c->cmd, "up") && strcmp(c->cmd, "check"))
		return tw_cli_fail(TW_EXIT_INPUT, "%s: --owner applies to up, check, or a libvirt <interface>; "
			    "the owner of this document is its name", c->file);
	if (c->owner && doc->kind != TW_DOC_IFACE && !tw_owner_valid(c->owner, why, sizeof(why)))
		return tw_cli_fail(TW_EXIT_INPUT, "--owner %s: owner name %s", c->owner, why);
	switch (doc->kind) {
	case TW_DOC_NET:
		*out = tw_net_clone(doc->net);
		if (!*out)
			return tw_cli_fail(TW_EXIT_REFUSED, "out of memory");
		r = 0;
		break;
	case TW_DOC_DOMAIN: {
		int line = 0;
		struct tw_domain_opts o = { .err_line = &line };
		r = tw_domain_net(doc->domain, &o, out, err, sizeof(err));
		if (r == -EINVAL && line)
			return tw_cli_fail(TW_EXIT_INPUT, "%s:%d: %s", c->file, line, err);
		break;
	}
	case TW_DOC_IFACE:
		r = tw_iface_net(doc->iface, c->file, c->owner, out, err, sizeof(err));
		break;
	default:
		return tw_cli_fail(TW_EXIT_INPUT, "%s: not a document tapwire reads", c->file);
	}
	if (r == -EINVAL)
		return tw_cli_fail(TW_EXIT_INPUT, "%s: %s", c->file, err);
	if (r < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "%s: %s", c->file, err);
	tw_strscpy((*out)->source, c->file, sizeof((*out)->source));
	if (doc->kind == TW_DOC_IFACE && ((*out)->n_taps || (*out)->n_macvlans))
		tw_report_tap(c->rep, (*out)->n_taps ? (*out)->taps[0].name : (*out)->macvlans[0].name);
	if (c->owner && doc->kind != TW_DOC_IFACE)
		tw_strscpy((*out)->owner, c->owner, sizeof((*out)->owner));
	return 0;
}

static int engine_fail(const struct cli *c, const struct tw_err *e)
{
	tw_report_error(c->rep, e->msg);
	return tw_cli_fail(e->exit ? e->exit : TW_EXIT_REFUSED, "%s", e->msg);
}

static struct tw_run_opts run_opts(const struct cli *c)
{
	struct tw_run_opts o = { .dry_run = c->dry_run, .out = c->quiet || c->json ? NULL : stdout,
				 .report = c->rep,
				 .progress = isatty(STDERR_FILENO), .force = c->force,
				 .cmd = c->cmd, .err = stderr, .owner_explicit = c->owner != NULL };
	return o;
}

typedef int net_fn(const struct cli *, const struct tw_net *);

static int on_doc(const struct cli *c, const struct tw_doc *doc, net_fn *fn)
{
	struct tw_net *net = NULL;
	int r = doc_net(doc, c, &net);
	if (r == 0)
		r = fn(c, net);
	tw_net_free(net);
	return r;
}

static int with_net(const struct cli *c, net_fn *fn)
{
	if (!c->file)
		return tw_cli_fail(TW_EXIT_INPUT, "%s: which FILE? (see tapwire --help)", c->cmd);
	struct tw_doc doc;
	int r = load(c->file, &doc);
	if (r)
		return r;
	r = on_doc(c, &doc, fn);
	tw_doc_free(&doc);
	return r;
}

static int do_up(const struct cli *c, const struct tw_net *net)
{
	tw_cli_warn_tun(net, "/dev/net/tun", stderr);
	struct tw_run_opts o = run_opts(c);
	struct tw_err e;
	struct tw_guard g = c->guard;
	g.file = c->file;
	g.netns = c->netns;
	return tw_guarded_up(net, &o, &g, &e) < 0 ? engine_fail(c, &e) : 0;
}

/* As a user, check validates the file only (exit 0 when it is valid) and
 * says so: the plan asks the kernel inside namespaces and reads the state,
 * which need root. */
static int do_check(const struct cli *c, const struct tw_net *net)
{
	struct cli dry = *c;
	dry.dry_run = true;
	tw_report_owner(c->rep, net->owner);
	if (!c->json)
		printf("%s: valid; owner %s: %zu namespaces, %zu bridges, %zu veths, %zu taps, %zu vxlans, "
	       "%zu ports%s\n",
	       c->file, net->owner, net->n_namespaces, net->n_bridges, net->n_veths, net->n_taps,
	       net->n_vxlans, net->n_ports, tw_net_more_devices(net));
	if (geteuid() != 0) {
		fflush(stdout);
		fprintf(stderr, "tapwire: check: the file only; the plan needs root (it looks inside "
			"namespaces and reads %s)\n", tw_default_rundir());
		return 0;
	}
	return do_up(&dry, net);
}

static int do_down(const struct cli *c, const struct tw_net *net)
{
	struct tw_run_opts o = run_opts(c);
	struct tw_err e;
	return tw_down(net->owner, &o, &e) < 0 ? engine_fail(c, &e) : 0;
}

static int cmd_down(const struct cli *c)
{
	if (c->owner && !c->file) {
		char why[96];
		if (!tw_owner_valid(c->owner, why, sizeof(why)))
			return tw_cli_fail(TW_EXIT_INPUT, "owner name %s", why);
		struct tw_net net;
		memset(&net, 0, sizeof(net));
		tw_strscpy(net.owner, c->owner, sizeof(net.owner));
		return do_down(c, &net);
	}
	if (c->owner)
		return tw_cli_fail(TW_EXIT_INPUT, "down: give FILE or --owner NAME, not both");
	return with_net(c, do_down);
}

static int cmd_attach(const struct cli *c, bool attach)
{
	if (!c->file)
		return tw_cli_fail(TW_EXIT_INPUT, "%s: which IFACE.xml? (see tapwire --help)", c->cmd);
	struct tw_doc doc;
	int r = load(c->file, &doc);
	if (r)
		return r;
	if (doc.kind != TW_DOC_IFACE) {
		tw_doc_free(&doc);
		return tw_cli_fail(TW_EXIT_INPUT, "%s: %s takes one libvirt <interface> element", c->file, c->cmd);
	}
	if (c->domain) {
		struct tw_virt_opts vo = { .uri = c->connect, .domain = c->domain, .file = c->file,
					   .run = run_opts(c) };
		struct tw_net *net = NULL;
		r = doc_net(&doc, c, &net);
		if (r == 0)
			r = attach ? tw_virt_attach(doc.iface, net, &vo) : tw_virt_detach(doc.iface, net, &vo);
		tw_net_free(net);
		tw_doc_free(&doc);
		return r;
	}
	if (c->owner && attach) {
		uid_t uid;
		if (tw_lookup_uid(c->owner, &uid) < 0) {
			tw_doc_free(&doc);
			return tw_cli_fail(TW_EXIT_INPUT, "--owner %s: no such user", c->owner);
		}
	}
	r = on_doc(c, &doc, attach ? do_up : do_down);
	tw_doc_free(&doc);
	return r;
}

static int cmd_status(const struct cli *c)
{
	if (c->file)
		return tw_cli_fail(TW_EXIT_INPUT, "status takes no FILE");
	struct tw_run_opts o = run_opts(c);
	struct tw_err e;
	return tw_status(stdout, c->json, &o, &e) < 0 ? engine_fail(c, &e) : 0;
}

static const char *gc_verdict_name(enum tw_gc_verdict v, bool dry_run)
{
	switch (v) {
	case TW_GC_KEPT_TRANSIENT: return "kept-not-persistent";
	case TW_GC_KEPT_HELD: return "kept-held";
	case TW_GC_REMOVE: return dry_run ? "would-remove" : "removed";
	default: return "gone";
	}
}

/* Tap names reach here only when tw_ifname_valid passed: nothing to escape. */
static void gc_json(const struct tw_gc_tap *t, size_t n, bool dry_run, int pruned,
		    const struct tw_gc_freed *f, size_t nf)
{
	printf("{\"dry_run\":%s,\"taps\":[", dry_run ? "true" : "false");
	for (size_t i = 0; i < n; i++)
		printf("%s{\"name\":\"%s\",\"ifindex\":%d,\"uid\":%ld,\"persistent\":%s,"
		       "\"carrier\":%s,\"holder\":%ld,\"verdict\":\"%s\"}",
		       i ? "," : "", t[i].name, t[i].ifindex, t[i].uid, t[i].persist ? "true" : "false",
		       t[i].carrier ? "true" : "false", (long)t[i].holder,
		       gc_verdict_name(t[i].verdict, dry_run));
	printf("],\"state_files_pruned\":%d,\"kept_freed\":[", pruned > 0 ? pruned : 0);
	for (size_t i = 0; i < nf; i++) {
		printf("%s{\"object\":", i ? "," : "");
		tw_json_str(stdout, f[i].what);
		printf(",\"owner\":");
		tw_json_str(stdout, f[i].owner);
		putchar('}');
	}
	printf("]}\n");
}

static void gc_text(const struct tw_gc_tap *t, size_t n, bool dry_run, int pruned, size_t nf)
{
	size_t removed = 0, kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].verdict == TW_GC_KEPT_HELD || t[i].verdict == TW_GC_KEPT_TRANSIENT)
			kept++;
		if (t[i].verdict != TW_GC_REMOVE)
			continue;
		removed++;
		if (t[i].uid >= 0)
			printf("- tap %s (made by tapwire-bridge-helper for uid %ld, persistent, held by nobody)\n",
			       t[i].name, t[i].uid);
		else
			printf("- tap %s (made by tapwire-bridge-helper, persistent, held by nobody)\n", t[i].name);
	}
	const char *dry = dry_run ? " (dry run)" : "";
	if (removed)
		printf("gc: %s %zu tap%s%s", dry_run ? "would remove" : "removed", removed,
		       removed == 1 ? "" : "s", dry);
	else
		printf("gc: nothing to remove%s", dry);
	if (kept)
		printf("; %zu tap%s of tapwire-bridge-helper in use, kept", kept, kept == 1 ? "" : "s");
	putchar('\n');
	if (nf)
		printf("gc: %s %zu object%s a release kept while in use, free now%s\n",
		       dry_run ? "would remove" : "removed", nf, nf == 1 ? "" : "s", dry);
	if (pruned > 0)
		printf("gc: %s %d state file%s of network namespaces that are gone%s\n",
		       dry_run ? "would remove" : "removed", pruned, pruned == 1 ? "" : "s", dry);
}

static int cmd_gc(const struct cli *c)
{
	if (c->file)
		return tw_cli_fail(TW_EXIT_INPUT, "gc takes no FILE");
	/* Reading every process's fdinfo needs root as much as removing a
	 * device does; without it a holder could go unseen. */
	if (geteuid() != 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "gc must run as root (it reads /proc/PID/fdinfo of every "
				   "process and removes devices)");
	struct tw_nl nl;
	int r = tw_nl_open(&nl);
	if (r < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "gc: cannot open a netlink socket: %s", strerror(-r));
	struct tw_gc_tap *taps = NULL;
	size_t n = 0;
	char why[400] = "";
	r = tw_gc(&nl, c->dry_run, &taps, &n, why, sizeof(why));
	tw_nl_close(&nl);
	/* The records of namespaces that are gone go too: nobody can use them. */
	char perr[300] = "";
	int pruned = r < 0 ? 0 : tw_state_prune(tw_default_rundir(), c->dry_run, perr, sizeof(perr));
	/* What a release kept while another VM used it, and nobody uses now. */
	struct tw_run_opts o = run_opts(c);
	o.out = c->json || c->quiet ? NULL : stdout;
	o.report = NULL;
	struct tw_gc_freed *freed = NULL;
	size_t nfreed = 0;
	struct tw_err e;
	int kr = r < 0 ? 0 : tw_gc_kept(&o, &freed, &nfreed, &e);
	if (c->json)
		gc_json(taps, n, c->dry_run, pruned, freed, nfreed);
	else if (!c->quiet)
		gc_text(taps, n, c->dry_run, pruned, nfreed);
	free(taps);
	free(freed);
	if (kr < 0)
		return engine_fail(c, &e);
	if (r == -EPERM || r == -EACCES)
		return tw_cli_fail(TW_EXIT_REFUSED, "gc: %s (gc must run as root)", why);
	if (r < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "gc: %s", why);
	return pruned < 0 ? tw_cli_fail(TW_EXIT_REFUSED, "gc: %s", perr) : 0;
}

/* --netns: enter the network namespace only, like `ip -n` and `nsenter
 * --net`. `ip netns exec` also gives its command a fresh mount namespace,
 * and a namespace tapwire makes there is a bind mount under /run/netns that
 * vanishes, namespace and all, when tapwire exits. The state follows: it is
 * kept per network namespace. */
static int enter_netns(const char *name)
{
	char why[96];
	if (!tw_nsname_valid(name, why, sizeof(why)))
		return tw_cli_fail(TW_EXIT_INPUT, "--netns %s: namespace name %s", name, why);
	int fd = tw_netns_open(name);
	if (fd < 0)
		return tw_cli_fail(fd == -ENOENT ? TW_EXIT_INPUT : TW_EXIT_REFUSED,
			    "--netns %s: " TW_NETNS_DIR "/%s: %s", name, name,
			    fd == -ENOENT ? "no such namespace" : strerror(-fd));
	int r = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "--netns %s: cannot enter it: %s", name, strerror(-r));
	return 0;
}

static int dispatch(const struct cli *cp);

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int r = parse(argc, argv, &c);
	if (r)
		return r;
	if (c.netns && (r = enter_netns(c.netns)))
		return r;
	if (!c.cmd) {
		tw_cli_fail(TW_EXIT_INPUT, "which COMMAND?");
		fputs(usage_text, stderr);
		return TW_EXIT_INPUT;
	}
	if ((c.guard.confirm || c.guard.probe) && strcmp(c.cmd, "up"))
		return tw_cli_fail(TW_EXIT_INPUT, "%s: --confirm and --probe are for up only", c.cmd);
	if (c.force && strcmp(c.cmd, "down") && strcmp(c.cmd, "detach") && strcmp(c.cmd, "up"))
		return tw_cli_fail(TW_EXIT_INPUT, "%s: --force is for up, down and detach only", c.cmd);
	if (c.owner && (!strcmp(c.cmd, "status") || !strcmp(c.cmd, "detach") || !strcmp(c.cmd, "gc")))
		return tw_cli_fail(TW_EXIT_INPUT, "%s: --owner does not apply (see tapwire --help)", c.cmd);
	if (!strcmp(c.cmd, "doctor") || !strcmp(c.cmd, "show") || c.dot)
		return tw_cli_more(c.cmd, c.file, c.owner, c.netns, c.json, c.dot,
				   c.dry_run || c.quiet);
	if (geteuid() != 0 && (!strcmp(c.cmd, "up") || !strcmp(c.cmd, "down") ||
			       !strcmp(c.cmd, "attach") || !strcmp(c.cmd, "detach")))
		return tw_cli_fail(TW_EXIT_REFUSED, "%s needs root (it changes network devices and writes "
				   "%s)", c.cmd, tw_default_rundir());
	if (geteuid() != 0 && !strcmp(c.cmd, "status"))
		return tw_cli_fail(TW_EXIT_REFUSED, "status needs root (it reads %s and which process "
				   "holds each tap)", tw_default_rundir());
	/* The steps as lines on stdout, or one JSON document after them. */
	bool check = !strcmp(c.cmd, "check");
	struct tw_report rep;
	tw_report_init(&rep, c.quiet && !c.json ? NULL : stdout, c.json, c.cmd, c.file,
		       c.dry_run || check);
	c.rep = &rep;
	return tw_report_end(&rep, dispatch(&c));
}

static int dispatch(const struct cli *cp)
{
	struct cli c = *cp;
	if (!strcmp(c.cmd, "up"))
		return with_net(&c, do_up);
	if (!strcmp(c.cmd, "check"))
		return with_net(&c, do_check);
	if (!strcmp(c.cmd, "down"))
		return cmd_down(&c);
	if (!strcmp(c.cmd, "status"))
		return cmd_status(&c);
	if (!strcmp(c.cmd, "attach"))
		return cmd_attach(&c, true);
	if (!strcmp(c.cmd, "detach"))
		return cmd_attach(&c, false);
	if (!strcmp(c.cmd, "gc"))
		return cmd_gc(&c);
	if (!strcmp(c.cmd, "confirm") || !strcmp(c.cmd, "revert"))
		return c.cmd[0] == 'c' ? tw_cli_confirm(c.file, c.rep) : tw_cli_revert(c.file, c.rep);
	if (!strcmp(c.cmd, "help"))
		return fputs(usage_text, stdout), 0;
	return tw_cli_fail(TW_EXIT_INPUT, "unknown command '%s' (see tapwire --help)", c.cmd);
}
