/* The helper's policy: QEMU's bridge.conf semantics, the extensions, hostile
 * text, and the checks on every file read. The file tests need root (to
 * chown) and a tree whose every ancestor only root can write; they build it
 * under the current directory (the build tree) and remove it afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "policy.h"
#include "tap-protocol.h"
#include "core/util.h"

#define CONF "/etc/tapwire/bridge.conf" /* the name in-memory policies go by */

static char err[1024], why[256];
static int rc;

static const struct tw_caller root = { .uid = 0, .gid = 0 };
static const struct tw_caller alice = { .uid = 1000, .gid = 1000 };
static const gid_t nogroup_list[] = { 24, 65534 };
static const struct tw_caller bob = { .uid = 1001, .gid = 1001, .groups = nogroup_list,
				      .n_groups = 2 };
static const struct tw_caller nobody = { .uid = 65534, .gid = 65534 };

static struct tw_policy *parse_n(const char *text, size_t len)
{
	struct tw_policy *p = (struct tw_policy *)1;
	err[0] = 0;
	rc = tw_policy_parse(CONF, text, len, &p, err, sizeof(err));
	if (rc < 0 && p)
		tap_diag("failed parse left *out set");
	return rc < 0 ? NULL : p;
}

static struct tw_policy *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* Parses text and asks about one bridge; a parse error counts as a deny. */
static bool allows(const char *text, const char *bridge, const struct tw_caller *c)
{
	struct tw_policy *p = parse(text);
	if (!p) {
		tap_diag("unexpected parse error: %s", err);
		snprintf(why, sizeof(why), "parse error");
		return false;
	}
	bool ok = tw_policy_allows(p, bridge, c, why, sizeof(why));
	tw_policy_free(p);
	return ok;
}

/* Errors reach a terminal and syslog: one printable line, hostile input cut. */
static bool err_clean(void)
{
	size_t n = strlen(err);
	for (size_t i = 0; i < n; i++)
		if (err[i] < 0x20 || err[i] >= 0x7f)
			return false;
	return n > 0;
}

static void bad_text(const char *text, const char *needle, const char *name)
{
	struct tw_policy *p = parse(text);
	tap_ok(!p && rc < 0, "%s: refused", name);
	tw_policy_free(p);
	tap_like(err, needle, "  ... and says why");
	tap_ok(err_clean(), "  ... in one clean line");
}

/* ---- QEMU's semantics ------------------------------------------------- */

static void test_qemu(void)
{
	tap_ok(!allows("", "br0", &alice), "empty policy denies");
	tap_is_str(why, "no allow rule matches", "  why");
	tap_ok(allows("allow br0\n", "br0", &alice), "allow br0 allows br0");
	tap_is_str(why, "allowed by " CONF ":1", "  why names file:line");
	tap_ok(!allows("allow br0\n", "br1", &alice), "allow br0 does not allow br1");
	tap_ok(!allows("allow br0\ndeny br0\n", "br0", &alice), "allow then deny: denied");
	tap_is_str(why, "denied by " CONF ":2", "  why names the deny");
	tap_ok(!allows("deny br0\nallow br0\n", "br0", &alice), "deny then allow: denied (order)");
	tap_is_str(why, "denied by " CONF ":1", "  why names the deny");
	tap_ok(allows("allow all\n", "anything", &alice), "allow all allows anything");
	tap_ok(!allows("deny all\nallow br0\n", "br0", &alice), "deny all wins over allow br0");
	tap_ok(!allows("allow br0\ndeny all\n", "br0", &root), "  in the other order, for root");
	tap_ok(allows("allow all\ndeny br1\n", "br0", &alice), "allow all, deny br1: br0 allowed");
	tap_ok(!allows("allow all\ndeny br1\n", "br1", &alice), "  br1 denied");
	tap_ok(allows("allow br0\nallow br0\n", "br0", &alice), "a repeated allow is fine");
	tap_is_str(why, "allowed by " CONF ":1", "  the first allow is named");
	tap_ok(!allows("deny br0\n", "br0", &alice), "deny alone denies");

	const char *spaced = "  # a comment\n\n\t\n   allow \t br0  \t\n# allow br1\n";
	tap_ok(allows(spaced, "br0", &alice), "comments, blank lines, spaces and tabs");
	tap_is_str(why, "allowed by " CONF ":4", "  line numbers count every line");
	tap_ok(!allows(spaced, "br1", &alice), "  a commented-out rule is no rule");
	tap_ok(allows("allow br0\r\n", "br0", &alice), "CRLF line ends");
	tap_ok(allows("deny br1\nallow br0", "br0", &alice), "no newline at the end");
	bad_text("\xef\xbb\xbf# a BOM\nallow br0\n", "unknown keyword '???#'",
		 "a byte-order mark is not skipped");
}

