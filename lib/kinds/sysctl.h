/* The namespace settings the sysctl kind changes ("ip_forward"). */
#ifndef TW_KINDS_SYSCTL_H
#define TW_KINDS_SYSCTL_H

#include <stddef.h>

#include "kinds/ctx.h"

#define TW_SYSCTL_FORWARD "ip_forward"

/* The value of setting name in namespace ns ("0"), or -errno. */
int tw_sysctl_get(struct tw_ctx *c, const char *ns, const char *name, char *buf, size_t len);

#endif
