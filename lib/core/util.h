/* Small helpers shared by every part of tapwire. Nothing here touches the
 * kernel's networking or XML: the setuid helper, the XML reader and the engine
 * all link it. */
#ifndef TW_UTIL_H
#define TW_UTIL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define TW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void tw_freep(void *p) { free(*(void **)p); }
static inline void tw_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(tw_freep)))
#define _cleanup_close_ __attribute__((cleanup(tw_closep)))

/* Hand ownership out of a cleanup variable. */
#define TW_TAKE(p) ({ __typeof__(p) tw_take_tmp_ = (p); (p) = NULL; tw_take_tmp_; })
#define TW_TAKE_FD(fd) ({ int tw_take_fd_ = (fd); (fd) = -1; tw_take_fd_; })

/* Longest namespace name tapwire accepts; `ip netns` allows more, but a
 * name is also a file under /run/netns and a key in the state file. */
#define TW_NSNAME_MAX 64
/* Owners are tw:net names or libvirt domain names. */
#define TW_OWNER_MAX 256

/* Each check returns true when valid; otherwise it writes a short reason
 * (no trailing period, no name) into why. */
bool tw_ifname_valid(const char *name, char *why, size_t whylen);
bool tw_nsname_valid(const char *name, char *why, size_t whylen);
bool tw_owner_valid(const char *name, char *why, size_t whylen);

#define TW_MAC_LEN 6
#define TW_MAC_STRLEN 18
/* "52:54:00:38:06:f9" (also '-' separated, any case). Returns 0 or -EINVAL. */
int tw_mac_parse(const char *s, uint8_t mac[TW_MAC_LEN]);
void tw_mac_format(const uint8_t mac[TW_MAC_LEN], char out[TW_MAC_STRLEN]);
static inline bool tw_mac_is_unicast(const uint8_t mac[TW_MAC_LEN]) { return !(mac[0] & 1); }
bool tw_mac_is_zero(const uint8_t mac[TW_MAC_LEN]);
/* libvirt's rule for the host side of a guest NIC: byte 0 becomes 0xFE, so
 * the bridge, which takes the lowest port MAC, never adopts a tap's address. */
void tw_mac_host_side(const uint8_t guest[TW_MAC_LEN], uint8_t host[TW_MAC_LEN]);

struct tw_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};
#define TW_CIDR_STRLEN 64
/* "10.0.1.1/24", "fd00::1/64"; without "/N" the host prefix is used when
 * allow_bare is true. Returns 0 or -EINVAL. */
int tw_cidr_parse(const char *s, bool allow_bare, struct tw_cidr *out);
void tw_cidr_format(const struct tw_cidr *c, char *out, size_t len);
bool tw_cidr_equal(const struct tw_cidr *a, const struct tw_cidr *b);
/* Plain address without prefix. */
int tw_ip_parse(const char *s, struct tw_cidr *out);

/* Strict decimal parse of an unsigned value within [min, max]. */
int tw_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* The start of a small file (sysfs, /proc): one read of at most len - 1
 * bytes, NUL-terminated in buf, a final newline dropped. Their number, or
 * -errno. */
ssize_t tw_read_small(const char *path, char *buf, size_t len);

/* Replaces every control byte (below 0x20, and 0x7f) among the first n
 * bytes of s, or up to its NUL, with c, in place, and returns s: text that
 * reaches a log or a terminal stays one line and sends no escape. UTF-8 is
 * kept as it is. */
char *tw_one_line(char *s, size_t n, char c);

/* Room for need elements of size bytes: arr itself when it has cap of
 * them, else arr reallocated to twice its capacity (at least 16), *cap
 * updated. NULL on ENOMEM, arr untouched. The one way tapwire grows an
 * array. */
void *tw_grow(void *arr, size_t *cap, size_t need, size_t size);

/* getenv(name), but NULL when the kernel says the program runs with
 * elevated privileges (AT_SECURE: setuid, file capabilities) or the value
 * is empty: the environment may steer a test run, never a privileged one. */
const char *tw_getenv_unprivileged(const char *name);

/* A user or group by name or numeric id. 0, -ENOENT (no such name), or
 * -ERANGE (a numeric id out of range, which is never taken for a name). */
int tw_lookup_uid(const char *s, uid_t *out);
int tw_lookup_gid(const char *s, gid_t *out);

/* Fill buf with random bytes (getrandom, never blocks once the pool is up). */
int tw_random(void *buf, size_t len);

/* Monotonic clock in microseconds, for progress and timing output. */
uint64_t tw_now_us(void);

/* strlcpy-like: returns false when src did not fit (dst is still terminated). */
bool tw_strscpy(char *dst, const char *src, size_t len);

/* s as a JSON string, quotes included. */
void tw_json_str(FILE *out, const char *s);

#endif
