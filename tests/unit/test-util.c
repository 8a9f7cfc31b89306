/* lib/core: the parsers and name checks everything else trusts, the one
 * way an array grows, and the index over an array. No kernel needed. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "core/index.h"
#include "core/util.h"
#include "tap-protocol.h"

static void test_parse_uint(void)
{
	unsigned long v = 7;
	tap_is_int(tw_parse_uint("0", 0, 10, &v), 0, "uint: 0");
	tap_is_int(v, 0, "  is 0");
	tap_is_int(tw_parse_uint("10", 0, 10, &v), 0, "uint: the upper bound itself");
	tap_is_int(tw_parse_uint("11", 0, 10, &v), -ERANGE, "uint: one above: -ERANGE");
	tap_is_int(tw_parse_uint("4", 5, 10, &v), -ERANGE, "uint: one below the lower bound: -ERANGE");
	tap_is_int(tw_parse_uint("007", 0, 10, &v), 0, "uint: leading zeros are decimal");
	tap_is_int(v, 7, "  is 7");
	tap_is_int(tw_parse_uint("18446744073709551615", 0, ULONG_MAX, &v), 0, "uint: ULONG_MAX");
	tap_ok(v == ULONG_MAX, "  is ULONG_MAX");
	tap_is_int(tw_parse_uint("18446744073709551616", 0, ULONG_MAX, &v), -ERANGE,
		   "uint: ULONG_MAX + 1 overflows: -ERANGE");
	v = 42;
	const char *junk[] = { "", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.0", "123456789012345678901" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(junk); i++)
		tap_is_int(tw_parse_uint(junk[i], 0, ULONG_MAX, &v), -EINVAL, junk[i][0] ? junk[i] : "(empty)");
	tap_is_int(tw_parse_uint(NULL, 0, 1, &v), -EINVAL, "uint: NULL");
	tap_is_int(v, 42, "  refusals leave the output alone");
}

static void test_cidr(void)
{
	struct tw_cidr c, d;
	char text[TW_CIDR_STRLEN];
	tap_is_int(tw_cidr_parse("10.0.1.1/24", false, &c), 0, "cidr: 10.0.1.1/24");
	tap_ok(c.family == AF_INET && c.prefix == 24 && c.addr[0] == 10 && c.addr[3] == 1, "  IPv4, /24");
	tw_cidr_format(&c, text, sizeof(text));
	tap_is_str(text, "10.0.1.1/24", "  formats back");
	tap_is_int(tw_cidr_parse("fd00::1/64", false, &c), 0, "cidr: fd00::1/64");
	tap_ok(c.family == AF_INET6 && c.prefix == 64 && c.addr[0] == 0xfd && c.addr[15] == 1, "  IPv6, /64");
	tap_is_int(tw_cidr_parse("10.0.0.1/32", false, &c), 0, "cidr: /32");
	tap_is_int(tw_cidr_parse("10.0.0.1/33", false, &c), -EINVAL, "cidr: /33 over IPv4");
	tap_is_int(tw_cidr_parse("fd00::1/128", false, &c), 0, "cidr: /128");
	tap_is_int(tw_cidr_parse("fd00::1/129", false, &c), -EINVAL, "cidr: /129 over IPv6");
	tap_is_int(tw_cidr_parse("10.0.0.1", false, &c), -EINVAL, "cidr: bare, not allowed");
	tap_is_int(tw_cidr_parse("10.0.0.1", true, &c), 0, "cidr: bare, allowed");
	tap_is_int(c.prefix, 32, "  host prefix /32");
	tap_is_int(tw_cidr_parse("fd00::2", true, &c), 0, "cidr: bare IPv6, allowed");
	tap_is_int(c.prefix, 128, "  host prefix /128");
	const char *junk[] = { "", "/24", "10.0.0.1/", "10.0.0.1/-1", "10.0.0.1/2 4", "10.0.0/24",
			       "10.0.0.256/24", "host/24", "fd00::1::2/64" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(junk); i++)
		tap_is_int(tw_cidr_parse(junk[i], true, &c), -EINVAL, junk[i][0] ? junk[i] : "(empty)");
	tap_is_int(tw_cidr_parse(NULL, true, &c), -EINVAL, "cidr: NULL");
	tw_cidr_parse("10.0.1.1/24", false, &c);
	tw_cidr_parse("10.0.1.1/24", false, &d);
	tap_ok(tw_cidr_equal(&c, &d), "cidr: equal to itself");
	tw_cidr_parse("10.0.1.1/25", false, &d);
	tap_ok(!tw_cidr_equal(&c, &d), "cidr: another prefix differs");
}

static void test_mac(void)
{
	uint8_t m[TW_MAC_LEN], h[TW_MAC_LEN];
	char text[TW_MAC_STRLEN];
	tap_is_int(tw_mac_parse("52:54:00:38:06:f9", m), 0, "mac: colons");
	tw_mac_format(m, text);
	tap_is_str(text, "52:54:00:38:06:f9", "  formats back");
	tap_is_int(tw_mac_parse("52-54-00-38-06-F9", m), 0, "mac: dashes, upper case");
	tw_mac_format(m, text);
	tap_is_str(text, "52:54:00:38:06:f9", "  formats in lower case with colons");
	tap_ok(tw_mac_is_unicast(m), "  unicast");
	tw_mac_host_side(m, h);
	tw_mac_format(h, text);
	tap_is_str(text, "fe:54:00:38:06:f9", "mac: the host side gets byte 0 0xFE");
	tap_is_int(tw_mac_parse("01:00:5e:00:00:01", m), 0, "mac: multicast parses");
	tap_ok(!tw_mac_is_unicast(m), "  is not unicast");
	tap_is_int(tw_mac_parse("00:00:00:00:00:00", m), 0, "mac: zero parses");
	tap_ok(tw_mac_is_zero(m), "  is zero");
	const char *junk[] = { "", "52:54:00:38:06", "52:54:00:38:06:f9:", "52:54-00:38:06:f9",
			       "52:54:00:38:06:fg", "525400380 6f9", "52.54.00.38.06.f9", "5:254:00:38:06:f9" };
	for (size_t i = 0; i < TW_ARRAY_SIZE(junk); i++)
		tap_is_int(tw_mac_parse(junk[i], m), -EINVAL, junk[i][0] ? junk[i] : "(empty)");
	tap_is_int(tw_mac_parse(NULL, m), -EINVAL, "mac: NULL");
}

static void check_name(bool (*valid)(const char *, char *, size_t), const char *what,
		       const char *name, bool want, const char *why_has)
{
	char why[128] = "";
	bool got = valid(name, why, sizeof(why));
	tap_ok(got == want, "%s '%s': %s", what, name, want ? "valid" : "refused");
	if (!want)
		tap_like(why, why_has, "  says why");
}

static void test_names(void)
{
	check_name(tw_ifname_valid, "ifname", "eth0", true, NULL);
	check_name(tw_ifname_valid, "ifname", "a_b-c.d", true, NULL);
	check_name(tw_ifname_valid, "ifname", "abcdefghijklmno", true, NULL); /* 15 */
	check_name(tw_ifname_valid, "ifname", "abcdefghijklmnop", false, "at most 15");
	check_name(tw_ifname_valid, "ifname", "", false, "empty");
	check_name(tw_ifname_valid, "ifname", "-x", false, "'-'");
	check_name(tw_ifname_valid, "ifname", ".", false, "'.'");
	check_name(tw_ifname_valid, "ifname", "..", false, "'..'");
	check_name(tw_ifname_valid, "ifname", "a/b", false, "'/'");
	check_name(tw_ifname_valid, "ifname", "a:b", false, "':'");
	check_name(tw_ifname_valid, "ifname", "tap%d", false, "'%'");
	check_name(tw_ifname_valid, "ifname", "a b", false, "0x20");
	check_name(tw_ifname_valid, "ifname", "a\nb", false, "0x0a");
	tap_ok(!tw_ifname_valid(NULL, NULL, 0), "ifname NULL, no room for why: refused");

	check_name(tw_nsname_valid, "nsname", "net0", true, NULL);
	char ns[TW_NSNAME_MAX + 1];
	memset(ns, 'n', sizeof(ns));
	ns[TW_NSNAME_MAX - 1] = 0;
	check_name(tw_nsname_valid, "nsname", ns, true, NULL); /* 63 */
	ns[TW_NSNAME_MAX - 1] = 'n';
	ns[TW_NSNAME_MAX] = 0;
	check_name(tw_nsname_valid, "nsname", ns, false, "too long");
	check_name(tw_nsname_valid, "nsname", ".hidden", false, "'.'");
	check_name(tw_nsname_valid, "nsname", "", false, "empty");
	check_name(tw_nsname_valid, "nsname", "a/b", false, "'/'");

	check_name(tw_owner_valid, "owner", "lab", true, NULL);
	check_name(tw_owner_valid, "owner", "iface:52:54:00:38:06:f9", true, NULL);
	check_name(tw_owner_valid, "owner", "my vm", true, NULL);
	check_name(tw_owner_valid, "owner", "", false, "empty");
	check_name(tw_owner_valid, "owner", " vm", false, "space");
	check_name(tw_owner_valid, "owner", "vm ", false, "space");
	check_name(tw_owner_valid, "owner", "a/b", false, "'/'");
	check_name(tw_owner_valid, "owner", "a\tb", false, "control");
	check_name(tw_owner_valid, "owner", "a\x7f", false, "control");
	char owner[TW_OWNER_MAX + 1];
	memset(owner, 'o', sizeof(owner));
	owner[TW_OWNER_MAX - 1] = 0;
	check_name(tw_owner_valid, "owner", owner, true, NULL); /* 255 bytes */
	owner[TW_OWNER_MAX - 1] = 'o';
	owner[TW_OWNER_MAX] = 0;
	check_name(tw_owner_valid, "owner", owner, false, "too long");
}

