/* The state journal (lib/engine/state.c) in a throwaway rundir: records
 * written through tw_state_* come back on the next open, from the journal
 * a killed run leaves as from the compacted file a clean one leaves; a
 * torn last line is dropped, the rest kept; a foreign file is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/state.h"
#include "tap-protocol.h"

static char rundir[64], path[600], err[700];

static struct tw_key key(enum tw_kind kind, const char *ns, const char *name, const char *arg)
{
	struct tw_key k;
	memset(&k, 0, sizeof(k));
	k.kind = kind;
	tw_strscpy(k.ns, ns, sizeof(k.ns));
	tw_strscpy(k.name, name, sizeof(k.name));
	tw_strscpy(k.arg, arg, sizeof(k.arg));
	return k;
}

static struct tw_state *open_state(bool exclusive)
{
	struct tw_state *st = NULL;
	int r = tw_state_open(rundir, exclusive, &st, err, sizeof(err));
	if (r < 0)
		tap_diag("tw_state_open: %s", err);
	return st;
}

static long file_size(void)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* What a run writes: a namespace it made, a bridge two owners share, a
 * veth with its peer in data, an MTU it changed on a device it found, an
 * address one owner held and let go, a creation it did not finish. */
static int write_records(struct tw_state *st)
{
	struct tw_key ns = key(TW_K_NETNS, "net0", "", ""), br = key(TW_K_BRIDGE, "", "br0", ""),
		      ve = key(TW_K_VETH, "net0", "v0", ""), mtu = key(TW_K_ATTR, "", "eth9", "mtu"),
		      ad = key(TW_K_ADDR, "", "br0", "10.0.1.1/24"),
		      tap = key(TW_K_TAP, "", "tap 0%", "");
	int r = 0;
	r |= tw_state_pending(st, &ns, NULL, "lab");
	r |= tw_state_add(st, &ns, true, NULL, "lab");
	r |= tw_state_add(st, &br, true, NULL, "lab");
	r |= tw_state_add(st, &br, false, NULL, "vm one");
	r |= tw_state_add(st, &ve, true, "net1/v1", "lab");
	r |= tw_state_add(st, &mtu, false, "1500", "lab");
	r |= tw_state_add(st, &ad, true, NULL, "lab");
	r |= tw_state_drop(st, &ad, "lab");
	r |= tw_state_pending(st, &tap, NULL, "vm one");
	return r;
}

static void check_records(struct tw_state *st, const char *how)
{
	struct tw_key ns = key(TW_K_NETNS, "net0", "", ""), br = key(TW_K_BRIDGE, "", "br0", ""),
		      ve = key(TW_K_VETH, "net0", "v0", ""), mtu = key(TW_K_ATTR, "", "eth9", "mtu"),
		      ad = key(TW_K_ADDR, "", "br0", "10.0.1.1/24"),
		      tap = key(TW_K_TAP, "", "tap 0%", "");
	const struct tw_rec *r = tw_state_find(st, &ns);
	tap_ok(r && r->created && !r->pending && r->n_owners == 1 && tw_rec_has_owner(r, "lab"),
	       "%s: the namespace, created, committed, lab's", how);
	r = tw_state_find(st, &br);
	tap_ok(r && r->created && r->n_owners == 2 && tw_rec_has_owner(r, "lab") &&
		       tw_rec_has_owner(r, "vm one"),
	       "%s: the bridge, created, shared by lab and 'vm one'", how);
	r = tw_state_find(st, &ve);
	tap_ok(r && r->created, "%s: the veth", how);
	tap_is_str(r ? r->data : NULL, "net1/v1", "  ... its peer in data");
	r = tw_state_find(st, &mtu);
	tap_ok(r && !r->created, "%s: the MTU setting, on a device tapwire found", how);
	tap_is_str(r ? r->data : NULL, "1500", "  ... the old value in data");
	tap_ok(!tw_state_find(st, &ad), "%s: the address its only owner dropped is gone", how);
	r = tw_state_find(st, &tap);
	tap_ok(r && r->pending && r->created && tw_rec_has_owner(r, "vm one"),
	       "%s: the unfinished tap, pending (a name with a space and a %%)", how);
}

/* A run killed after its last journal line: nothing compacted. */
static void crashed_run(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct tw_state *st = open_state(true);
		_exit(st && write_records(st) == 0 ? 0 : 1);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a run writes its records and dies");
}

static void test_replay(void)
{
	crashed_run();
	long journal = file_size();
	tap_ok(journal > 0, "the journal is on disk");
	struct tw_state *st = open_state(false);
	tap_ok(st != NULL, "replay: open after the crash");
	if (!st)
		return;
	check_records(st, "replay");
	tw_state_close(st);
	tap_is_int(file_size(), journal, "a shared (read-only) open leaves the file as it is");
}

