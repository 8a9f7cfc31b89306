/* nftables through libnftables, in a namespace of the run: one call, one
 * netlink batch, so a table and its chains come and go atomically. Linked
 * into the engine, the CLI and the hook only (never the setuid helper). */
#ifndef TW_KINDS_NFT_H
#define TW_KINDS_NFT_H

#include <stddef.h>

#include "kinds/ctx.h"

/* tapwire's own table, one per namespace, shared by every NAT bridge in it. */
#define TW_NFT_FAMILY "ip"
#define TW_NFT_TABLE "tapwire"

/* Run cmds (nft syntax, several lines: one transaction) in namespace ns.
 * With out, what nft prints is returned there (free() it). 0, or -errno
 * with nft's first error line in why (-ENOENT: no such table or chain). */
int tw_nft_run(struct tw_ctx *c, const char *ns, const char *cmds, char **out, char *why,
	       size_t len);
/* The same, in the namespace the caller is in (the forward-drop check). */
int tw_nft_run_here(const char *cmds, char **out, char *why, size_t len);

#endif