static void test_one_line(void)
{
	char s[] = "a\nb\tc\x1b[31m\x7f d \xc3\xa9";
	tap_is_str(tw_one_line(s, sizeof(s), '?'), "a?b?c?[31m? d \xc3\xa9",
		   "tw_one_line: newline, tab, ESC and DEL become '?', UTF-8 stays");
	char t[] = "x\ny\nz";
	tw_one_line(t, 2, ' ');
	tap_is_str(t, "x y\nz", "tw_one_line: only the first n bytes");
}

static void test_grow(void)
{
	size_t cap = 0;
	int *v = tw_grow(NULL, &cap, 1, sizeof(*v));
	tap_ok(v != NULL, "grow: from nothing");
	tap_is_int(cap, 16, "  to 16");
	int *same = tw_grow(v, &cap, 16, sizeof(*v));
	tap_ok(same == v && cap == 16, "grow: room enough: the same array");
	for (int i = 0; i < 16; i++)
		v[i] = i;
	v = tw_grow(v, &cap, 17, sizeof(*v));
	tap_is_int(cap, 32, "grow: one more: twice the capacity");
	bool kept = true;
	for (int i = 0; i < 16; i++)
		kept = kept && v[i] == i;
	tap_ok(kept, "  the elements kept");
	v = tw_grow(v, &cap, 1000, sizeof(*v));
	tap_is_int(cap, 1000, "grow: far more than twice: exactly what is needed");
	free(v);
}

