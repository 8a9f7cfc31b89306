/* What the libvirt hook reads besides the domain XML: its own policy,
 * $sysconfdir/tapwire/tapwire.conf (which bridges it may create on its own),
 * and the `user` of libvirt's qemu.conf (who owns the taps it makes). */
#ifndef TW_HOOK_CONF_H
#define TW_HOOK_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

/* One `bridge PATTERN [mtu N] [stp on|off] [address CIDR[,CIDR...]]` line. */
struct tw_hook_rule {
	char pattern[64]; /* a bridge name or a shell glob (fnmatch) */
	struct tw_bridge_spec spec; /* name left empty: filled in per match */
	int line;
};

struct tw_hook_conf {
	struct tw_hook_rule *rules;
	size_t n_rules;
};

/* Read path. A missing file is an empty policy (0). Otherwise 0, or -errno
 * with "path:line: why" or "path: why" in err: -EINVAL for syntax (exit 2);
 * any other when the file cannot be trusted (it, or a directory on the way
 * to it, is not root's alone: see lib/trusted.h) or read. */
int tw_hook_conf_load(const char *path, struct tw_hook_conf *c, char *err, size_t len);
void tw_hook_conf_free(struct tw_hook_conf *c);

/* The first rule whose pattern matches bridge, or NULL. */
const struct tw_hook_rule *tw_hook_conf_match(const struct tw_hook_conf *c, const char *bridge);

/* The value of `user = "NAME"` in a libvirt qemu.conf, with libvirt's "+N"
 * (a uid) turned into "N". 0 when found; -ENOENT when the file or the
 * setting is absent; other -errno when it cannot be read. */
int tw_qemu_conf_user(const char *path, char *user, size_t len);

#endif
