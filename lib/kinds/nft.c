#include "kinds/nft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "net/nl.h"

struct nft_call {
	const char *cmds;
	char **out;
	char *why;
	size_t len;
};

/* nft's error text is several lines (the command, a caret line): the
 * first says what. */
static void first_line(const char *s, char *why, size_t len)
{
	if (!s)
		s = "";
	const char *p = strstr(s, "Error: ");
	p = p ? p + 7 : s;
	size_t n = strcspn(p, "\n");
	snprintf(why, len, "nftables: %.*s", (int)n, p);
}

/* The context is made inside the namespace: its netlink socket belongs to
 * the namespace it is opened in. */
static int nft_call(void *arg)
{
	struct nft_call *a = arg;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		snprintf(a->why, a->len, "nftables: cannot make a context");
		return -ENOMEM;
	}
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_STATELESS | NFT_CTX_OUTPUT_NUMERIC_PRIO);
	int r = 0;
	if (nft_ctx_buffer_output(nft) < 0 || nft_ctx_buffer_error(nft) < 0)
		r = -ENOMEM;
	else if (nft_run_cmd_from_buffer(nft, a->cmds) != 0) {
		const char *err = nft_ctx_get_error_buffer(nft);
		first_line(err, a->why, a->len);
		r = err && (strstr(err, "No such file") || strstr(err, "does not exist")) ? -ENOENT
		    : err && strstr(err, "Operation not permitted") ? -EPERM : -EINVAL;
	} else if (a->out) {
		const char *o = nft_ctx_get_output_buffer(nft);
		*a->out = strdup(o ? o : "");
		if (!*a->out)
			r = -ENOMEM;
	}
	nft_ctx_free(nft);
	return r;
}

int tw_nft_run_here(const char *cmds, char **out, char *why, size_t len)
{
	struct nft_call a = { cmds, out, why, len };
	if (out)
		*out = NULL;
	return nft_call(&a);
}

int tw_nft_run(struct tw_ctx *c, const char *ns, const char *cmds, char **out, char *why,
	       size_t len)
{
	struct tw_nsctx *e;
	struct nft_call a = { cmds, out, why, len };
	if (out)
		*out = NULL;
	int r = tw_ctx_get(c, ns, &e);
	if (r < 0) {
		snprintf(why, len, "namespace %s: %s", ns, strerror(-r));
		return r;
	}
	return tw_in_netns(e->fd, nft_call, &a);
}