static void test_globs(void)
{
	tap_ok(allows("allow vmbr*\n", "vmbr0", &alice), "vmbr* matches vmbr0");
	tap_ok(allows("allow vmbr*\n", "vmbr", &alice), "vmbr* matches vmbr");
	tap_ok(!allows("allow vmbr*\n", "br0", &alice), "vmbr* does not match br0");
	tap_ok(allows("allow br?\n", "br1", &alice), "br? matches br1");
	tap_ok(!allows("allow br?\n", "br10", &alice), "br? does not match br10");
	tap_ok(allows("allow br[0-3]\n", "br2", &alice), "br[0-3] matches br2");
	tap_ok(!allows("allow br[0-3]\n", "br4", &alice), "br[0-3] does not match br4");
	tap_ok(allows("allow br[!0]\n", "br1", &alice), "br[!0] matches br1");
	tap_ok(!allows("allow br[!0]\n", "br0", &alice), "br[!0] does not match br0");
	tap_ok(!allows("allow *\ndeny *-ext\n", "lan-ext", &alice), "deny *-ext beats allow *");
	tap_ok(allows("allow *\ndeny *-ext\n", "lan-int", &alice), "  and leaves lan-int alone");
	tap_ok(allows("allow *\n", "abcdefghijklmno", &alice), "* matches a 15-character name");
	tap_ok(allows("allow .*\n", ".hidden", &alice), ".* matches a name starting with '.'");
	tap_ok(allows("allow all\n", "all", &alice), "a bridge may be called all");
	tap_ok(!allows("allow br0\n", "BR0", &alice), "names are case-sensitive");

	tap_ok(!allows("allow all\n", "br/0", &alice), "allow all still refuses 'br/0'");
	tap_is_str(why, "invalid bridge name", "  why");
	tap_ok(!allows("allow all\n", "abcdefghijklmnop", &alice), "  and a 16-character name");
	tap_ok(!allows("allow all\n", "", &alice), "  and an empty name");
	struct tw_policy *p = parse("allow all\n");
	tap_ok(!tw_policy_allows(p, NULL, &alice, why, sizeof(why)), "  and a NULL name");
	tap_ok(!tw_policy_allows(NULL, "br0", &alice, why, sizeof(why)), "no policy denies");
	tap_ok(!tw_policy_allows(p, "br0", NULL, why, sizeof(why)), "no caller denies");
	tw_policy_free(p);
	tw_policy_free(NULL);
}

static void test_qualifiers(void)
{
	tap_ok(allows("allow br0 user:root\n", "br0", &root), "user:root allows uid 0");
	tap_ok(!allows("allow br0 user:root\n", "br0", &alice), "user:root does not allow 1000");
	tap_is_str(why, "no allow rule matches", "  why");
	tap_ok(allows("allow br0 user:0\n", "br0", &root), "user:0 allows uid 0");
	tap_ok(allows("allow br0 user:1000\n", "br0", &alice), "user:1000 allows uid 1000");
	tap_ok(!allows("allow br0 user:1000\n", "br0", &bob), "user:1000 does not allow 1001");
	tap_ok(allows("allow br0 user:nobody\n", "br0", &nobody), "user:nobody allows 65534");
	tap_ok(allows("allow br0 group:nogroup\n", "br0", &nobody), "group:nogroup: primary gid");
	tap_ok(allows("allow br0 group:nogroup\n", "br0", &bob), "group:nogroup: supplementary");
	tap_ok(!allows("allow br0 group:nogroup\n", "br0", &alice), "group:nogroup: not alice");
	tap_ok(allows("allow br0 group:65534\n", "br0", &bob), "group:65534 by id");
	tap_ok(allows("allow br0 group:24\n", "br0", &bob), "group:24, first of the groups");
	tap_ok(allows("allow br0 group:root\n", "br0", &root), "group:root");

	const char *either = "allow br0 user:1000 group:nogroup\n";
	tap_ok(allows(either, "br0", &alice), "user OR group: the user matches");
	tap_ok(allows(either, "br0", &bob), "user OR group: a group matches");
	tap_ok(!allows(either, "br0", &root), "user OR group: neither matches");
	tap_ok(allows("allow br0 user:1 user:2 user:1000\n", "br0", &alice), "several user:");

	const char *deny_alice = "allow all\ndeny br0 user:1000\n";
	tap_ok(!allows(deny_alice, "br0", &alice), "a qualified deny denies its user");
	tap_ok(allows(deny_alice, "br0", &bob), "  and nobody else");
	tap_ok(allows(deny_alice, "br1", &alice), "  and only on its bridge");
	tap_ok(!allows("allow br*\ndeny all group:nogroup\n", "br5", &bob),
	       "deny all group:nogroup denies a member");

	bad_text("allow br0 user:no-such-user-xyz\n", CONF ":1: unknown user 'no-such-user-xyz'",
		 "unknown user name");
	bad_text("allow br0\nallow br0 group:no-such-group\n",
		 CONF ":2: unknown group 'no-such-group'", "unknown group name");
	bad_text("allow br0 user:\n", "missing name after 'user:'", "empty user:");
	bad_text("allow br0 group:\n", "missing name after 'group:'", "empty group:");
	bad_text("allow br0 user:4294967295\n", "bad user id", "user:(uid_t)-1");
	bad_text("allow br0 user:99999999999999999999999\n", "bad user id", "huge user id");
	bad_text("allow br0 user:-1\n", "unknown user '-1'", "negative user id");
	bad_text("allow br0 owner:alice\n", "unexpected 'owner:alice'", "unknown qualifier");
	bad_text("allow br0 User:root\n", "unexpected 'User:root'", "qualifiers are lower case");
	bad_text("allow br0 br1\n", "unexpected 'br1'", "two names");
	bad_text("allow br0 # comment\n", "comment must be on a line of its own",
		 "trailing comment");
}

