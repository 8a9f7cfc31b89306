/* One setting of a libvirt configuration file (qemu.conf): the hook reads
 * `user`, tapwire doctor `bridge_helper`. */
#ifndef TW_LIBVIRT_CONF_H
#define TW_LIBVIRT_CONF_H

#include <stddef.h>

/* The value of `key = "VALUE"` in the libvirt conf file path (libvirt's
 * syntax, `#` comments; only a quoted value on one line is read; libvirt
 * takes the first, so does this). 0 when found; -ENOENT when the file or
 * the setting is absent; -EPERM when path is not a regular file; -EINVAL
 * for an empty or too long value or a NUL byte; other -errno when it
 * cannot be read. The file is libvirt's, trusted as libvirt trusts it:
 * only bounded, and never a FIFO to block on. */
int tw_libvirt_conf_get(const char *path, const char *key, char *val, size_t len);

#endif
