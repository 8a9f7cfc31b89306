/* How the command says it failed: one line on stderr, then an exit code
 * (core/err.h: TW_EXIT_REFUSED, TW_EXIT_INPUT). Shared by cli/tapwire.c and
 * cli/libvirt.c, so neither calls back into the other. */
#ifndef TW_CLI_FAIL_H
#define TW_CLI_FAIL_H

#include "core/err.h"

/* "tapwire: ..." on stderr, one line; returns code. */
__attribute__((format(printf, 2, 3))) int tw_cli_fail(int code, const char *fmt, ...);

#endif