/* ---- Syntax errors and hostile text ------------------------------------- */

static void test_syntax(void)
{
	struct tw_policy *p = parse("allow br0\n\nalow br1\n");
	tap_ok(!p && rc == -EINVAL, "unknown keyword: -EINVAL");
	tap_is_str(err, CONF ":3: unknown keyword 'alow' (expected allow, deny or include)",
		   "  the message, exactly");
	bad_text("ALLOW br0\n", "unknown keyword 'ALLOW'", "keywords are lower case");
	bad_text("permit br0\n", "unknown keyword 'permit'", "doas keyword");
	bad_text("allow\n", CONF ":1: missing bridge name after 'allow'", "allow without name");
	bad_text("deny   \t\n", "missing bridge name after 'deny'", "deny without name");
	bad_text("include\n", "missing path after 'include'", "include without path");
	bad_text("include   \t\n", "missing path after 'include'", "include with blanks only");
	bad_text("allow br0\x01\n", "contains '?'", "control byte glued to a name");

	bad_text("allow abcdefghijklmnop\n", "at most 15", "16-character name");
	tap_ok(allows("allow abcdefghijklmno\n", "abcdefghijklmno", &alice), "15-character name");
	bad_text("allow br/0\n", "contains '/'", "name with '/'");
	bad_text("allow ../../x\n", "contains '/'", "name with '../'");
	bad_text("allow br%d\n", "contains '%'", "name with '%'");
	bad_text("allow br:0\n", "contains ':'", "name with ':'");
	bad_text("allow br\\0\n", "contains '\\'", "name with a backslash");
	bad_text("allow -x\n", "can never match", "name starting with '-'");
	bad_text("allow ..\n", "can never match", "name '..'");
	bad_text("allow br\xc3\xa9\n", "contains '?'", "non-ASCII name");
	bad_text("deny !br0\n", "'!' not right after '['", "'!' as negation (a dead deny)");
	bad_text("allow br[0\n", "unclosed '['", "unclosed '['");
	bad_text("allow br0]\n", "']' without '['", "']' without '['");
	bad_text("allow br[]\n", "empty '[]'", "empty []");
	bad_text("allow br[!]\n", "empty '[]'", "empty [!]");
	bad_text("allow br[*]\n", "'*' inside", "'*' inside []");
}

