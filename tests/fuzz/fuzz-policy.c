/* libFuzzer target: the policy parser and the decision on hostile text.
 * Includes in the input are read from disk (relative to the current
 * directory) with the usual checks; run it in an empty directory.
 * Beyond memory errors, it traps when an error message is not one short
 * printable line, since those reach QEMU's stderr and syslog. */
#include <stdint.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *msg)
{
	size_t n = strlen(msg);
	if (n == 0 || n > 400)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (msg[i] < 0x20 || msg[i] >= 0x7f)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bridges[] = { "br0", "vmbr1", "all", "a", "abcdefghijklmno",
					       "br-ext", ".x", "x/y", "" };
	static const gid_t groups[] = { 24, 65534 };
	static const struct tw_caller callers[] = {
		{ .uid = 0, .gid = 0 },
		{ .uid = 1000, .gid = 1000, .groups = groups, .n_groups = 2 },
		{ .uid = 65534, .gid = 65534 },
	};
	struct tw_policy *p;
	char err[512] = "", why[256];

	if (tw_policy_parse("fuzz.conf", (const char *)data, size, &p, err, sizeof(err)) < 0) {
		if (p)
			__builtin_trap();
		check_message(err);
		return 0;
	}
	for (size_t b = 0; b < sizeof(bridges) / sizeof(bridges[0]); b++) {
		for (size_t c = 0; c < sizeof(callers) / sizeof(callers[0]); c++) {
			why[0] = 0;
			bool ok = tw_policy_allows(p, bridges[b], &callers[c], why, sizeof(why));
			check_message(why);
			/* An invalid name is never allowed, whatever the policy. */
			if (ok && (!bridges[b][0] || strchr(bridges[b], '/')))
				__builtin_trap();
		}
	}
	tw_policy_free(p);
	return 0;
}
