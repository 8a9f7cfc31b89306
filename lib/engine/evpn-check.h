/* Whether an FRR with BGP EVPN serves a control="evpn" vxlan (contract
 * section 9; one of `tapwire doctor`'s checks). FRR is asked, through
 * vtysh, what zebra and bgpd know: the FRR of namespace NS is the one run
 * with pathspace NS (`zebra -N NS`, as FRR's own netns support runs it),
 * the one of the namespace tapwire runs in has none. */
#ifndef TW_EVPN_CHECK_H
#define TW_EVPN_CHECK_H

#include <stddef.h>

/* The most one check waits for each vtysh question. */
#define TW_EVPN_VTYSH_TIMEOUT_S 5

/* 1 when zebra knows vxlan (in namespace ns, "" for tapwire's own) as a
 * VNI and bgpd advertises all VNIs and that one; 0 when not, with why
 * saying what is missing (FRR not installed, no zebra, no bgpd, no
 * advertise-all-vni, a VNI zebra does not know); -errno when vtysh could
 * not be run, with why set. Takes at most twice
 * TW_EVPN_VTYSH_TIMEOUT_S (+1 s each to kill a stuck vtysh). The
 * environment's TAPWIRE_VTYSH names another vtysh (tests). */
int tw_evpn_served(const char *ns, const char *vxlan, char *why, size_t len);

#endif