static void test_limits(void)
{
	char line[TW_POLICY_MAX_LINE + 3];
	memset(line, ' ', sizeof(line));
	memcpy(line, "allow br0", 9);
	line[TW_POLICY_MAX_LINE] = '\n';
	struct tw_policy *p = parse_n(line, TW_POLICY_MAX_LINE + 1);
	tap_ok(p != NULL, "a line of exactly %d bytes is fine", TW_POLICY_MAX_LINE);
	tw_policy_free(p);
	line[TW_POLICY_MAX_LINE] = ' ';
	line[TW_POLICY_MAX_LINE + 1] = '\n';
	p = parse_n(line, TW_POLICY_MAX_LINE + 2);
	tap_ok(!p && rc == -EINVAL, "a line of %d bytes is refused, not cut",
	       TW_POLICY_MAX_LINE + 1);
	tap_like(err, CONF ":1: line is longer than 1024 bytes", "  why");

	p = parse_n("allow br0\n\0allow br1\n", 21);
	tap_ok(!p, "a NUL byte is refused");
	tap_like(err, CONF ":2: contains a NUL byte", "  on its line");
	p = parse_n("allow br0\0 br1\n", 15);
	tap_ok(!p, "a NUL byte that would cut a line short is refused");

	size_t big = 1024 * 1024 + 1;
	char *text = malloc(big);
	memset(text, '\n', big);
	p = parse_n(text, big);
	tap_ok(!p && rc == -EFBIG, "1 MiB + 1 byte is refused");
	tap_like(err, "larger than 1 MiB", "  why");
	p = parse_n(text, big - 1);
	tap_ok(p != NULL, "1 MiB of blank lines is fine");
	tw_policy_free(p);
	free(text);

	size_t n = 10001, len = n * 10;
	text = malloc(len + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(text + 10 * i, "allow br0\n", 10);
	p = parse_n(text, len - 10);
	tap_ok(p != NULL, "10000 rules are fine");
	tw_policy_free(p);
	p = parse_n(text, len);
	tap_ok(!p && rc == -E2BIG, "10001 rules are refused");
	tap_like(err, CONF ":10001: too many rules", "  why");
	free(text);

	/* 145 qualifiers fit a line; 500 such lines pass the total bound. */
	size_t per = 145, lines = 500, linelen = 9 + 7 * per + 1;
	text = malloc(linelen * lines);
	for (size_t l = 0; l < lines; l++) {
		char *s = text + l * linelen;
		memcpy(s, "allow br0", 9);
		for (size_t q = 0; q < per; q++)
			memcpy(s + 9 + 7 * q, " user:7", 7);
		s[linelen - 1] = '\n';
	}
	p = parse_n(text, linelen * lines);
	tap_ok(!p && rc == -E2BIG, "too many qualifiers in all are refused");
	tap_like(err, "too many user:/group: qualifiers", "  why");
	free(text);
}

static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random bytes and random near-policies: never a crash, never a dirty or
 * long message, and anything accepted still answers. */
static void test_garbage(void)
{
	/* Whole lines, so that some inputs parse, and fragments that break them. */
	static const char *const words[] = {
		"allow br0\n", "deny all\n", "allow vmbr* user:0\n", "deny br[!x] group:nogroup\n",
		"# c\n", "\n", " ", "\t", "\r", "allow", "deny", "all", "user:", "group:0", "[",
		"]", "!", "#", "\xff", "\x01",
	};
	char buf[2048];
	int dirty = 0, accepted = 0, long_err = 0;
	for (int i = 0; i < 2000; i++) {
		size_t len = rnd() % sizeof(buf);
		if (i % 2) {
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)rnd();
		} else {
			size_t k = 0;
			len %= 160;
			while (k < len) {
				const char *w = words[rnd() % TW_ARRAY_SIZE(words)];
				size_t wl = strlen(w);
				if (k + wl > len)
					break;
				memcpy(buf + k, w, wl);
				k += wl;
			}
			len = k;
		}
		struct tw_policy *p = parse_n(buf, len);
		if (p) {
			accepted++;
			tw_policy_allows(p, "br0", &bob, why, sizeof(why));
			tw_policy_free(p);
		} else {
			dirty += !err_clean();
			long_err += strlen(err) > 200;
		}
	}
	tap_ok(dirty == 0, "garbage: every error is one clean line (%d dirty)", dirty);
	tap_ok(long_err == 0, "garbage: no error over 200 bytes (%d)", long_err);
	tap_diag("garbage: %d of 2000 inputs parsed", accepted);

	char hostile[600] = "alow";
	memset(hostile + 4, 'A', 500);
	memcpy(hostile + 504, "\x1b[31m\n", 7);
	bad_text(hostile, "unknown keyword 'alowAAA", "a 500-byte keyword");
	tap_ok(strlen(err) < 150, "  echoed only in part (%zu bytes)", strlen(err));
	tap_like(err, "...'", "  and marked as cut");
	bad_text("\x1b]0;owned\x07 br0\n", "unknown keyword '?]0;owned?'", "escape sequences");
}

/* ---- Files ---------------------------------------------------------- */

static char base[PATH_MAX];

static const char *at(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int i;
	char *b = bufs[i++ % 4];
	if (snprintf(b, PATH_MAX, "%s/%s", base, rel) >= PATH_MAX)
		tap_diag("path too long: %s", rel);
	return b;
}

