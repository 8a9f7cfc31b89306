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

/* The vxlans tapwire has on record in this namespace's state (rundir: as
 * tw_default_rundir) that the kernel shows as control="evpn" makes them
 * (no learning; a bridge port without learning, with neigh_suppress):
 * fn(arg, pathspace, ns, vxlan) for each, pathspace the FRR to ask (ns,
 * or here for the namespace tapwire runs in: its --netns name, "" for the
 * host's own). The state is only peeked at (shared lock, nothing created).
 * Their number, or -errno with err set. */
typedef void tw_evpn_fn(void *arg, const char *pathspace, const char *ns, const char *vxlan);
int tw_evpn_each(const char *rundir, const char *here, tw_evpn_fn *fn, void *arg, char *err,
		 size_t errlen);

#endif
