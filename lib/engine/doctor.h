/* tapwire doctor: what stands between an installed tapwire and a working
 * one. Each check is one function that looks at one thing (the helper's
 * privileges, its policy, /dev/net/tun, the hook, qemu.conf, ...) and adds
 * findings; a table of them (cli/doctor.c) runs them in order, so a new
 * check is one function and one table line.
 *
 * A problem is something that breaks a use of tapwire, with what it is, why
 * it matters and the fix; a note is worth knowing but breaks nothing
 * (/dev/vhost-net absent: QEMU falls back to virtio in userspace). Checks
 * only read: files, /proc, /sys, never a change.
 *
 * Where a check looks comes from the install paths, or for tests from an
 * environment variable that a privileged process ignores (TAPWIRE_*, see
 * tw_getenv_unprivileged). */
#ifndef TW_DOCTOR_H
#define TW_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define TW_DOCTOR_TEXT 1024

struct tw_finding {
	const char *check;
	bool note; /* information only: not a problem */
	char what[TW_DOCTOR_TEXT];
	char why[TW_DOCTOR_TEXT];
	char fix[TW_DOCTOR_TEXT];
};

struct tw_doctor {
	struct tw_finding *v;
	size_t n, cap;
	size_t lost;       /* findings that found no memory: problems too */
	const char *check; /* the check running now */
	const char *netns; /* --netns: the namespace doctor runs in, NULL for the host's */
	/* Who the helper's policy lets call it, as the policy check found it
	 * (later checks ask about these): everyone, or these ids. */
	bool policy_read, everyone;
	uid_t *users;
	size_t n_users, cap_users;
	gid_t *groups;
	size_t n_groups, cap_groups;
};

typedef void tw_check_fn(struct tw_doctor *d);
struct tw_check {
	const char *name;
	tw_check_fn *run;
};

/* A problem (note false) or a note; each text is printf'd by the caller. */
void tw_doctor_add(struct tw_doctor *d, bool note, const char *what, const char *why,
		   const char *fix);
/* Runs each check of the table (ended by a NULL name) in order. */
void tw_doctor_run(struct tw_doctor *d, const struct tw_check *checks);
size_t tw_doctor_problems(const struct tw_doctor *d);
/* One line per finding ("problem: WHAT: WHY; fix: FIX", "note: ..."), then
 * a summary; or one JSON document. */
void tw_doctor_print(FILE *out, const struct tw_doctor *d, const struct tw_check *checks,
		     bool json);
void tw_doctor_free(struct tw_doctor *d);

/* Remember one principal the policy allows (the policy check). */
void tw_doctor_allow(struct tw_doctor *d, bool everyone, bool group, id_t id);

/* Who a child runs as (tw_doctor_as). */
struct tw_doctor_ids {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
};
typedef int tw_doctor_child_fn(void *arg, int out);
/* fn(arg, out) in a child that, when doctor runs as root, first takes ids
 * (so the kernel judges as that user, ACLs and all); what it writes to out
 * comes back in buf (up to len - 1 bytes, NUL terminated; buf may be NULL).
 * The child's exit status (fn's return; 127 when it could not take the
 * ids), or -errno. */
int tw_doctor_as(const struct tw_doctor_ids *ids, tw_doctor_child_fn *fn, void *arg, char *buf,
		 size_t len);

/* 1 when user uid, with its passwd entry's groups, may open path
 * read-write as the kernel decides it (ACLs included: a child takes those
 * ids and opens it), 0 when not, -1 when it cannot be told (not root). */
int tw_user_can_open_rw(const char *path, uid_t uid);

/* The environment override name, else dflt. */
const char *tw_doctor_path(const char *env, const char *dflt);

/* The checks in lib/ (each in its own file). */
void tw_doctor_helper(struct tw_doctor *d);  /* doctor-helper.c */
/* The policy the installed helper reads, as its --help says (which may
 * differ from this build's). 0, or -ENOENT when it cannot be told. */
int tw_doctor_helper_policy(char *policy, size_t len);
void tw_doctor_devices(struct tw_doctor *d); /* doctor-devices.c */
void tw_doctor_hook(struct tw_doctor *d);    /* doctor-hook.c */
void tw_doctor_qemu_conf(struct tw_doctor *d); /* doctor-qemu-conf.c */
void tw_doctor_forward(struct tw_doctor *d); /* doctor-forward.c */
void tw_doctor_frr(struct tw_doctor *d);     /* doctor-frr.c */

#define TW_HELPER_PATH LIBEXECDIR "/tapwire-bridge-helper"
#define TW_HELPER_POLICY SYSCONFDIR "/tapwire/bridge.conf"
/* libvirt's configuration, wherever tapwire itself was installed. */
#define TW_LIBVIRT_SYSCONF "/etc/libvirt"

#endif
