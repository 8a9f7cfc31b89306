/* tw_helper_args_parse: the helper's argv, as QEMU writes it and as an
 * attacker might. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "tap-protocol.h"
#include "core/util.h"

#define MAX_ARGS 16

static char err[512];
static struct tw_helper_args args;

/* Parses "tapwire-bridge-helper" followed by the NULL-terminated list. */
static int parse(const char *first, ...)
{
	char *argv[MAX_ARGS + 1] = { (char *)"tapwire-bridge-helper" };
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < MAX_ARGS; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	err[0] = 0;
	return tw_helper_args_parse(argc, argv, &args, err, sizeof(err));
}

/* An error message goes to a terminal and syslog: one short printable line. */
static int err_is_clean(void)
{
	size_t n = strlen(err);
	for (size_t i = 0; i < n; i++)
		if (err[i] < 0x20 || err[i] >= 0x7f)
			return 0;
	return n > 0 && n < 200;
}

static void refused(const char *name, const char *needle, int r)
{
	tap_is_int(r, -EINVAL, name);
	tap_like(err, needle, "  ... and says why");
	tap_ok(err_is_clean(), "  ... in one clean line");
}

static void test_qemu_forms(void)
{
	int r = parse("--use-vnet", "--fd=5", "--br=br0", NULL);
	tap_is_int(r, 0, "QEMU's usual --use-vnet --fd=5 --br=br0");
	tap_ok(args.use_vnet, "  use_vnet set");
	tap_is_int(args.fd, 5, "  fd 5");
	tap_is_str(args.br, "br0", "  bridge br0");
	tap_ok(!args.help && !args.version, "  neither help nor version");

	r = parse("--br=br0", "--fd=7", NULL);
	tap_is_int(r, 0, "without --use-vnet, --br first");
	tap_ok(!args.use_vnet, "  use_vnet clear");
	tap_is_int(args.fd, 7, "  fd 7");

	r = parse("--fd=3", "--br=virbr0", "--use-vnet", NULL);
	tap_is_int(r, 0, "--use-vnet last");
	tap_ok(args.use_vnet && args.fd == 3 && !strcmp(args.br, "virbr0"), "  all three read");

	r = parse("--use-vnet", "--use-vnet", "--br=br0", "--fd=5", NULL);
	tap_is_int(r, 0, "--use-vnet twice is harmless");
}

static void test_missing(void)
{
	refused("no arguments", "missing --br", parse(NULL));
	refused("--fd without --br", "missing --br", parse("--fd=5", NULL));
	refused("--br without --fd", "missing --fd", parse("--br=br0", NULL));
	refused("--use-vnet alone", "missing --br", parse("--use-vnet", NULL));

	char *argv[] = { (char *)"helper", (char *)"--br=br0", NULL };
	tap_is_int(tw_helper_args_parse(3, argv, &args, err, sizeof(err)), -EINVAL,
		   "argc larger than argv: refused, not read past");
}

static void test_duplicates(void)
{
	refused("--br twice", "more than once", parse("--br=br0", "--br=br1", "--fd=5", NULL));
	refused("--br twice, same value", "more than once",
		parse("--br=br0", "--fd=5", "--br=br0", NULL));
	refused("--fd twice", "more than once", parse("--fd=5", "--fd=6", "--br=br0", NULL));
}

static void test_fd(void)
{
	refused("--fd=0", "standard streams", parse("--br=br0", "--fd=0", NULL));
	refused("--fd=1", "standard streams", parse("--br=br0", "--fd=1", NULL));
	refused("--fd=2", "standard streams", parse("--br=br0", "--fd=2", NULL));
	tap_is_int(parse("--br=br0", "--fd=3", NULL), 0, "--fd=3 is the lowest accepted");
	tap_is_int(parse("--br=br0", "--fd=65535", NULL), 0, "--fd=65535 accepted");
	tap_is_int(args.fd, 65535, "  and read as 65535");

	static const char *const bad[] = { "--fd=",     "--fd=abc", "--fd=-1",    "--fd=+5",
					   "--fd= 5",   "--fd=5 ",  "--fd=5x",    "--fd=0x10",
					   "--fd=65536", "--fd=4294967299",
					   "--fd=99999999999999999999999999" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(bad); i++) {
		char name[96];
		snprintf(name, sizeof(name), "'%s' refused", bad[i]);
		refused(name, "bad --fd value", parse("--br=br0", bad[i], NULL));
	}
}

static void test_bridge_names(void)
{
	tap_is_int(parse("--br=abcdefghijklmno", "--fd=5", NULL), 0, "15-character name accepted");
	tap_is_str(args.br, "abcdefghijklmno", "  and kept whole");
	refused("16-character name", "at most 15", parse("--br=abcdefghijklmnop", "--fd=5", NULL));

	static const struct {
		const char *arg, *why;
	} bad[] = {
		{ "--br=", "empty" },
		{ "--br=br/0", "'/'" },
		{ "--br=br 0", "0x20" },
		{ "--br=br\n0", "0x0a" },
		{ "--br=br\t0", "0x09" },
		{ "--br=br%d", "'%'" },
		{ "--br=..", "'.' or '..'" },
		{ "--br=.", "'.' or '..'" },
		{ "--br=-x", "'-'" },
		{ "--br=br:0", "':'" },
		{ "--br=br\x7f", "0x7f" },
		{ "--br=br\xc3\xa9", "0xc3" },
		{ "--br=../../etc", "'/'" },
	};
	for (size_t i = 0; i < TW_ARRAY_SIZE(bad); i++) {
		char name[64];
		snprintf(name, sizeof(name), "bad bridge name #%zu refused", i);
		refused(name, bad[i].why, parse(bad[i].arg, "--fd=5", NULL));
	}

	char huge[4096] = "--br=";
	memset(huge + 5, 'A', sizeof(huge) - 6);
	huge[sizeof(huge) - 1] = 0;
	refused("4 KiB bridge name", "...", parse(huge, "--fd=5", NULL));
	tap_ok(strlen(err) < 200, "  echoed only in part (%zu bytes)", strlen(err));
}

static void test_unknown(void)
{
	static const char *const bad[] = { "--bridge=br0", "-x",   "br0",       "--fd",
					   "--br",         "--br", "--use-vnet=1", "--BR=br0",
					   "",             "-",    "--" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(bad); i++) {
		char name[64];
		snprintf(name, sizeof(name), "unknown argument '%s' refused", bad[i]);
		refused(name, "unknown argument", parse("--br=br0", "--fd=5", bad[i], NULL));
	}
}

static void test_help_version(void)
{
	tap_is_int(parse("--help", NULL), 0, "--help alone");
	tap_ok(args.help, "  sets help");
	tap_is_int(parse("-h", NULL), 0, "-h alone");
	tap_ok(args.help, "  sets help");
	tap_is_int(parse("--version", NULL), 0, "--version alone");
	tap_ok(args.version && !args.help, "  sets version");
	tap_is_int(parse("--br=br0", "--help", NULL), 0, "--help wins over a missing --fd");
	refused("--help with an unknown argument", "unknown argument",
		parse("--help", "--bogus", NULL));
	refused("--help with a bad bridge", "bad bridge name", parse("--help", "--br=a/b", NULL));
}

int main(void)
{
	test_qemu_forms();
	test_missing();
	test_duplicates();
	test_fd();
	test_bridge_names();
	test_unknown();
	test_help_version();
	return tap_done();
}
