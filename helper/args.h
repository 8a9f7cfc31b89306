/* tapwire-bridge-helper's command line, as QEMU writes it:
 *   [--use-vnet] --br=BRIDGE --fd=FD   (any order), or --help / --version.
 * Pure parsing: no I/O, so it can be fuzzed and unit tested. */
#ifndef TW_HELPER_ARGS_H
#define TW_HELPER_ARGS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

struct tw_helper_args {
	bool help;
	bool version;
	bool use_vnet;
	int fd;              /* -1 until given */
	char br[IFNAMSIZ];   /* "" until given */
};

/* Returns 0 or -EINVAL with a one-line reason in err. The bridge name is
 * checked here (length, characters) before anything reads the policy. */
int tw_helper_args_parse(int argc, char *const argv[], struct tw_helper_args *out, char *err,
			 size_t errlen);

#endif
