/* A warning, never a failure: the user a tap is made for cannot open
 * /dev/net/tun, which QEMU running as that user must do to use the tap. */
#ifndef TW_CLI_TUN_ACCESS_H
#define TW_CLI_TUN_ACCESS_H

#include <stdio.h>

#include "core/model.h"

/* One line on err for each tap of net whose owner (owner=, attach --owner)
 * may not read and write tun (normally "/dev/net/tun"). */
void tw_cli_warn_tun(const struct tw_net *net, const char *tun, FILE *err);

#endif
