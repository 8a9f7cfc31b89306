/* hooks/conf.c: tapwire.conf (the hook's policy) and qemu.conf's user; and
 * lib/trusted.c, which the hook shares with the helper, for its stack cost.
 * Needs root (files root owns, in directories only root may write): the
 * files live in a test directory under the build tree, /run or /root. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "conf.h"
#include "tap-protocol.h"
#include "core/trusted.h"

static char dir[PATH_MAX], path[PATH_MAX + 16], err[512];

/* base/rel, in a static buffer (two at a time). */
static const char *at(const char *rel)
{
	static char buf[2][PATH_MAX + 64];
	static int i;
	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

static void put(const char *text, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	fchmod(fd, mode);
	close(fd);
}

/* Load text as tapwire.conf; the rules stay in *c (free them). */
static int load(const char *text, struct tw_hook_conf *c)
{
	put(text, strlen(text), 0644);
	err[0] = '\0';
	return tw_hook_conf_load(path, c, err, sizeof(err));
}

static void bad(const char *text, const char *want, const char *name)
{
	struct tw_hook_conf c;
	int r = load(text, &c);
	tap_is_int(r, -EINVAL, name);
	if (!tap_ok(strstr(err, want) != NULL, "%s: says '%s'", name, want))
		tap_diag("  got '%s'", err);
	tap_is_int(c.n_rules, 0, "... and leaves no rules");
}

static void test_rules(void)
{
	struct tw_hook_conf c;
	unlink(path);
	tap_is_int(tw_hook_conf_load(path, &c, err, sizeof(err)), 0, "a missing file is an empty policy");
	tap_is_int(c.n_rules, 0, "... with no rules");

	tap_is_int(load("# only comments\n\n   \t\n", &c), 0, "comments and blank lines");
	tap_is_int(c.n_rules, 0, "... make no rules");

	tap_is_int(load("bridge br0", &c), 0, "bridge br0 (no newline at the end)");
	tap_ok(c.n_rules == 1 && !strcmp(c.rules[0].pattern, "br0"), "one rule for br0");
	tap_ok(c.rules[0].spec.mtu == 0 && c.rules[0].spec.stp == TW_UNSET &&
		       c.rules[0].spec.addrs.n == 0, "... leaving mtu, stp and addresses to the kernel");
	tw_hook_conf_free(&c);

	tap_is_int(load("bridge vm-a mtu 1400\nbridge vm-* mtu 9000 stp off # any vm bridge\n", &c), 0,
		   "a name and a glob with settings");
	const struct tw_hook_rule *r = tw_hook_conf_match(&c, "vm-a");
	tap_ok(r && r->spec.mtu == 1400, "the first matching rule wins");
	r = tw_hook_conf_match(&c, "vm-lan");
	tap_ok(r && r->spec.mtu == 9000 && r->spec.stp == TW_NO && r->line == 2,
	       "vm-lan matches vm-* (line 2, mtu 9000, stp off)");
	tap_ok(tw_hook_conf_match(&c, "vmx") == NULL, "vmx matches nothing");
	tw_hook_conf_free(&c);

	tap_is_int(load("bridge lab0 stp on address 10.0.0.1/24,fd00::1/64\n", &c), 0,
		   "addresses, IPv4 and IPv6");
	tap_ok(c.n_rules == 1 && c.rules[0].spec.addrs.n == 2 &&
		       c.rules[0].spec.addrs.v[1].family != c.rules[0].spec.addrs.v[0].family &&
		       c.rules[0].spec.stp == TW_YES,
	       "... two of them, stp on");
	tw_hook_conf_free(&c);

	bad("bridge\n", ":1: bridge: which bridge?", "bridge without a name");
	bad("# one\n\nbridge br0 mtu lots\n", ":3: mtu 'lots'", "a bad mtu names line 3");
	bad("bridge br0 mtu 67\n", "is not 68..65535", "mtu below 68");
	bad("bridge br0 stp yes\n", "stp is 'on' or 'off'", "stp yes");
	bad("bridge br0 mtu\n", "'mtu' needs a value", "a setting without a value");
	bad("bridge a/b\n", "bridge name 'a/b' is not valid", "a name with a slash");
	bad("bridge br0123456789abcdef\n", "is not valid", "a name of 18 characters");
	bad("bridge vm-* address 10.0.0.1/24\n", "address needs one bridge", "an address on a glob");
	bad("bridge br0 address 10.0.0.1\n", "is not CIDR", "an address without a prefix");
	bad("bridge br0 vlan 3\n", "unknown bridge setting 'vlan'", "an unknown setting");
	bad("allow br0\n", "unknown keyword 'allow'", "bridge.conf's syntax is not this file's");
}

/* Loads file (not path) as tapwire.conf; expects want, and needle in err. */
static void refused(const char *file, int want, const char *needle, const char *name)
{
	struct tw_hook_conf c;
	err[0] = '\0';
	tap_is_int(tw_hook_conf_load(file, &c, err, sizeof(err)), want, name);
	tap_like(err, needle, "... saying so");
	tap_ok(!strchr(err, '\n'), "... in one line");
	tap_is_int(c.n_rules, 0, "... and leaves no rules");
}

static void put_at(const char *rel, const char *text, mode_t mode, uid_t uid)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchown(fd, uid, 0) < 0 || fchmod(fd, mode) < 0)
		abort();
	close(fd);
}

