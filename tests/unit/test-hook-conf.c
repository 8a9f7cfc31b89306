/* hooks/conf.c: tapwire.conf (the hook's policy) and qemu.conf's user. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static char dir[] = "/tmp/tw-hook-conf.XXXXXX";
static char path[256], err[512];

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

static void test_trust(void)
{
	struct tw_hook_conf c;
	put("bridge br0\n", 11, 0664);
	tap_is_int(tw_hook_conf_load(path, &c, err, sizeof(err)), -EPERM, "group-writable: refused");
	tap_ok(strstr(err, "writable by group or others (mode 0664)") != NULL, "... saying so");
	put("bridge br0\n", 11, 0646);
	tap_is_int(tw_hook_conf_load(path, &c, err, sizeof(err)), -EPERM, "world-writable: refused");
	if (geteuid() == 0) {
		put("bridge br0\n", 11, 0644);
		if (chown(path, 1, 0) < 0)
			abort();
		tap_is_int(tw_hook_conf_load(path, &c, err, sizeof(err)), -EPERM, "not root's: refused");
		tap_ok(strstr(err, "owned by uid 1, not root") != NULL, "... saying whose it is");
	} else {
		tap_skip("not root: cannot give the file away");
		tap_skip("not root: cannot give the file away");
	}
	tap_is_int(tw_hook_conf_load(dir, &c, err, sizeof(err)), -EPERM, "a directory: refused");
	put("bridge br0\0\nbridge br1\n", 22, 0644);
	tap_is_int(tw_hook_conf_load(path, &c, err, sizeof(err)), -EINVAL, "a NUL byte: refused");
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
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/conf", dir);
	test_rules();
	test_trust();
	test_qemu_conf();
	unlink(path);
	rmdir(dir);
	return tap_done();
}
