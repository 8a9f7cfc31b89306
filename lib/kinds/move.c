/* A NIC's addresses and routes moved to the bridge it joins
 * (<tw:port move-addresses="yes">), so that the host stays reachable: the
 * usual way to lose a remote host is `ip link set eth0 master br0`, which
 * leaves the address and the default route on a port that no longer
 * receives anything.
 *
 * The key is (ns, dev, bridge); data is the path of the file that holds
 * what moved (net/addr-move.h, one message per line) and the bridge's MAC
 * from before. The file is written, and synced, before the first change: a
 * run killed halfway leaves the record (pending) and the file, and the next
 * run finishes the move from the file, or `down` moves back what it lists.
 *
 * The order keeps the host reachable all along: the addresses go on the
 * bridge first (a second copy, not yet used), the bridge takes the NIC's
 * MAC (the gateway's ARP cache stays right), the NIC joins, each route is
 * replaced by its twin through the bridge in one message, and only then
 * do the NIC's addresses go. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinds/kind.h"
#include "net/addr-move.h"

#define MOVE_MAGIC "tapwire-move 1"
#define TW_MOVE_PATH_MAX 128 /* the record's data */

struct moved {
	struct tw_moveset set;
	uint8_t bridge_mac[TW_MAC_LEN]; /* the bridge's MAC before it took the NIC's */
	bool has_bridge_mac;
};

/* TAPWIRE_TEST_MOVE_KILL=N (tests only: ignored with elevated privileges):
 * SIGKILL this process right before the Nth change to the kernel a move
 * makes, so a test can stop a move at each of its steps. */
static void step(void)
{
	static long n, at = -1;
	if (at < 0) {
		const char *env = tw_getenv_unprivileged("TAPWIRE_TEST_MOVE_KILL");
		at = env ? strtol(env, NULL, 10) : 0;
	}
	if (at > 0 && ++n == at)
		raise(SIGKILL);
}

static int load(const char *path, struct moved *m)
{
	memset(m, 0, sizeof(*m));
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *line = NULL, mac[TW_MAC_STRLEN + 1];
	size_t cap = 0;
	int r = 0;
	bool first = true;
	while (r == 0 && getline(&line, &cap, f) > 0) {
		if (first)
			r = strncmp(line, MOVE_MAGIC, strlen(MOVE_MAGIC)) ? -EBADMSG : 0;
		else if (sscanf(line, "bridge-mac %17s", mac) == 1)
			m->has_bridge_mac = tw_mac_parse(mac, m->bridge_mac) == 0;
		else
			r = tw_rtmsg_parse(line, &m->set);
		first = false;
	}
	free(line);
	fclose(f);
	if (r < 0)
		tw_moveset_free(&m->set);
	return r;
}