static void mkdir_at(const char *rel, mode_t mode, uid_t uid)
{
	if (mkdir(at(rel), 0700) < 0 || chown(at(rel), uid, 0) < 0 || chmod(at(rel), mode) < 0)
		abort();
}

static void link_at(const char *target, const char *rel)
{
	if (symlink(target, at(rel)) < 0)
		abort();
}

static void test_trust(void)
{
	char want[PATH_MAX + 100];
	put("bridge br0\n", 11, 0664);
	refused(path, -EPERM, "writable by group or others (mode 0664)", "group-writable: refused");
	put("bridge br0\n", 11, 0646);
	refused(path, -EPERM, "(mode 0646)", "world-writable: refused");
	put("bridge br0\n", 11, 0644);
	if (chown(path, 1, 0) < 0)
		abort();
	refused(path, -EPERM, "is owned by uid 1, not root", "not root's: refused");
	refused(dir, -EISDIR, "is a directory, not a regular file", "a directory: refused");
	put("bridge br0\0\nbridge br1\n", 22, 0644);
	refused(path, -EINVAL, "contains a NUL byte", "a NUL byte: refused");

	/* The file is fine; what leads to it is not. */
	mkdir_at("ww", 0777, 0);
	put_at("ww/tapwire.conf", "bridge br0\n", 0644, 0);
	snprintf(want, sizeof(want), "%s: directory %s is writable by group or others (mode 0777)",
		 at("ww/tapwire.conf"), at("ww"));
	refused(at("ww/tapwire.conf"), -EPERM, want, "a good file in a 0777 directory: refused");
	mkdir_at("tmp", 01777, 0);
	put_at("tmp/tapwire.conf", "bridge br0\n", 0644, 0);
	refused(at("tmp/tapwire.conf"), -EPERM, "tmp is writable by group or others (mode 1777)",
		"... in a 1777 directory too (sticky does not help)");
	mkdir_at("home", 0755, 65534);
	put_at("home/tapwire.conf", "bridge br0\n", 0644, 0);
	snprintf(want, sizeof(want), "directory %s is owned by uid 65534, not root", at("home"));
	refused(at("home/tapwire.conf"), -EPERM, want, "a good file in a user's directory: refused");
	link_at("ww/tapwire.conf", "to-ww.conf");
	snprintf(want, sizeof(want), "directory %s is writable", at("ww"));
	refused(at("to-ww.conf"), -EPERM, want, "a symlink into a 0777 directory: refused");
	put_at("good.conf", "bridge br0\n", 0644, 0);
	link_at("../good.conf", "ww/hop");
	link_at("ww/hop", "via-ww.conf");
	refused(at("via-ww.conf"), -EPERM, want,
		"a symlink chain through a 0777 directory to a good file: refused");
	refused(at("ww/missing.conf"), -EPERM, want,
		"a missing file in a 0777 directory: refused, not an empty policy");

	struct tw_hook_conf c;
	link_at("good.conf", "rel.conf");
	tap_is_int(tw_hook_conf_load(at("rel.conf"), &c, err, sizeof(err)), 0,
		   "a symlink to a good file in a good directory loads");
	tap_is_int(c.n_rules, 1, "... with its rule");
	tw_hook_conf_free(&c);

	if (mkfifo(at("fifo"), 0644) < 0)
		abort();
	alarm(5); /* a FIFO opened for reading would block: fail, not hang */
	refused(at("fifo"), -EPERM, "is a FIFO, not a regular file", "a FIFO: refused, promptly");
	alarm(0);
	char *big = malloc(256 * 1024 + 2);
	memset(big, '\n', 256 * 1024 + 1);
	big[256 * 1024 + 1] = '\0';
	put_at("big.conf", big, 0644, 0);
	free(big);
	refused(at("big.conf"), -EFBIG, "is larger than 256 KiB", "a file over 256 KiB: refused");
}

