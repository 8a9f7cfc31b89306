/* Head-end replication for VXLAN: one all-zero forwarding entry per remote
 * (`bridge fdb append 00:00:00:00:00:00 dev vx0 dst REMOTE`), so broadcast
 * and unknown unicast go to every remote. The key is (ns, vxlan dev,
 * remote address). */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/attr.h>

#include "kinds/kind.h"

/* Built by hand: libnl's rtnl_neigh refuses an IPv4 or IPv6 NDA_DST on an
 * AF_BRIDGE entry (its family check) and silently sends the entry without
 * it, which the kernel rejects with EINVAL. */
static int fdb_request(struct tw_nl *nl, bool add, int ifindex, const struct tw_cidr *dst)
{
	static const uint8_t zero[TW_MAC_LEN];
	struct ndmsg ndm = { .ndm_family = AF_BRIDGE, .ndm_ifindex = ifindex,
			     .ndm_state = NUD_NOARP | NUD_PERMANENT, .ndm_flags = NTF_SELF };
	/* APPEND: several remotes share the all-zero entry. */
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWNEIGH : RTM_DELNEIGH,
						add ? NLM_F_CREATE | NLM_F_APPEND : 0);
	int r = -ENOMEM;
	if (msg && nlmsg_append(msg, &ndm, sizeof(ndm), NLMSG_ALIGNTO) == 0 &&
	    nla_put(msg, NDA_LLADDR, TW_MAC_LEN, zero) == 0 &&
	    nla_put(msg, NDA_DST, dst->family == AF_INET ? 4 : 16, dst->addr) == 0)
		r = tw_nl_talk(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	return r;
}

static int fdb_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		     size_t len)
{
	return TW_ABSENT; /* appending an entry that is there changes nothing */
}

static int fdb_do(struct tw_ctx *c, const struct tw_key *k, bool add, char *why, size_t len)
{
	struct tw_cidr dst;
	struct tw_nl *nl;
	struct tw_link l;
	int r = tw_ip_parse(k->arg, &dst);
	if (r == 0)
		r = tw_ctx_nl(c, k->ns, &nl);
	if (r == 0)
		r = tw_link_get(nl, k->name, 0, &l);
	if (r < 0) {
		snprintf(why, len, "%s", strerror(-r));
		return add ? r : 0;
	}
	r = fdb_request(nl, add, l.ifindex, &dst);
	if (!add && r == -ENOENT)
		r = 0;
	if (r < 0)
		tw_nl_strerror(nl, r, why, len);
	return r;
}

static int fdb_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	return fdb_do(c, &s->key, true, why, len);
}

static int fdb_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	return fdb_do(c, &rec->key, false, why, len);
}

static void fdb_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96];
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	snprintf(buf, len, "fdb 00:00:00:00:00:00 dev %s dst %s", label, s->key.arg);
}

const struct tw_kind_ops tw_fdb_ops = {
	.kind = TW_K_FDB,
	.probe = fdb_probe,
	.create = fdb_create,
	.remove = fdb_remove,
	.describe = fdb_describe,
};
