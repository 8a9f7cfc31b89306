/* One rtnetlink socket, bound to one network namespace for its whole life.
 *
 * libnl builds and parses the messages; this wrapper sends them and keeps
 * the kernel's own answer: the exact errno (libnl's NLE_* codes lose it) and
 * the extended-ack text ("MTU greater than device maximum"), so an error can
 * say what the kernel said. */
#ifndef TW_NL_H
#define TW_NL_H

#include <netlink/msg.h>
#include <netlink/netlink.h>

struct tw_nl {
	struct nl_sock *sk;
	char ns[64];       /* namespace name for messages, "" = current */
	char extack[256];  /* kernel's explanation of the last error, or "" */
};

/* Open a socket in the caller's current network namespace. */
int tw_nl_open(struct tw_nl *nl);
/* Open a socket inside the namespace behind nsfd, without forking: the
 * socket stays in the namespace it was created in after we switch back. */
int tw_nl_open_ns(struct tw_nl *nl, int nsfd, const char *nsname);
void tw_nl_close(struct tw_nl *nl);

typedef int (*tw_nl_reply_fn)(struct nl_msg *msg, void *arg);

/* Send msg (ownership stays with the caller), wait for the kernel's ack.
 * Each reply message before the ack is handed to on_reply when given.
 * Returns 0 or the kernel's -errno; nl->extack holds its text if any. */
int tw_nl_talk(struct tw_nl *nl, struct nl_msg *msg, tw_nl_reply_fn on_reply, void *arg);

/* "Device or resource busy (bridge has too many ports)" style text for the
 * last error on nl: strerror plus the extack message. */
const char *tw_nl_strerror(struct tw_nl *nl, int err, char *buf, size_t len);

/* Run fn inside the namespace nsfd and come back (nsfd -1: stay, but come
 * back here whatever fn does, e.g. unshare). Used for the few calls that
 * are not netlink (opening /dev/net/tun, unshare). Returns fn's value, or
 * -errno when the switch itself failed. */
int tw_in_netns(int nsfd, int (*fn)(void *), void *arg);

#endif