static char *slurp(size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = calloc(1, 1 << 16);
	*len = f && buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

/* Cut the last line at every byte: the record it adds never appears,
 * and every other one stays. */
static void test_torn(void)
{
	size_t len;
	char *whole = slurp(&len);
	size_t last = len - 1;
	while (last > 0 && whole[last - 1] != '\n')
		last--;
	tap_like(whole + last, "tap%200%25", "the last line is the unfinished tap's");
	int kept = 0, cuts = 0;
	for (size_t cut = last + 1; cut < len; cut++, cuts++) {
		FILE *f = fopen(path, "we");
		fwrite(whole, 1, cut, f);
		fclose(f);
		struct tw_state *st = open_state(false);
		struct tw_key tap = key(TW_K_TAP, "", "tap 0%", ""),
			      br = key(TW_K_BRIDGE, "", "br0", "");
		const struct tw_rec *b = st ? tw_state_find(st, &br) : NULL;
		kept += st && !tw_state_find(st, &tap) && b && b->n_owners == 2;
		tw_state_close(st);
	}
	tap_is_int(kept, cuts, "a torn last line is dropped, wherever it is cut; the rest is kept");
	FILE *f = fopen(path, "we");
	fwrite(whole, 1, len, f);
	fclose(f);
	free(whole);
}

static void test_compaction(void)
{
	struct tw_state *st = open_state(true);
	tap_ok(st != NULL, "compaction: open exclusive");
	if (!st)
		return;
	/* A long history for one short result: 200 addresses come and go. */
	int r = 0;
	for (int i = 0; i < 200; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.9.%d.%d/32", i / 250, i % 250 + 1);
		struct tw_key k = key(TW_K_ADDR, "", "br0", a);
		r |= tw_state_add(st, &k, true, NULL, "churn");
		r |= tw_state_drop(st, &k, "churn");
	}
	tap_is_int(r, 0, "compaction: 400 more journal lines");
	long journal = file_size();
	tap_is_int(tw_state_close(st), 0, "compaction: close");
	long compacted = file_size();
	tap_ok(compacted > 0 && compacted < journal, "compaction: the file is smaller (%ld < %ld bytes)",
	       compacted, journal);
	st = open_state(false);
	tap_ok(st != NULL, "compaction: reopen");
	if (!st)
		return;
	check_records(st, "compacted");
	size_t live = 0;
	for (size_t i = 0; i < tw_state_count(st); i++)
		live += tw_state_at(st, i) != NULL;
	tap_is_int(live, 5, "compacted: five records, none of the churn");
	tw_state_close(st);
	struct stat sb;
	char tmp[620];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	tap_ok(stat(tmp, &sb) < 0 && errno == ENOENT, "compaction leaves no .new file behind");
}

static void test_forget(void)
{
	struct tw_state *st = open_state(true);
	struct tw_key tap = key(TW_K_TAP, "", "tap 0%", "");
	tap_ok(st && tw_state_forget(st, &tap) == 0 && !tw_state_find(st, &tap),
	       "forget: the pending tap goes, whatever its owners");
	tw_state_close(st);
	st = open_state(false);
	tap_ok(st && !tw_state_find(st, &tap), "forget: ... and stays gone");
	tw_state_close(st);
}

/* Why a release kept a record: a "k" line, after the record's own in the
 * compacted file, with the key and owner where a version before it reads
 * an unknown operation (which it skips). Gone once the owner adds the
 * record again. */
static void test_kept(void)
{
	struct tw_key br = key(TW_K_BRIDGE, "", "br0", ""), none = key(TW_K_BRIDGE, "", "br9", "");
	const char *why = "bridge br0 still has port vnet3 (held by pid 42 qemu, libvirt domain w%b)";
	struct tw_state *st = open_state(true);
	tap_ok(st && tw_state_set_kept(st, &br, "lab", why) == 0, "kept: br0 kept for lab");
	tap_ok(st && tw_state_set_kept(st, &none, "lab", why) == -ENOENT,
	       "kept: a record not on record cannot be kept");
	tw_state_close(st);
	size_t len;
	char *text = slurp(&len);
	tap_like(text, "\nk bridge - br0 - lab bridge%20br0%20still", "kept: a k line in the file");
	free(text);
	st = open_state(false);
	const struct tw_rec *r = st ? tw_state_find(st, &br) : NULL;
	tap_is_str(r ? tw_state_kept(r, "lab") : NULL, why, "kept: read back, for lab");
	tap_ok(r && !tw_state_kept(r, "vm one") && r->n_owners == 2, "kept: ... for lab only");
	tw_state_close(st);
	st = open_state(true);
	tap_ok(st && tw_state_add(st, &br, true, NULL, "lab") == 0, "kept: lab adds br0 again");
	tw_state_close(st);
	st = open_state(false);
	r = st ? tw_state_find(st, &br) : NULL;
	tap_ok(r && !r->kept_by && !tw_state_kept(r, "lab"), "kept: ... and it is no longer kept");
	tw_state_close(st);
}

static void test_foreign(void)
{
	struct tw_state *st = open_state(false);
	tap_ok(st && tw_state_add(st, &(struct tw_key){ .kind = TW_K_BRIDGE, .name = "x" }, true, NULL,
				  "lab") == -EPERM,
	       "a shared open cannot write");
	tw_state_close(st);

	const char *foreign[] = { "# my notes\nbridge br0\n", "tapwire-state 2\n", "not ours" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(foreign); i++) {
		FILE *f = fopen(path, "we");
		fputs(foreign[i], f);
		fclose(f);
		st = NULL;
		err[0] = 0;
		int r = tw_state_open(rundir, true, &st, err, sizeof(err));
		tap_ok(r == -EBADMSG && !st, "a foreign file is refused (%zu)", i);
		tap_like(err, "not a tapwire state file", "  ... saying so");
		size_t len;
		char *now = slurp(&len);
		tap_is_str(now, foreign[i], "  ... and left as it was");
		free(now);
	}
}

int main(void)
{
	snprintf(rundir, sizeof(rundir), "/tmp/tw-test-state.XXXXXX");
	if (!mkdtemp(rundir) || tw_state_file(rundir, path, sizeof(path)) < 0) {
		printf("1..0 # SKIP no temporary directory or no state file name\n");
		return 0;
	}
	test_replay();
	test_torn();
	test_compaction();
	test_forget();
	test_kept();
	test_foreign();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rundir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", rundir);
	return tap_done();
}
