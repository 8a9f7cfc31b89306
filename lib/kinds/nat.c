/* NAT for a bridge: its IPv4 subnets masqueraded out of an uplink, in
 * tapwire's own nftables table of the bridge's namespace (`table ip
 * tapwire`), which every NAT bridge there shares. The key is (ns, bridge,
 * "UPLINK SUBNET[,SUBNET...]"); each record has two base chains of its own,
 * named after the bridge and a hash of that argument, so a record that
 * replaces another (a new uplink, a new address) never touches the old
 * one's rules, and the last one out takes the table with it. Each change is
 * one nft transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "kinds/nft.h"

#define NAT_CMDS_MAX 2048

/* "br0-1a2b3c4d": the record's chains are post-<this> and fwd-<this>. */
static void chain_tag(const struct tw_key *k, char *buf, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)k->arg; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(buf, len, "%s-%08x", k->name, h);
}

/* The uplink and the subnets ("10.0.5.0/24,10.0.6.0/24") of a key's arg. */
static int split_arg(const struct tw_key *k, char uplink[IFNAMSIZ], const char **subnets)
{
	const char *sp = strchr(k->arg, ' ');
	if (!sp || (size_t)(sp - k->arg) >= IFNAMSIZ || !sp[1])
		return -EINVAL;
	memcpy(uplink, k->arg, (size_t)(sp - k->arg));
	uplink[sp - k->arg] = 0;
	*subnets = sp + 1;
	return 0;
}

static int nat_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	char uplink[IFNAMSIZ], tag[48], cmds[NAT_CMDS_MAX];
	const char *subnets;
	if (split_arg(&s->key, uplink, &subnets) < 0) {
		snprintf(why, len, "bad NAT record '%s'", s->key.arg);
		return -EINVAL;
	}
	chain_tag(&s->key, tag, sizeof(tag));
	const char *br = s->key.name, *t = TW_NFT_FAMILY " " TW_NFT_TABLE;
	/* add is idempotent, flush makes the chains exactly these rules. The
	 * forward chain accepts the bridge's traffic out and the replies back;
	 * it cannot overrule another table's drop (see tw_forward_drops). */
	int n = snprintf(cmds, sizeof(cmds),
		"add table %s\n"
		"add chain %s post-%s { type nat hook postrouting priority 100; policy accept; }\n"
		"flush chain %s post-%s\n"
		"add rule %s post-%s ip saddr { %s } ip daddr != { %s } oifname \"%s\" masquerade\n"
		"add chain %s fwd-%s { type filter hook forward priority 0; policy accept; }\n"
		"flush chain %s fwd-%s\n"
		"add rule %s fwd-%s iifname \"%s\" ip saddr { %s } accept\n"
		"add rule %s fwd-%s oifname \"%s\" ip daddr { %s } ct state established,related accept\n",
		t, t, tag, t, tag, t, tag, subnets, subnets, uplink, t, tag, t, tag, t, tag, br, subnets,
		t, tag, br, subnets);
	if (n < 0 || (size_t)n >= sizeof(cmds))
		return -E2BIG;
	return tw_nft_run(c, s->key.ns, cmds, NULL, why, len);
}

/* Whether the table holds chains other than this record's two. */
static bool others_in(const char *listing, const char *tag)
{
	for (const char *p = strstr(listing, "chain "); p; p = strstr(p + 1, "chain ")) {
		const char *name = p + 6;
		size_t n = strcspn(name, " {\n");
		bool ours = (n == strlen(tag) + 5 && !strncmp(name, "post-", 5) && !strncmp(name + 5, tag, n - 5)) ||
			    (n == strlen(tag) + 4 && !strncmp(name, "fwd-", 4) && !strncmp(name + 4, tag, n - 4));
		if (!ours)
			return true;
	}
	return false;
}

static int nat_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	char tag[48], cmds[512], name[80], *listing = NULL;
	const char *t = TW_NFT_FAMILY " " TW_NFT_TABLE;
	chain_tag(&rec->key, tag, sizeof(tag));
	snprintf(cmds, sizeof(cmds), "list table %s\n", t);
	int r = tw_nft_run(c, rec->key.ns, cmds, &listing, why, len);
	if (r == -ENOENT)
		return 0; /* no table (or no namespace): nothing of ours is left */
	if (r < 0)
		return r;
	size_t k = 0;
	cmds[0] = 0;
	if (!others_in(listing, tag)) {
		snprintf(cmds, sizeof(cmds), "delete table %s\n", t);
	} else {
		static const char *const prefix[] = { "post", "fwd" };
		for (size_t i = 0; i < 2; i++) {
			snprintf(name, sizeof(name), "chain %s-%s {", prefix[i], tag);
			if (strstr(listing, name) && k < sizeof(cmds))
				k += (size_t)snprintf(cmds + k, sizeof(cmds) - k,
						      "flush chain %s %s-%s\ndelete chain %s %s-%s\n", t,
						      prefix[i], tag, t, prefix[i], tag);
		}
	}
	free(listing);
	return cmds[0] ? tw_nft_run(c, rec->key.ns, cmds, NULL, why, len) : 0;
}

static bool nat_live(struct tw_ctx *c, const struct tw_rec *r)
{
	char tag[48], cmds[256], why[200];
	chain_tag(&r->key, tag, sizeof(tag));
	snprintf(cmds, sizeof(cmds), "list chain %s %s post-%s\n", TW_NFT_FAMILY, TW_NFT_TABLE, tag);
	return tw_nft_run(c, r->key.ns, cmds, NULL, why, sizeof(why)) == 0;
}

static int nat_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		     size_t len)
{
	struct tw_rec r = { .key = s->key };
	if (tw_ctx_is_fresh(c, s->key.ns))
		return TW_ABSENT;
	return nat_live(c, &r) ? TW_PRESENT : TW_ABSENT;
}

static void nat_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96], uplink[IFNAMSIZ] = "?";
	const char *subnets = "?";
	split_arg(&s->key, uplink, &subnets);
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	snprintf(buf, len, "nat %s: masquerade %s out of %s (table %s %s)", label, subnets, uplink,
		 TW_NFT_FAMILY, TW_NFT_TABLE);
}

const struct tw_kind_ops tw_nat_ops = {
	.kind = TW_K_NAT,
	.probe = nat_probe,
	.create = nat_create,
	.remove = nat_remove,
	.describe = nat_describe,
	.live = nat_live,
};
