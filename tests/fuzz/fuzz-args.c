/* libFuzzer target: the helper's argv parser. The input is split into
 * arguments at NUL bytes, after a fixed argv[0]. It traps when the parser
 * accepts what the helper must never act on (a bad bridge name, a standard
 * stream as --fd) or writes an error that is not one short printable line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "core/util.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(int r, const struct tw_helper_args *a, const char *err)
{
	if (r < 0) {
		size_t n = strlen(err);
		if (n == 0 || n > 300)
			__builtin_trap();
		for (size_t i = 0; i < n; i++)
			if (err[i] < 0x20 || err[i] >= 0x7f)
				__builtin_trap();
		return;
	}
	if (a->help || a->version)
		return;
	if (a->fd < 3 || !tw_ifname_valid(a->br, NULL, 0))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[MAX_ARGS + 1] = { (char *)"tapwire-bridge-helper" };
	int argc = 1;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (char *s = buf; s <= buf + size && argc < MAX_ARGS; s += strlen(s) + 1)
		argv[argc++] = s;

	struct tw_helper_args a;
	char err[512] = "";
	int r = tw_helper_args_parse(argc, argv, &a, err, sizeof(err));
	check_result(r, &a, err);
	free(buf);
	return 0;
}
