/* Another firewall in a bridge's way: a forward chain (nftables, including
 * iptables-nft's tables) that drops what a bridge forwards, such as
 * Docker's FORWARD chain with policy drop while br_netfilter hands bridged
 * frames to iptables. `up` warns about each (plan-svc.c), `tapwire doctor`
 * lists them. */
#ifndef TW_ENGINE_FORWARD_DROP_H
#define TW_ENGINE_FORWARD_DROP_H

#include <stdbool.h>
#include <stddef.h>

struct tw_fwdrop {
	char what[200]; /* "table ip filter chain FORWARD (hook forward): policy drop" */
	char fix[200];  /* a command to let the bridge through; BRIDGE stands for its name */
};

/* In the namespace the caller is in: forward chains (nftables, including
 * iptables-nft's tables) whose policy or rules drop bridged or routed IPv4
 * traffic and that would hit a bridge's traffic (br_netfilter with
 * bridge-nf-call-iptables=1 for bridged traffic, e.g. Docker's FORWARD
 * policy drop). Fills up to max entries, returns how many were found
 * (>= 0), or -errno when the ruleset cannot be read. */
int tw_forward_drops(struct tw_fwdrop *out, size_t max);

/* The same, from ruleset as `nft list ruleset` prints it (tests, doctor). */
int tw_forward_drops_in(const char *ruleset, struct tw_fwdrop *out, size_t max);

/* Whether br_netfilter hands bridged IPv4 frames to the ip forward hook
 * here (net.bridge.bridge-nf-call-iptables = 1). */
bool tw_forward_bridged(void);

#endif
