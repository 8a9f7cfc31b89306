/* Open vSwitch bridges take ports through OVS, not the kernel: before
 * planning, each device whose bridge= is an OVS bridge declared in the net
 * is made without a master and joins through an OVS port instead, and each
 * <tw:port> on one becomes an OVS port of a device that was there. */
#ifndef TW_OVS_PORTS_H
#define TW_OVS_PORTS_H

#include "core/model.h"

/* Rewrites n in place. 0 or -ENOMEM. */
int tw_ovs_ports_split(struct tw_net *n);

#endif
