/* Files root acts on: read only when root alone controls them.
 *
 * The setuid helper (bridge.conf) and the libvirt hook (tapwire.conf) make
 * kernel objects on the strength of a file, so a file counts only when
 * nobody but root could have written it or anything on the way to it: the
 * path is walked from "/" one component at a time; every directory on the
 * way, including those a symlink leads through, must be owned by root and
 * not writable by group or others; the file must be a regular file with
 * the same owner and mode. Plain C, no netlink: the helper links it. */
#ifndef TW_TRUSTED_H
#define TW_TRUSTED_H

#include <stddef.h>

#define TW_TRUSTED_MAX_SYMLINKS 40 /* as the kernel's ELOOP limit */

/* An fd open for reading, or -errno with a short reason in why (no path in
 * front, no trailing period: "is owned by uid 1000, not root", "directory
 * /tmp is writable by group or others (mode 1777)"). A FIFO or device is
 * refused before it is opened, so it can never block. The walk keeps its
 * buffers on the heap: the helper may run with a tiny RLIMIT_STACK. */
int tw_trusted_open(const char *path, char *why, size_t whylen);

/* tw_trusted_open, then the whole file, NUL terminated, in *text (free it),
 * its length in *len. A file larger than max bytes is -EFBIG ("is larger
 * than 1 MiB"), whether it was so when opened or grew while being read. */
int tw_trusted_read(const char *path, size_t max, char **text, size_t *len, char *why,
		    size_t whylen);

/* What is left of fd, NUL terminated, in *text (free it): the one bounded
 * reader, also for files that need no trust (libvirt's own). -EFBIG past
 * max bytes, never a silently cut file; other -errno from read. */
int tw_read_bounded(int fd, size_t max, char **text, size_t *len);

/* Writes the reason (printf) into why and returns r: how this module and
 * its callers say why they refuse something. */
__attribute__((format(printf, 4, 5))) int tw_refuse(char *why, size_t whylen, int r,
						    const char *fmt, ...);

/* s for a message: at most max bytes of it (and of dst, less 4), bytes
 * outside printable ASCII as '?', "..." when cut. Returns dst. */
const char *tw_printable(char *dst, size_t dstlen, const char *s, size_t max);

#endif