/* Written to a new file, synced, then renamed over: whole or not at all. */
static int save(const char *path, const struct moved *m)
{
	char tmp[TW_MOVE_PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	char mac[TW_MAC_STRLEN];
	tw_mac_format(m->bridge_mac, mac);
	fprintf(f, MOVE_MAGIC "\nbridge-mac %s\n", mac);
	int r = 0;
	for (size_t i = 0; r == 0 && i < m->set.n; i++) {
		char *line;
		if ((r = tw_rtmsg_format(&m->set.v[i], &line)) == 0) {
			fputs(line, f);
			free(line);
		}
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = r ? r : -errno;
	if (fclose(f) != 0)
		r = r ? r : -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int fail(struct tw_nl *nl, int r, const char *what, const struct tw_rtmsg *m, char *why,
		size_t len)
{
	char desc[160] = "", err[200];
	if (m)
		tw_rtmsg_describe(m, desc, sizeof(desc));
	snprintf(why, len, "%s%s%s: %s", what, m ? " " : "", desc, tw_nl_strerror(nl, r, err, sizeof(err)));
	return r;
}

struct ends {
	struct tw_nl *nl;
	struct tw_link dev, br; /* br.ifindex 0: the bridge is gone */
};

static int ends_get(struct tw_ctx *c, const struct tw_key *k, struct ends *e)
{
	memset(e, 0, sizeof(*e));
	int r = tw_ctx_nl(c, k->ns, &e->nl);
	if (r == 0)
		r = tw_link_get(e->nl, k->name, 0, &e->dev);
	if (r == 0 && tw_link_get(e->nl, k->arg, 0, &e->br) < 0)
		e->br.ifindex = 0;
	return r;
}

static bool is_v6(const struct tw_rtmsg *m)
{
	return ((const struct ifaddrmsg *)m->body)->ifa_family == AF_INET6;
}

/* The NIC's addresses and routes onto the bridge (see the top). */
static int move_to_bridge(struct ends *e, const struct moved *m, char *why, size_t len)
{
	const struct tw_moveset *s = &m->set;
	int r = 0;
	struct tw_link_change ch = TW_LINK_CHANGE_INIT;
	if (memcmp(e->br.mac, e->dev.mac, TW_MAC_LEN))
		ch.mac = e->dev.mac;
	if (!(e->br.flags & IFF_UP))
		ch.up = 1; /* routes need it up; the plan's "up" setting records it */
	if (ch.mac || ch.up == 1) {
		step();
		if ((r = tw_link_change(e->nl, e->br.ifindex, &ch)) < 0)
			return fail(e->nl, r, "bridge MAC", NULL, why, len);
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].type != RTM_NEWADDR)
			continue;
		step();
		/* No duplicate address detection: the address is in use on
		 * this very link already, by the NIC that is joining it. */
		r = tw_move_addr_add(e->nl, &s->v[i], e->br.ifindex, e->dev.name, e->br.name,
				     is_v6(&s->v[i]) ? IFA_F_NODAD : 0);
		if (r < 0)
			return fail(e->nl, r, "bridge", &s->v[i], why, len);
	}
	if (e->dev.master != e->br.ifindex) {
		struct tw_link_change join = TW_LINK_CHANGE_INIT;
		join.master = e->br.ifindex;
		step();
		if ((r = tw_link_change(e->nl, e->dev.ifindex, &join)) < 0)
			return fail(e->nl, r, "joining the bridge", NULL, why, len);
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].type != RTM_NEWROUTE)
			continue;
		step();
		if ((r = tw_move_route_put(e->nl, &s->v[i], e->br.ifindex)) < 0)
			return fail(e->nl, r, "bridge", &s->v[i], why, len);
	}
	/* Last first: an IPv4 secondary before its primary. */
	for (size_t i = s->n; i-- > 0;) {
		if (s->v[i].type != RTM_NEWADDR)
			continue;
		step();
		if ((r = tw_move_addr_del(e->nl, &s->v[i], e->dev.ifindex)) < 0)
			return fail(e->nl, r, e->dev.name, &s->v[i], why, len);
	}
	return 0;
}

/* And back: the NIC has its addresses again, its routes are replaced by
 * their twins through it, and the bridge's copies go. The NIC leaves the
 * bridge right after, as its port record is released (the next kind
 * removed): when only move-addresses goes from the description, it stays a
 * port, as declared. Whatever is missing (the bridge went) is taken from
 * the file. */
static int move_back(struct ends *e, struct moved *m, char *why, size_t len)
{
	struct tw_moveset *s = &m->set;
	int r = 0, first = 0;
	char buf[256];
	if (e->br.ifindex)
		tw_move_addr_refresh(e->nl, s, e->br.ifindex);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].type != RTM_NEWADDR)
			continue;
		step();
		if ((r = tw_move_addr_add(e->nl, &s->v[i], e->dev.ifindex, e->dev.name, e->dev.name, 0)) < 0 &&
		    !first)
			first = fail(e->nl, r, e->dev.name, &s->v[i], why, len);
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].type != RTM_NEWROUTE)
			continue;
		step();
		if ((r = tw_move_route_put(e->nl, &s->v[i], e->dev.ifindex)) < 0 && !first)
			first = fail(e->nl, r, e->dev.name, &s->v[i], why, len);
	}
	for (size_t i = s->n; e->br.ifindex && i-- > 0;) {
		if (s->v[i].type != RTM_NEWADDR)
			continue;
		step();
		if ((r = tw_move_addr_del(e->nl, &s->v[i], e->br.ifindex)) < 0 && !first)
			first = fail(e->nl, r, e->br.name, &s->v[i], buf, sizeof(buf));
	}
	if (e->br.ifindex && m->has_bridge_mac && !memcmp(e->br.mac, e->dev.mac, TW_MAC_LEN) &&
	    memcmp(m->bridge_mac, e->dev.mac, TW_MAC_LEN)) {
		struct tw_link_change mac = TW_LINK_CHANGE_INIT;
		mac.mac = m->bridge_mac;
		step();
		if ((r = tw_link_change(e->nl, e->br.ifindex, &mac)) < 0 && !first)
			first = fail(e->nl, r, "bridge MAC", NULL, why, len);
	}
	return first;
}

