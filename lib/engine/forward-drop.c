/* Forward chains that drop a bridge's traffic, read from the ruleset as nft
 * prints it (iptables-nft's tables are nftables tables too; iptables-legacy
 * rules are not visible here). A base chain on the forward hook of an ip,
 * inet or bridge table counts when its policy is drop, or when it has a
 * rule that drops or rejects everything (nothing but a counter or a log
 * before the verdict). Conditional drops (ct state invalid, one interface)
 * are other tools' business. */
#include "engine/forward-drop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "kinds/nft.h"

struct chain {
	char family[16], table[64], name[64];
	bool forward;   /* a base chain on the forward hook */
	bool policy;    /* policy drop */
	bool rule;      /* an unconditional drop or reject rule */
};

/* "counter drop", "log prefix \"x\" reject with icmp ...", "drop". */
static bool drops_all(const char *rule)
{
	const char *p = rule;
	for (;;) {
		p += strspn(p, " \t");
		if (!strncmp(p, "counter", 7) && (p[7] == ' ' || !p[7]))
			p += 7;
		else if (!strncmp(p, "log", 3) && (p[3] == ' ' || !p[3]))
			p += 3 + (p[3] ? 1 : 0) + (strncmp(p + 4, "prefix ", 7) ? 0 : 7 + strcspn(p + 11, " "));
		else
			break;
	}
	return !strncmp(p, "drop", 4) || !strncmp(p, "reject", 6);
}

static void add(const struct chain *c, struct tw_fwdrop *out, size_t max, int *n)
{
	if ((size_t)*n < max) {
		struct tw_fwdrop *d = &out[*n];
		snprintf(d->what, sizeof(d->what), "table %.6s %.40s chain %.40s (hook forward): %s", c->family,
			 c->table, c->name, c->policy ? "policy drop" : "a rule drops everything");
		snprintf(d->fix, sizeof(d->fix), "nft insert rule %.6s %.24s %.24s iifname BRIDGE accept; "
			 "nft insert rule %.6s %.24s %.24s oifname BRIDGE accept", c->family, c->table,
			 c->name, c->family, c->table, c->name);
	}
	(*n)++;
}

static bool counts(const char *family, const char *table)
{
	if (!strcmp(table, TW_NFT_TABLE) && !strcmp(family, TW_NFT_FAMILY))
		return false; /* ours: it only accepts */
	return !strcmp(family, "ip") || !strcmp(family, "inet") || !strcmp(family, "bridge");
}

static int scan(char *text, struct tw_fwdrop *out, size_t max)
{
	struct chain c;
	char family[16] = "", table[64] = "";
	bool in_chain = false;
	int n = 0;
	memset(&c, 0, sizeof(c));
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		char a[64], b[64];
		if (sscanf(line, "table %15s %63s {", a, b) == 2) {
			tw_strscpy(family, a, sizeof(family));
			tw_strscpy(table, b, sizeof(table));
		} else if (sscanf(line, "chain %63s {", a) == 1) {
			if (in_chain && c.forward && (c.policy || c.rule) && counts(c.family, c.table))
				add(&c, out, max, &n);
			memset(&c, 0, sizeof(c));
			in_chain = true;
			tw_strscpy(c.family, family, sizeof(c.family));
			tw_strscpy(c.table, table, sizeof(c.table));
			tw_strscpy(c.name, a, sizeof(c.name));
		} else if (in_chain && !strncmp(line, "type ", 5)) {
			c.forward = strstr(line, " hook forward ") != NULL;
			c.policy = strstr(line, "policy drop;") != NULL;
		} else if (in_chain && *line && *line != '}') {
			c.rule |= drops_all(line);
		}
	}
	if (in_chain && c.forward && (c.policy || c.rule) && counts(c.family, c.table))
		add(&c, out, max, &n);
	return n;
}

/* Docker's FORWARD is listed before DOCKER-USER: a table's chains are
 * known only once it is read whole, so mark the tables that have one. */
static void mark_docker(const char *text, struct tw_fwdrop *out, int n, size_t max)
{
	for (int i = 0; i < n && (size_t)i < max; i++) {
		char family[16], table[64], head[96];
		if (sscanf(out[i].what, "table %15s %63s", family, table) != 2)
			continue;
		snprintf(head, sizeof(head), "table %s %s {", family, table);
		const char *t = strstr(text, head);
		const char *end = t ? strstr(t + 1, "\ntable ") : NULL;
		const char *u = t ? strstr(t, "chain DOCKER-USER {") : NULL;
		if (u && (!end || u < end) && !strcmp(family, "ip"))
			snprintf(out[i].fix, sizeof(out[i].fix), "iptables -I DOCKER-USER -i BRIDGE -j "
				 "ACCEPT; iptables -I DOCKER-USER -o BRIDGE -j ACCEPT");
	}
}

int tw_forward_drops_in(const char *ruleset, struct tw_fwdrop *out, size_t max)
{
	char *copy = strdup(ruleset);
	if (!copy)
		return -ENOMEM;
	int n = scan(copy, out, max);
	mark_docker(ruleset, out, n, max);
	free(copy);
	return n;
}

int tw_forward_drops(struct tw_fwdrop *out, size_t max)
{
	char why[256], *text = NULL;
	int r = tw_nft_run_here("list ruleset\n", &text, why, sizeof(why));
	if (r < 0)
		return r;
	r = tw_forward_drops_in(text, out, max);
	free(text);
	return r;
}

bool tw_forward_bridged(void)
{
	char v[16];
	return tw_read_small("/proc/sys/net/bridge/bridge-nf-call-iptables", v, sizeof(v)) > 0 &&
	       !strcmp(v, "1");
}
