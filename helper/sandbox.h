/* The helper's last narrowing: a seccomp filter allowing only the system
 * calls the act stage makes (netlink, two tun ioctls, random bytes, handing
 * the fd over, syslog, exit). Anything else kills the process. */
#ifndef TW_HELPER_SANDBOX_H
#define TW_HELPER_SANDBOX_H

#include <stddef.h>

/* Prepares what the act stage would otherwise open lazily (the time zone
 * syslog needs), then loads the filter (built at build time by
 * helper/seccomp-gen.c). 0, or -errno with err set. */
int tw_sandbox_enter(char *err, size_t errlen);

#endif
