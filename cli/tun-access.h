/* A warning, never a failure: the user a tap or tun is made for cannot open
 * /dev/net/tun, which QEMU (or a program) running as that user must do to use it. */
#ifndef TW_CLI_TUN_ACCESS_H
#define TW_CLI_TUN_ACCESS_H

#include <stdio.h>

#include "core/model.h"

/* One line on err for each user that owns a tap or tun of net (owner=, attach --owner)
 * and may not read and write tun (normally "/dev/net/tun"). */
void tw_cli_warn_tun(const struct tw_net *net, const char *tun, FILE *err);

#endif
