#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/trusted.h"
#include "core/util.h"

/* "WHAT 'ARG': DETAIL", or just "WHAT" when arg is NULL. A hostile argument
 * is never echoed at full length or with control bytes. */
static int fail(char *err, size_t errlen, const char *what, const char *arg, const char *detail)
{
	if (!arg) {
		snprintf(err, errlen, "%s", what);
		return -EINVAL;
	}
	char safe[64];
	tw_printable(safe, sizeof(safe), arg, sizeof(safe));
	snprintf(err, errlen, "%s '%s'%s%s", what, safe, detail ? ": " : "", detail ? detail : "");
	return -EINVAL;
}

static const char *value_of(const char *arg, const char *opt)
{
	size_t n = strlen(opt);
	return strncmp(arg, opt, n) == 0 ? arg + n : NULL;
}

int tw_helper_args_parse(int argc, char *const argv[], struct tw_helper_args *out, char *err,
			 size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	bool have_br = false;
	char why[96];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!a)
			return fail(err, errlen, "missing argument", NULL, NULL);
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			out->help = true;
		} else if (!strcmp(a, "--version")) {
			out->version = true;
		} else if (!strcmp(a, "--use-vnet")) {
			out->use_vnet = true;
		} else if ((v = value_of(a, "--br="))) {
			if (have_br)
				return fail(err, errlen, "--br given more than once", NULL, NULL);
			if (!tw_ifname_valid(v, why, sizeof(why)))
				return fail(err, errlen, "bad bridge name", v, why);
			tw_strscpy(out->br, v, sizeof(out->br));
			have_br = true;
		} else if ((v = value_of(a, "--fd="))) {
			unsigned long fd;
			if (out->fd >= 0)
				return fail(err, errlen, "--fd given more than once", NULL, NULL);
			if (tw_parse_uint(v, 0, 65535, &fd) < 0)
				return fail(err, errlen, "bad --fd value", v, "not a file descriptor number");
			if (fd <= 2)
				return fail(err, errlen, "bad --fd value", v, "0, 1 and 2 are the standard streams");
			out->fd = (int)fd;
		} else {
			return fail(err, errlen, "unknown argument", a, "see --help");
		}
	}
	if (out->help || out->version)
		return 0;
	if (!have_br)
		return fail(err, errlen, "missing --br=BRIDGE", NULL, NULL);
	if (out->fd < 0)
		return fail(err, errlen, "missing --fd=FD (the unix socket QEMU passes the tap through)", NULL, NULL);
	return 0;
}
