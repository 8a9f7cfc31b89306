/* Who uses a device: the process that holds a tap open (from
 * /proc/PID/fdinfo, where a tun fd shows "iff:\tNAME"), and the ports of a
 * bridge as the kernel lists them. `tapwire gc`, `down`/`detach` (before
 * removing anything) and `status` ask here.
 *
 * The kernel's own sign that a tap is held is its carrier: tun turns it on
 * when a queue attaches and off when the last one goes, and only a holder
 * can change it. fdinfo names the holder, but by device name only: a tap of
 * the same name in another network namespace shows the same line, so the
 * carrier decides and fdinfo only names. */
#ifndef TW_HOLDERS_H
#define TW_HOLDERS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/nl.h"

/* The pid of a process that holds the tun/tap device NAME open, 0 when no
 * process shown does, or -errno. Processes that even root may not inspect
 * (an LSM, a sandbox's supervisor) are passed over. */
int tw_tap_holder(const char *name, pid_t *pid);

struct tw_holder {
	pid_t pid;        /* 0: no process shows it */
	char comm[17];    /* /proc/PID/comm */
	char domain[64];  /* the libvirt domain, when QEMU's -name says guest=NAME */
};

/* holders-node.c: the pid of a process that has the device node path
 * (a macvtap's /dev/tapN) open, 0 when none does, or -errno. */
int tw_node_holder(const char *path, pid_t *pid);

/* Every tun fd of every process, read in one pass over /proc: for naming
 * the holders of many taps at once (status). */
struct tw_holders {
	struct tw_holders_ent {
		char name[IFNAMSIZ];
		pid_t pid;
	} *v;
	size_t n, cap;
};
int tw_holders_scan(struct tw_holders *h);
/* The first holder of NAME (pid 0 when none), comm and domain filled. */
void tw_holders_find(const struct tw_holders *h, const char *name, struct tw_holder *out);
void tw_holders_free(struct tw_holders *h);

/* Fill comm and domain for out->pid (left "" when it is gone). */
void tw_holder_describe(struct tw_holder *out);
/* "pid 4242 qemu-system-x86, libvirt domain web" */
void tw_holder_format(const struct tw_holder *h, char *buf, size_t len);

/* A device enslaved to a bridge, as the kernel shows it. */
struct tw_port {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];           /* "tun", "veth", "vxlan", ...; "" for a plain device */
	bool carrier;            /* a tap: held by someone */
	int peer_ifindex;        /* a veth: its peer's ifindex (0: unknown) */
	bool peer_elsewhere;     /* a veth: the peer is in another namespace */
	char peer[IFNAMSIZ];     /* a veth: the peer's name, when it is in this namespace */
};

/* The ports of the bridge br_ifindex in nl's namespace (one dump of the
 * namespace's links). *ports: free() it. 0 or -errno. */
int tw_bridge_ports(struct tw_nl *nl, int br_ifindex, struct tw_port **ports, size_t *n);

/* The carrier of device NAME: 1 on, 0 off, -ENODEV when it is gone,
 * -errno. For a tap: whether someone holds it. */
int tw_dev_carrier(struct tw_nl *nl, const char *name);

#endif