static void qemu_user(const char *text, int want_r, const char *want, const char *name)
{
	char user[64] = "";
	put(text, strlen(text), 0600);
	int r = tw_qemu_conf_user(path, user, sizeof(user));
	tap_is_int(r, want_r, name);
	if (want)
		tap_is_str(user, want, "... the user");
}

static void test_qemu_conf(void)
{
	qemu_user("# qemu.conf\nuser = \"libvirt-qemu\"\ngroup = \"kvm\"\n", 0, "libvirt-qemu",
		  "user = \"libvirt-qemu\"");
	qemu_user("user=\"alice\"\n", 0, "alice", "no blanks around =");
	qemu_user("  user  =  \"+64055\"\n", 0, "64055", "libvirt's +UID form");
	qemu_user("#user = \"root\"\n", -ENOENT, NULL, "commented out: not set");
	qemu_user("username = \"bob\"\nuser_xattr = 1\n", -ENOENT, NULL, "other settings that start with user");
	qemu_user("user = \"a\"\nuser = \"b\"\n", 0, "a", "the first one wins, as in libvirt");
	qemu_user("user = \"\"\n", -ENOENT, NULL, "an empty value is no value");
	char user[8];
	unlink(path);
	tap_is_int(tw_qemu_conf_user(path, user, sizeof(user)), -ENOENT, "no qemu.conf");

	/* libvirt's file, trusted as libvirt trusts it: not checked for owner
	 * or directories, but still never a FIFO to hang on. */
	char name[64] = "";
	put_at("ww/qemu.conf", "user = \"qemu\"\n", 0666, 65534);
	tap_is_int(tw_qemu_conf_user(at("ww/qemu.conf"), name, sizeof(name)), 0,
		   "qemu.conf is read wherever it is, whoever owns it");
	tap_is_str(name, "qemu", "... the user");
	alarm(5);
	tap_is_int(tw_qemu_conf_user(at("fifo"), name, sizeof(name)), -EPERM,
		   "a FIFO as qemu.conf: refused, promptly");
	alarm(0);
}

/* ---- the stack the trusted reader needs ------------------------------------
 * The setuid helper runs with whatever RLIMIT_STACK its caller left it (16
 * KiB at worst), and the reader is only a small part of its work. Run it on
 * a painted stack of 16 KiB with a guard page below, and see how much of it
 * was written. */

#define SMALL_STACK (16 * 1024)
#define STACK_BUDGET 2048
#define PAINT 0xa5

/* Measured in the plain build only (test_stack says why). */
#if !defined(__SANITIZE_ADDRESS__)
static ucontext_t main_ctx, small_ctx;
static const char *read_path;
static int read_r;
static char why[256];

