/* Without a kernel: the files of a change waiting for confirmation
 * (lib/engine/pending.c) in a throwaway rundir, written and read back,
 * confirm and revert racing for one (exactly one wins), the names beside a
 * namespace's state file; and the text form of what a move keeps
 * (lib/net/addr-move.c), hex lines that come back byte for byte. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/pending.h"
#include "net/addr-move.h"
#include "tap-protocol.h"

static char rundir[64], sp[128];

static void test_names(void)
{
	char buf[256];
	tap_ok(tw_run_file("/run/tapwire/state", "move", "eth0", buf, sizeof(buf)) == 0 &&
		       !strcmp(buf, "/run/tapwire/move-eth0"),
	       "the host's namespace: move-eth0 beside state (%s)", buf);
	tap_ok(tw_run_file("/run/tapwire/state-nc4097", "move", "ns1-eth0", buf, sizeof(buf)) == 0 &&
		       !strcmp(buf, "/run/tapwire/move-nc4097-ns1-eth0"),
	       "another namespace: its cookie in the name (%s)", buf);
	tap_ok(tw_run_file("/run/tapwire/lock", "move", "eth0", buf, sizeof(buf)) == -EINVAL,
	       "not a state file's name: refused");
	tap_ok(tw_run_file("/run/tapwire/state", "move", "eth0", buf, 10) == -ENAMETOOLONG,
	       "a name that does not fit: refused, not cut");
	char a[256], b[256];
	tw_owner_file(sp, "applied", "lab", ".xml", a, sizeof(a));
	tw_owner_file(sp, "applied", "lab one", ".xml", b, sizeof(b));
	tap_ok(strcmp(a, b) && !strchr(strrchr(b, '/'), ' '),
	       "owners' files differ, and a free-text name never reaches the file name");
}

static struct tw_pending one(const char *owner, const char *prev)
{
	struct tw_pending p;
	memset(&p, 0, sizeof(p));
	tw_strscpy(p.owner, owner, sizeof(p.owner));
	p.deadline = 1700000000;
	p.seconds = 30;
	snprintf(p.file, sizeof(p.file), "/etc/tapwire/%s with space.xml", owner);
	tw_strscpy(p.prev, prev, sizeof(p.prev));
	p.pid = 4242;
	tw_strscpy(p.source, "/etc/tapwire/old.xml", sizeof(p.source));
	return p;
}

static void test_pending(void)
{
	struct tw_pending a = one("lab", "/run/tapwire/prev-1.xml"), b = one("web", "");
	tap_ok(tw_pending_write(sp, &a) == 0 && tw_pending_write(sp, &b) == 0, "two pending changes written");
	struct tw_pending *v;
	size_t n;
	tap_ok(tw_pending_list(sp, &v, &n) == 0 && n == 2, "both listed (%zu)", n);
	const struct tw_pending *lab = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].owner, "lab"))
			lab = &v[i];
	tap_ok(lab && lab->deadline == a.deadline && lab->seconds == 30 && lab->pid == 4242 &&
		       !strcmp(lab->file, a.file) && !strcmp(lab->prev, a.prev) &&
		       !strcmp(lab->source, a.source),
	       "read back field for field, a path with a space included");
	struct tw_pending c = *lab, d = *lab, u = *lab;
	tap_ok(tw_pending_claim(&u) == 0 && tw_pending_unclaim(&u) == 0 && !strcmp(u.path, lab->path),
	       "a revert that failed gives it back: it waits again, under its own name");
	tap_ok(tw_pending_claim(&c) == 0, "a revert claims it");
	tap_ok(tw_pending_drop(&d) == -ENOENT, "a confirmation after it finds nothing: it came too late");
	free(v);
	tap_ok(tw_pending_list(sp, &v, &n) == 0 && n == 1 && !strcmp(v[0].owner, "web"),
	       "a claimed one is no longer listed");
	struct tw_pending e = v[0], f = v[0];
	tap_ok(tw_pending_drop(&e) == 0 && tw_pending_claim(&f) == -ENOENT,
	       "a confirmation first: the revert after it finds nothing");
	free(v);
	unlink(c.path);
	struct tw_pending bad = one("x", "a\nprev b");
	tap_ok(tw_pending_write(sp, &bad) == -EINVAL, "a newline in a path is refused");
}

static void test_rtmsg(void)
{
	unsigned char body[sizeof(struct ifaddrmsg) + 8] = { AF_INET, 24, 0, 0, 7, 0, 0, 0,
							      8, 0, IFA_LOCAL, 0, 10, 0, 0, 5 };
	struct tw_moveset s = { 0 }, back = { 0 };
	char *line = NULL;
	int r = tw_moveset_add(&s, RTM_NEWADDR, body, sizeof(body));
	if (r == 0)
		r = tw_rtmsg_format(&s.v[0], &line);
	tap_ok(r == 0 && line && line[0] == 'a' && line[strlen(line) - 1] == '\n',
	       "an address as one line: %s", line ? line : "(none)");
	r = line ? tw_rtmsg_parse(line, &back) : -1;
	tap_ok(r == 0 && back.n == 1 && back.v[0].type == RTM_NEWADDR && back.v[0].len == sizeof(body) &&
		       !memcmp(back.v[0].body, body, sizeof(body)),
	       "read back byte for byte");
	char desc[64];
	tw_rtmsg_describe(&back.v[0], desc, sizeof(desc));
	tap_ok(!strcmp(desc, "address 10.0.0.5/24"), "described as the plan says it: %s", desc);
	tap_ok(tw_rtmsg_parse("a 0a0", &back) == -EINVAL && tw_rtmsg_parse("r 00", &back) == -EINVAL &&
		       tw_rtmsg_parse("x 00000000000000000000000000", &back) == -EINVAL,
	       "odd hex, a message shorter than its header, an unknown kind: refused");
	free(line);
	tw_moveset_free(&s);
	tw_moveset_free(&back);
}

int main(void)
{
	snprintf(rundir, sizeof(rundir), "/tmp/tw-pending-XXXXXX");
	if (!mkdtemp(rundir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(sp, sizeof(sp), "%s/state-nc77", rundir);
	test_names();
	test_pending();
	test_rtmsg();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rundir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", rundir);
	return tap_done();
}
