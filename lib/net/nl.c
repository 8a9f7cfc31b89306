#include "net/nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/handlers.h>

#include "core/util.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int tw_nl_open(struct tw_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	int r = nl_connect(nl->sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -EPROTO;
	}
	int one = 1, fd = nl_socket_get_fd(nl->sk);
	/* Ask for the kernel's explanation, and keep acks short: without
	 * CAP_ACK every error would echo our whole request back. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

struct open_args {
	struct tw_nl *nl;
};

static int open_here(void *arg)
{
	return tw_nl_open(((struct open_args *)arg)->nl);
}

int tw_nl_open_ns(struct tw_nl *nl, int nsfd, const char *nsname)
{
	struct open_args a = { nl };
	int r = nsfd < 0 ? tw_nl_open(nl) : tw_in_netns(nsfd, open_here, &a);
	if (r == 0 && nsname)
		tw_strscpy(nl->ns, nsname, sizeof(nl->ns));
	return r;
}

void tw_nl_close(struct tw_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int tw_in_netns(int nsfd, int (*fn)(void *), void *arg)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	int r = fn(arg);
	/* Failing to come back would leave every later step in the wrong
	 * namespace; there is no safe way to continue. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}

struct talk {
	struct tw_nl *nl;
	tw_nl_reply_fn on_reply;
	void *arg;
	int err;
	int reply_err;
	int done;
};

static void take_extack(struct tw_nl *nl, const struct nlmsghdr *nlh, const struct nlmsgerr *e)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* With NETLINK_CAP_ACK only the header of our request is echoed, so
	 * the TLVs start right after struct nlmsgerr. */
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= nlh->nlmsg_len)
		return;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%.*s", nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	size_t n = strnlen(nl->extack, sizeof(nl->extack));
	if (n && nl->extack[n - 1] == 0)
		nl->extack[n - 1] = 0;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct talk *t = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	t->err = e->error;
	take_extack(t->nl, nlh, e);
	t->done = 1;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;
	t->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;
	if (t->on_reply && !t->reply_err)
		t->reply_err = t->on_reply(msg, t->arg);
	return NL_OK;
}

int tw_nl_talk(struct tw_nl *nl, struct nl_msg *msg, tw_nl_reply_fn on_reply, void *arg)
{
	struct talk t = { .nl = nl, .on_reply = on_reply, .arg = arg };
	nl->extack[0] = 0;
	/* nl_socket_get_cb() hands out a reference: give it back, or the
	 * socket's own callbacks outlive the socket. */
	struct nl_cb *orig = nl_socket_get_cb(nl->sk);
	struct nl_cb *cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb)
		return -ENOMEM;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &t); /* end of a dump */
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);

	int r = nl_send_auto(nl->sk, msg);
	if (r < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	while (!t.done) {
		r = nl_recvmsgs(nl->sk, cb);
		if (r < 0 && !t.done) {
			nl_cb_put(cb);
			return -EIO;
		}
	}
	nl_cb_put(cb);
	if (t.err)
		return t.err;
	return t.reply_err;
}

const char *tw_nl_strerror(struct tw_nl *nl, int err, char *buf, size_t len)
{
	if (nl && nl->extack[0])
		snprintf(buf, len, "%s (%s)", strerror(-err), nl->extack);
	else
		snprintf(buf, len, "%s", strerror(-err));
	return buf;
}