/* Moved already: the NIC is on the bridge with nothing left to move. */
static int move_probe(struct tw_ctx *c, const struct tw_step *s, struct tw_link *live, char *why,
		      size_t len)
{
	struct ends e;
	int r = ends_get(c, &s->key, &e);
	if (r == -ENODEV || r == -ENOENT) {
		snprintf(why, len, "no such device");
		return -ENODEV;
	}
	if (r < 0) {
		snprintf(why, len, "%s", strerror(-r));
		return r;
	}
	*live = e.dev;
	if (!e.br.ifindex || e.dev.master != e.br.ifindex)
		return TW_ABSENT;
	struct tw_moveset left;
	if ((r = tw_move_dump(e.nl, e.dev.ifindex, &left)) < 0) {
		snprintf(why, len, "listing its addresses: %s", strerror(-r));
		return r;
	}
	size_t n = left.n;
	tw_moveset_free(&left);
	return n ? TW_ABSENT : TW_PRESENT;
}

static int move_create(struct tw_ctx *c, const struct tw_step *s, char *why, size_t len)
{
	struct ends e;
	int r = ends_get(c, &s->key, &e);
	if (r < 0 || !e.br.ifindex) {
		snprintf(why, len, "%s: %s", r < 0 ? s->key.name : s->key.arg, strerror(r < 0 ? -r : ENODEV));
		return r < 0 ? r : -ENODEV;
	}
	/* A run killed halfway left the file: what it lists moves (the NIC
	 * may have lost some of it already), and whatever the NIC got since
	 * (a DHCP client's renewal, say) with it. */
	struct moved m;
	struct tw_moveset now;
	if ((r = load(s->data, &m)) == -ENOENT) {
		memset(&m, 0, sizeof(m));
		memcpy(m.bridge_mac, e.br.mac, TW_MAC_LEN);
		m.has_bridge_mac = true;
		r = 0;
	}
	if (r < 0) {
		snprintf(why, len, "%s: %s", s->data, strerror(-r));
		return r;
	}
	if ((r = tw_move_dump(e.nl, e.dev.ifindex, &now)) < 0)
		snprintf(why, len, "listing the addresses of %s: %s", s->key.name, strerror(-r));
	else if ((r = tw_moveset_merge(&m.set, &now)) < 0 || (r = save(s->data, &m)) < 0)
		snprintf(why, len, "%s: %s", s->data, strerror(-r));
	tw_moveset_free(&now);
	if (r < 0) {
		tw_moveset_free(&m.set);
		return r;
	}
	r = move_to_bridge(&e, &m, why, len);
	if (r < 0) {
		/* The failed step cleans up after itself: all goes back. */
		char ignored[256];
		struct ends again;
		if (ends_get(c, &s->key, &again) == 0 && move_back(&again, &m, ignored, sizeof(ignored)) == 0)
			unlink(s->data);
	}
	tw_moveset_free(&m.set);
	return r;
}

static int move_remove(struct tw_ctx *c, const struct tw_rec *rec, char *why, size_t len)
{
	struct moved m;
	int r = load(rec->data, &m);
	if (r == -ENOENT)
		return 0; /* nothing moved, or moved back already */
	if (r < 0) {
		snprintf(why, len, "%s: %s", rec->data, strerror(-r));
		return r;
	}
	struct ends e;
	r = ends_get(c, &rec->key, &e);
	if (r == -ENODEV || r == -ENOENT) {
		r = 0; /* the NIC is gone, and what was on it */
	} else if (r < 0) {
		snprintf(why, len, "%s: %s", rec->key.name, strerror(-r));
	} else {
		r = move_back(&e, &m, why, len);
	}
	if (r == 0)
		unlink(rec->data);
	tw_moveset_free(&m.set);
	return r;
}

static void move_describe(const struct tw_step *s, char *buf, size_t len)
{
	char label[96];
	tw_dev_label(s->key.ns, s->key.name, label, sizeof(label));
	snprintf(buf, len, "move addresses and routes of %s to %s", label, s->key.arg);
}

const struct tw_kind_ops tw_move_ops = {
	.kind = TW_K_MOVE,
	.probe = move_probe,
	.create = move_create,
	.remove = move_remove,
	.describe = move_describe,
};
