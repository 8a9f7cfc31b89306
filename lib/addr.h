#ifndef TW_ADDR_H
#define TW_ADDR_H

#include <stddef.h>

#include "nl.h"
#include "util.h"

/* The addresses on one device (a dump the kernel filters by ifindex).
 * *out is malloc'd. */
int tw_addr_list(struct tw_nl *nl, int ifindex, struct tw_cidr **out, size_t *n);

#endif