static void test_index(void)
{
	const char *names[200];
	char buf[200][8];
	struct tw_index x = { 0 };
	size_t cursor = 0, pos;
	tap_ok(!tw_index_next(&x, tw_hash_str(TW_HASH_SEED, "a"), &cursor, &pos), "index: empty finds nothing");
	int bad = 0;
	for (size_t i = 0; i < 200; i++) {
		snprintf(buf[i], sizeof(buf[i]), "ns%zu", i);
		names[i] = buf[i];
		bad += tw_index_add(&x, tw_hash_str(TW_HASH_SEED, names[i]), i) < 0;
	}
	tap_is_int(bad, 0, "index: 200 added (it grows past 64 slots)");
	size_t found = 0;
	for (size_t i = 0; i < 200; i++) {
		size_t h = tw_hash_str(TW_HASH_SEED, names[i]);
		cursor = 0;
		while (tw_index_next(&x, h, &cursor, &pos))
			if (!strcmp(names[pos], names[i]) && pos == i) {
				found++;
				break;
			}
	}
	tap_is_int(found, 200, "index: each found at its position");
	cursor = 0;
	size_t h = tw_hash_str(TW_HASH_SEED, "ns200");
	bool any = false;
	while (tw_index_next(&x, h, &cursor, &pos))
		any = any || !strcmp(names[pos], "ns200");
	tap_ok(!any, "index: a key never added is not found");
	tap_ok(tw_hash_str(tw_hash_str(TW_HASH_SEED, "ab"), "c") !=
		       tw_hash_str(tw_hash_str(TW_HASH_SEED, "a"), "bc"),
	       "hash: parts are kept apart");
	tw_index_free(&x);
	tap_ok(x.nslots == 0 && x.slots == NULL, "index: freed");
}

int main(void)
{
	test_parse_uint();
	test_cidr();
	test_mac();
	test_names();
	test_one_line();
	test_grow();
	test_index();
	return tap_done();
}