static void put(const char *rel, const char *text, size_t len, mode_t mode, uid_t uid)
{
	const char *path = at(rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && fchown(fd, uid, 0) == 0 &&
		  fchmod(fd, mode) == 0;
	if (!ok)
		tap_diag("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void put_text(const char *rel, const char *text)
{
	put(rel, text, strlen(text), 0644, 0);
}

static void mkdir_as(const char *rel, mode_t mode, uid_t uid)
{
	const char *path = at(rel);
	if (mkdir(path, 0700) < 0 || chown(path, uid, 0) < 0 || chmod(path, mode) < 0)
		tap_diag("cannot make %s: %s", path, strerror(errno));
}

static void link_to(const char *target, const char *rel)
{
	if (symlink(target, at(rel)) < 0)
		tap_diag("cannot link %s: %s", rel, strerror(errno));
}

static struct tw_policy *load(const char *rel)
{
	struct tw_policy *p = (struct tw_policy *)1;
	err[0] = 0;
	rc = tw_policy_load(at(rel), &p, err, sizeof(err));
	return rc < 0 ? NULL : p;
}

static bool load_allows(const char *rel, const char *bridge)
{
	struct tw_policy *p = load(rel);
	if (!p) {
		tap_diag("load failed: %s", err);
		return false;
	}
	bool ok = tw_policy_allows(p, bridge, &alice, why, sizeof(why));
	tw_policy_free(p);
	return ok;
}

static void refused_file(const char *rel, int want, const char *needle, const char *name)
{
	struct tw_policy *p = load(rel);
	tap_ok(!p && rc == want, "%s: refused (%d, want %d)", name, rc, want);
	tw_policy_free(p);
	tap_like(err, needle, "  ... and says why");
	tap_ok(err_clean(), "  ... in one clean line");
}

static void test_files_basic(void)
{
	put_text("good.conf", "# good\nallow br0\n");
	tap_ok(load_allows("good.conf", "br0"), "a root-owned 0644 file loads");
	char want[PATH_MAX + 32];
	snprintf(want, sizeof(want), "allowed by %s:2", at("good.conf"));
	tap_is_str(why, want, "  why names the file and line");

	put("ro.conf", "allow br0\n", 10, 0400, 0);
	tap_ok(load_allows("ro.conf", "br0"), "mode 0400 is fine");
	put("grp.conf", "allow br0\n", 10, 0640, 0);
	tap_ok(load_allows("grp.conf", "br0"), "mode 0640 is fine");

	refused_file("missing.conf", -ENOENT, "missing.conf: No such file or directory",
		     "a missing file");
	mkdir_as("adir", 0755, 0);
	refused_file("adir", -EISDIR, "is a directory", "a directory");
	refused_file("adir/", -EISDIR, "is a directory", "a directory, with a slash");
	refused_file("good.conf/x", -ENOTDIR, "Not a directory", "a file used as a directory");

	put("user.conf", "allow all\n", 10, 0644, 65534);
	refused_file("user.conf", -EPERM, "is owned by uid 65534, not root", "owned by 65534");
	put("w666.conf", "allow all\n", 10, 0666, 0);
	refused_file("w666.conf", -EPERM, "writable by group or others (mode 0666)", "mode 0666");
	put("w620.conf", "allow all\n", 10, 0620, 0);
	refused_file("w620.conf", -EPERM, "writable by group or others (mode 0620)", "mode 0620");
	put("w602.conf", "allow all\n", 10, 0602, 0);
	refused_file("w602.conf", -EPERM, "(mode 0602)", "mode 0602");

	size_t big = 1024 * 1024 + 1;
	char *text = malloc(big);
	memset(text, '\n', big);
	put("big.conf", text, big, 0644, 0);
	refused_file("big.conf", -EFBIG, "larger than 1 MiB", "a file over 1 MiB");
	free(text);
	put("nul.conf", "allow br0\n\0\n", 12, 0644, 0);
	refused_file("nul.conf", -EINVAL, "nul.conf:2: contains a NUL byte", "a NUL byte on disk");
	put("bin.conf", "\x7f" "ELF\x02\x01\x01\0\0\0", 10, 0644, 0);
	refused_file("bin.conf", -EINVAL, "bin.conf:1:", "a binary file");
}

static void test_files_special(void)
{
	if (mkfifo(at("fifo"), 0644) < 0)
		tap_diag("mkfifo: %s", strerror(errno));
	put_text("inc-fifo.conf", "allow br0\ninclude fifo\n");
	/* Opening a FIFO for reading blocks until a writer comes; if the
	 * check is broken, SIGALRM ends the test instead of hanging it. */
	alarm(5);
	refused_file("fifo", -EPERM, "is a FIFO, not a regular file", "a FIFO, promptly");
	refused_file("inc-fifo.conf", -EPERM, "inc-fifo.conf:2: cannot include 'fifo': is a FIFO",
		     "an included FIFO, promptly");
	alarm(0);

	put_text("inc-dev.conf", "include /dev/null\n");
	refused_file("inc-dev.conf", -EPERM, "cannot include '/dev/null': is a device",
		     "an included device");
	put_text("inc-dir.conf", "include adir\n");
	refused_file("inc-dir.conf", -EISDIR, "is a directory", "an included directory");

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("sock"));
	if (n >= (int)sizeof(sa.sun_path) || s < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		tap_skip("cannot bind a unix socket in the test tree");
	} else {
		refused_file("sock", -EPERM, "is a socket, not a regular file", "a unix socket");
	}
	if (s >= 0)
		close(s);

	char name[300] = "";
	memset(name, 'n', 299);
	refused_file(name, -ENAMETOOLONG, "a path component is too long", "a 299-byte component");
}

static void test_files_links(void)
{
	link_to("good.conf", "rel-link.conf");
	tap_ok(load_allows("rel-link.conf", "br0"), "a relative symlink to a good file");
	link_to(at("good.conf"), "abs-link.conf");
	tap_ok(load_allows("abs-link.conf", "br0"), "an absolute symlink to a good file");
	link_to("abs-link.conf", "link-link.conf");
	tap_ok(load_allows("link-link.conf", "br0"), "a symlink to a symlink to a good file");
	link_to("adir/../good.conf", "dotdot-link.conf");
	tap_ok(load_allows("dotdot-link.conf", "br0"), "a symlink through '..'");

	mkdir_as("ww", 01777, 0);
	put_text("ww/real.conf", "allow all\n");
	link_to("ww/real.conf", "to-ww.conf");
	refused_file("to-ww.conf", -EPERM, "/ww is writable by group or others (mode 1777)",
		     "a symlink into a 1777 directory");
	refused_file("ww/real.conf", -EPERM, "(mode 1777)", "a file in a 1777 directory");
	/* The target is fine, but a user could swap the hop in ww/. */
	link_to("../good.conf", "ww/hop");
	link_to("ww/hop", "via-ww.conf");
	refused_file("via-ww.conf", -EPERM, "(mode 1777)", "a symlink chain through a 1777 dir");

	mkdir_as("home", 0755, 65534);
	put_text("home/real.conf", "allow all\n");
	link_to("home/real.conf", "to-home.conf");
	refused_file("to-home.conf", -EPERM, "/home is owned by uid 65534, not root",
		     "a symlink into a user's directory");
	mkdir_as("grpw", 0775, 0);
	put_text("grpw/real.conf", "allow all\n");
	refused_file("grpw/real.conf", -EPERM, "(mode 0775)", "a file in a 0775 directory");

	link_to("loop-b", "loop-a");
	link_to("loop-a", "loop-b");
	refused_file("loop-a", -ELOOP, "too many levels of symbolic links", "a symlink loop");
	link_to("nowhere.conf", "dangling.conf");
	refused_file("dangling.conf", -ENOENT, "No such file", "a dangling symlink");

	char tmpl[] = "/tmp/tw-policy-test.XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0 || write(fd, "allow all\n", 10) != 10 || fchmod(fd, 0644) < 0)
		tap_diag("cannot write %s", tmpl);
	if (fd >= 0)
		close(fd);
	err[0] = 0;
	struct tw_policy *p = (struct tw_policy *)1;
	rc = tw_policy_load(tmpl, &p, err, sizeof(err));
	tap_ok(rc == -EPERM && !p, "a root-owned 0644 file directly in /tmp is refused");
	tap_like(err, "directory /tmp is writable by group or others (mode 1777)", "  why");
	unlink(tmpl);
	link_to(tmpl, "to-tmp.conf");
	refused_file("to-tmp.conf", -EPERM, "directory /tmp is writable", "a symlink into /tmp");
}

static void test_files_include(void)
{
	mkdir_as("inc", 0755, 0);
	mkdir_as("inc/sub", 0755, 0);
	put_text("inc/main.conf", "allow br0\ninclude sub/a.conf\n");
	put_text("inc/sub/a.conf", "allow br1\ninclude b.conf\n");
	put_text("inc/sub/b.conf", "\n\nallow br2\ndeny br0\n");
	tap_ok(load_allows("inc/main.conf", "br1"), "a relative include, from the file's dir");
	tap_ok(load_allows("inc/main.conf", "br2"), "  nested, from the including file's dir");
	char want[PATH_MAX + 32];
	snprintf(want, sizeof(want), "allowed by %s:3", at("inc/sub/b.conf"));
	tap_is_str(why, want, "  why names the included file");
	tap_ok(!load_allows("inc/main.conf", "br0"), "  a deny in an include wins");

	char text[PATH_MAX + 32];
	snprintf(text, sizeof(text), "include %s\n", at("good.conf"));
	put_text("inc/abs.conf", text);
	tap_ok(load_allows("inc/abs.conf", "br0"), "an absolute include");
	put_text("inc/spaced.conf", "  include   ../good.conf  \t\n");
	tap_ok(load_allows("inc/spaced.conf", "br0"), "include with blanks around the path");

	put_text("inc/missing.conf", "allow br0\n\ninclude nope.conf\n");
	refused_file("inc/missing.conf", -ENOENT,
		     "missing.conf:3: cannot include 'nope.conf': No such file or directory",
		     "a missing include");
	put_text("inc/user-inc.conf", "include ../user.conf\n");
	refused_file("inc/user-inc.conf", -EPERM,
		     "user-inc.conf:1: cannot include '../user.conf': is owned by uid 65534",
		     "an include owned by 65534");
	put_text("inc/mode-inc.conf", "include ../w666.conf\n");
	refused_file("inc/mode-inc.conf", -EPERM, "(mode 0666)", "an include with mode 0666");
	put_text("inc/ww-inc.conf", "include ../to-ww.conf\n");
	refused_file("inc/ww-inc.conf", -EPERM, "(mode 1777)", "an include through a 1777 dir");
	put_text("inc/bad.conf", "allow br0\nalow br1\n");
	put_text("inc/bad-inc.conf", "include bad.conf\n");
	refused_file("inc/bad-inc.conf", -EINVAL, "inc/bad.conf:2: unknown keyword 'alow'",
		     "a syntax error inside an include names that file");

	/* dN.conf includes dN+1.conf; d9.conf allows. */
	mkdir_as("depth", 0755, 0);
	for (int i = 0; i <= 9; i++) {
		char rel[32], body[64];
		snprintf(rel, sizeof(rel), "depth/d%d.conf", i);
		if (i < 9)
			snprintf(body, sizeof(body), "# level %d\ninclude d%d.conf\n", i, i + 1);
		else
			snprintf(body, sizeof(body), "allow br0\n");
		put_text(rel, body);
	}
	tap_ok(load_allows("depth/d1.conf", "br0"), "includes nested 8 deep are fine");
	refused_file("depth/d0.conf", -ELOOP, "d8.conf:2: includes nest more than 8 deep",
		     "includes nested 9 deep");

	put_text("inc/self.conf", "include self.conf\n");
	refused_file("inc/self.conf", -ELOOP, "nest more than 8", "a file including itself");
	put_text("inc/ping.conf", "include pong.conf\n");
	put_text("inc/pong.conf", "include ping.conf\n");
	refused_file("inc/ping.conf", -ELOOP, "nest more than 8", "two files including each other");

	/* Each level includes the next ten times: 10^8 files, within the depth
	 * limit; only the bound on files stops it. */
	for (int i = 0; i <= 8; i++) {
		char rel[32], body[256] = "";
		snprintf(rel, sizeof(rel), "inc/bomb%d.conf", i);
		for (int k = 0; i < 8 && k < 10; k++)
			snprintf(body + strlen(body), sizeof(body) - strlen(body),
				 "include bomb%d.conf\n", i + 1);
		put_text(rel, body);
	}
	alarm(10);
	refused_file("inc/bomb0.conf", -E2BIG, "too many files included", "an include fan-out");
	alarm(0);

	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || chdir(base) < 0)
		tap_diag("cannot change directory: %s", strerror(errno));
	struct tw_policy *p = NULL;
	rc = tw_policy_load("inc/main.conf", &p, err, sizeof(err));
	tap_ok(p && tw_policy_allows(p, "br2", &alice, why, sizeof(why)),
	       "a relative policy path; its includes resolve from its directory");
	tap_is_str(why, "allowed by inc/sub/b.conf:3", "  why");
	tw_policy_free(p);
	p = parse("include inc/sub/b.conf\n");
	tap_ok(p && tw_policy_allows(p, "br2", &alice, why, sizeof(why)),
	       "tw_policy_parse: a relative include, from the current directory");
	tap_is_str(why, "allowed by ./inc/sub/b.conf:3", "  why");
	tw_policy_free(p);
	bad_text("include ww/real.conf\n", "(mode 1777)", "tw_policy_parse: the same checks");
	if (chdir(cwd) < 0)
		tap_diag("cannot change back: %s", strerror(errno));
}

/* Every directory above the test tree must be root's alone, or every file
 * test would fail for a reason that has nothing to do with the code. */
static bool tree_usable(const char *dir, char *bad, size_t badlen)
{
	char p[PATH_MAX];
	tw_strscpy(p, dir, sizeof(p));
	for (;;) {
		struct stat st;
		if (p[0] != '/' || stat(p, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
			tw_strscpy(bad, p, badlen);
			return false;
		}
		if (!strcmp(p, "/"))
			return true;
		char *slash = strrchr(p, '/');
		slash[slash == p] = 0;
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void test_odd_paths(void)
{
	struct tw_policy *p = (struct tw_policy *)1;
	tap_is_int(tw_policy_load("/", &p, err, sizeof(err)), -EISDIR, "/ as the policy");
	tap_like(err, "/: is a directory", "  why");
	tap_ok(p == NULL, "  *out is NULL after a failure");
	tap_is_int(tw_policy_load("", &p, err, sizeof(err)), -EINVAL, "an empty path");
	tap_is_int(tw_policy_load(NULL, &p, err, sizeof(err)), -EINVAL, "a NULL path");
	tap_is_int(tw_policy_load("/etc/passwd/x", &p, err, sizeof(err)), -ENOTDIR,
		   "a path through a file");
	tap_is_int(tw_policy_parse(NULL, "alow", 4, &p, err, sizeof(err)), -EINVAL,
		   "tw_policy_parse without a name");
	tap_like(err, "(policy):1: unknown keyword", "  uses a placeholder name");
	tap_is_int(tw_policy_parse("x", NULL, 0, &p, err, sizeof(err)), 0, "NULL text is empty");
	tw_policy_free(p);
	tap_is_int(tw_policy_parse("x", "alow", 4, &p, NULL, 0), -EINVAL, "no error buffer");
}

static void test_files(void)
{
	char cwd[PATH_MAX], bad[PATH_MAX];
	if (geteuid() != 0) {
		tap_skip("file tests need root (chown, root-owned directories)");
		return;
	}
	/* The build tree, or (when it sits under /tmp, as a CI clone may)
	 * somewhere that is root's alone on any Debian. */
	const char *parent = NULL;
	const char *const tries[] = { getcwd(cwd, sizeof(cwd)) ? cwd : NULL, "/run", "/root" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(tries) && !parent; i++)
		if (tries[i] && tree_usable(tries[i], bad, sizeof(bad)))
			parent = tries[i];
	if (!parent) {
		tap_skip("file tests: %s is not root's alone (owner/mode), nor /run or /root", bad);
		return;
	}
	if (snprintf(base, sizeof(base), "%s/tw-policy.XXXXXX", parent) >= (int)sizeof(base) ||
	    !mkdtemp(base) || chmod(base, 0755) < 0) {
		tap_ok(0, "cannot make a test directory: %s", strerror(errno));
		return;
	}
	test_files_basic();
	test_files_special();
	test_files_links();
	test_files_include();
	tap_ok(nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0, "test tree removed");
}

static int count_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* ---- what a refusal tells the administrator ------------------------------ */

static void test_hint(void)
{
	char hint[300];
	tap_ok(!allows("allow br1\n", "br0", &alice), "no allow rule for br0");
	tw_policy_hint("/etc/tapwire/bridge.conf", "br0", alice.uid, why, hint, sizeof(hint));
	tap_is_str(hint, "add \"allow br0 user:1000\" (this user) or \"allow br0\" (everyone) to "
		   "/etc/tapwire/bridge.conf", "  the hint names the line and the file that would allow it");
	tap_ok(allows("allow br0 user:1000\n", "br0", &alice), "  and that line allows it");
	tap_ok(!allows("allow br0\ndeny br*\n", "br0", &alice), "a deny rule for br0");
	tw_policy_hint("/etc/tapwire/bridge.conf", "br0", alice.uid, why, hint, sizeof(hint));
	tap_is_str(hint, "a deny rule wins over every allow: narrow or remove the one at " CONF ":2",
		   "  the hint names the deny rule");
	tw_policy_hint("/etc/tapwire/bridge.conf", "br0", alice.uid, "invalid bridge name", hint,
		       sizeof(hint));
	tap_is_str(hint, "", "  no hint for a bad name");
}

int main(void)
{
	int fds = count_fds();
	test_qemu();
	test_globs();
	test_qualifiers();
	test_syntax();
	test_limits();
	test_garbage();
	test_odd_paths();
	test_files();
	test_hint();
	tap_is_int(count_fds(), fds, "no file descriptor leaked");
	return tap_done();
}