static void read_file(void)
{
	static char *text;
	static size_t len;
	read_r = tw_trusted_read(read_path, 4096, &text, &len, why, sizeof(why));
	if (read_r == 0)
		free(text);
}

/* What any message costs: glibc's printf keeps a work buffer on the stack. */
static void format_message(void)
{
	snprintf(why, sizeof(why), "directory %s is owned by uid %ld, not root", read_path, 1L);
}

/* Bytes of stack fn used, or 0 when it could not be run. */
static size_t stack_used(void (*fn)(void))
{
	fn(); /* on the normal stack first: lazy binding is the dynamic linker's cost */
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)page + SMALL_STACK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map, (size_t)page, PROT_NONE) < 0 ||
	    getcontext(&small_ctx) < 0)
		return 0;
	char *lo = map + page;
	memset(lo, PAINT, SMALL_STACK);
	small_ctx.uc_stack.ss_sp = lo;
	small_ctx.uc_stack.ss_size = SMALL_STACK;
	small_ctx.uc_link = &main_ctx;
	makecontext(&small_ctx, fn, 0);
	if (swapcontext(&main_ctx, &small_ctx) < 0)
		return 0;
	size_t untouched = 0;
	while (untouched < SMALL_STACK && (unsigned char)lo[untouched] == PAINT)
		untouched++;
	munmap(map, (size_t)page + SMALL_STACK);
	return SMALL_STACK - untouched;
}

#endif

static void test_stack(void)
{
#if defined(__SANITIZE_ADDRESS__)
	tap_skip("AddressSanitizer's frames are not the real ones");
	tap_skip("AddressSanitizer's frames are not the real ones");
#else
	/* The longest way: relative, from the current directory, through a
	 * symlink to a symlink. */
	char cwd[PATH_MAX];
	link_at("rel.conf", "rel2.conf");
	if (!getcwd(cwd, sizeof(cwd)) || chdir(dir) < 0)
		abort();
	read_path = "rel2.conf";
	size_t used = stack_used(read_file);
	tap_ok(read_r == 0 && used > 0 && used < STACK_BUDGET,
	       "tw_trusted_read through two symlinks: %zu bytes of stack (under %d)", used,
	       STACK_BUDGET);
	size_t printf_cost = stack_used(format_message);
	read_path = "via-ww.conf";
	used = stack_used(read_file);
	tap_ok(read_r == -EPERM && used > printf_cost && used < printf_cost + STACK_BUDGET,
	       "... refusing one: %zu bytes, under one snprintf's %zu + %d", used, printf_cost,
	       STACK_BUDGET);
	if (chdir(cwd) < 0)
		abort();
#endif
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p) < 0 ? -1 : 0;
}

/* A directory of our own in a tree only root may write: the build tree, or
 * (when it sits under /tmp) /run or /root, which are root's on any Debian. */
static bool make_base(void)
{
	char cwd[PATH_MAX];
	const char *const tries[] = { getcwd(cwd, sizeof(cwd)) ? cwd : NULL, "/run", "/root" };
	struct tw_hook_conf c;
	for (size_t i = 0; i < sizeof(tries) / sizeof(*tries); i++) {
		if (!tries[i] || snprintf(dir, sizeof(dir), "%s/tw-hook-conf.XXXXXX", tries[i]) >=
					 (int)sizeof(dir) || !mkdtemp(dir) || chmod(dir, 0755) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/conf", dir);
		put("bridge br0\n", 11, 0644);
		if (tw_hook_conf_load(path, &c, err, sizeof(err)) == 0) {
			tw_hook_conf_free(&c);
			return true;
		}
		tap_diag("not here: %s", err);
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	return false;
}

int main(void)
{
	if (geteuid() != 0) {
		tap_skip("needs root: a policy file must be root's, in root's directories");
		return tap_done();
	}
	if (!tap_ok(make_base(), "a test directory where a good policy loads"))
		return tap_done();
	test_rules();
	test_trust();
	test_qemu_conf();
	test_stack();
	tap_ok(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0, "test directory removed");
	return tap_done();
}
