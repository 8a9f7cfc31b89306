#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <time.h>

static bool why_set(char *why, size_t whylen, const char *msg)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", msg);
	return false;
}

static bool is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* The kernel refuses '/', ':' and whitespace; '%' would make it pick a name
 * itself (tap%d). We go further and allow only [A-Za-z0-9_.-], not starting
 * with '-' (it would read as an option to ip/brctl), and never "." or "..". */
static bool name_chars_valid(const char *name, char *why, size_t whylen)
{
	if (name[0] == '-')
		return why_set(why, whylen, "must not start with '-'");
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return why_set(why, whylen, "must not be '.' or '..'");
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!is_name_char(c)) {
			char msg[64];
			if (c >= 0x21 && c < 0x7f)
				snprintf(msg, sizeof(msg), "contains '%c'; only A-Z a-z 0-9 _ . - are allowed", c);
			else
				snprintf(msg, sizeof(msg), "contains byte 0x%02x; only A-Z a-z 0-9 _ . - are allowed", c);
			return why_set(why, whylen, msg);
		}
	}
	return true;
}

bool tw_ifname_valid(const char *name, char *why, size_t whylen)
{
	if (!name || !*name)
		return why_set(why, whylen, "is empty");
	size_t n = strnlen(name, IFNAMSIZ);
	if (n >= IFNAMSIZ) {
		char msg[80];
		snprintf(msg, sizeof(msg), "is %zu characters long; at most %d are allowed",
			 strlen(name), IFNAMSIZ - 1);
		return why_set(why, whylen, msg);
	}
	return name_chars_valid(name, why, whylen);
}

bool tw_nsname_valid(const char *name, char *why, size_t whylen)
{
	if (!name || !*name)
		return why_set(why, whylen, "is empty");
	if (strnlen(name, TW_NSNAME_MAX) >= TW_NSNAME_MAX) {
		char msg[80];
		snprintf(msg, sizeof(msg), "is too long; at most %d characters are allowed",
			 TW_NSNAME_MAX - 1);
		return why_set(why, whylen, msg);
	}
	if (name[0] == '.')
		return why_set(why, whylen, "must not start with '.'");
	return name_chars_valid(name, why, whylen);
}

bool tw_owner_valid(const char *name, char *why, size_t whylen)
{
	if (!name || !*name)
		return why_set(why, whylen, "is empty");
	size_t n = strnlen(name, TW_OWNER_MAX);
	if (n >= TW_OWNER_MAX)
		return why_set(why, whylen, "is too long; at most 255 bytes are allowed");
	if (name[0] == ' ' || name[n - 1] == ' ')
		return why_set(why, whylen, "must not start or end with a space");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return why_set(why, whylen, "contains a control character");
		if (*p == '/')
			return why_set(why, whylen, "contains '/'");
	}
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tw_mac_parse(const char *s, uint8_t mac[TW_MAC_LEN])
{
	if (!s || strlen(s) != 17)
		return -EINVAL;
	char sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < TW_MAC_LEN; i++) {
		const char *p = s + 3 * i;
		int hi = hexval(p[0]), lo = hexval(p[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < TW_MAC_LEN - 1 && p[2] != sep)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void tw_mac_format(const uint8_t mac[TW_MAC_LEN], char out[TW_MAC_STRLEN])
{
	snprintf(out, TW_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

bool tw_mac_is_zero(const uint8_t mac[TW_MAC_LEN])
{
	for (int i = 0; i < TW_MAC_LEN; i++)
		if (mac[i])
			return false;
	return true;
}

void tw_mac_host_side(const uint8_t guest[TW_MAC_LEN], uint8_t host[TW_MAC_LEN])
{
	memmove(host, guest, TW_MAC_LEN);
	host[0] = 0xfe;
}

int tw_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	if (!s || !*s || strlen(s) > 20)
		return -EINVAL;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (~0UL - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int tw_ip_parse(const char *s, struct tw_cidr *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || strlen(s) >= INET6_ADDRSTRLEN)
		return -EINVAL;
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->addr) == 1) {
		out->family = AF_INET6;
		out->prefix = 128;
		return 0;
	}
	return -EINVAL;
}

int tw_cidr_parse(const char *s, bool allow_bare, struct tw_cidr *out)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!s)
		return -EINVAL;
	if (!slash)
		return allow_bare ? tw_ip_parse(s, out) : -EINVAL;
	size_t alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	int r = tw_ip_parse(buf, out);
	if (r < 0)
		return r;
	unsigned long prefix;
	if (tw_parse_uint(slash + 1, 0, out->family == AF_INET ? 32 : 128, &prefix) < 0)
		return -EINVAL;
	out->prefix = (unsigned)prefix;
	return 0;
}

void tw_cidr_format(const struct tw_cidr *c, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	inet_ntop(c->family, c->addr, a, sizeof(a));
	snprintf(out, len, "%s/%u", a, c->prefix);
}

bool tw_cidr_equal(const struct tw_cidr *a, const struct tw_cidr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;
	return a->family == b->family && a->prefix == b->prefix && !memcmp(a->addr, b->addr, n);
}

int tw_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

uint64_t tw_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool tw_strscpy(char *dst, const char *src, size_t len)
{
	if (!len)
		return false;
	size_t n = strnlen(src, len);
	if (n >= len) {
		memcpy(dst, src, len - 1);
		dst[len - 1] = 0;
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

ssize_t tw_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ssize_t k = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (k < 0)
		return -e;
	if (k > 0 && buf[k - 1] == '\n')
		k--;
	buf[k] = 0;
	return k;
}

char *tw_one_line(char *s, size_t n, char c)
{
	for (size_t i = 0; i < n && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = c;
	return s;
}

void *tw_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return arr;
	size_t n = *cap ? *cap * 2 : 16;
	if (n < need)
		n = need;
	void *q = reallocarray(arr, n, size);
	if (q)
		*cap = n;
	return q;
}

const char *tw_getenv_unprivileged(const char *name)
{
	const char *v = getauxval(AT_SECURE) ? NULL : getenv(name);
	return v && *v ? v : NULL;
}

/* A numeric id is an id, never a name: one out of range is -ERANGE ((id_t)-1
 * means "no change" to chown and friends), not looked up. */
static bool numeric(const char *s)
{
	return *s && !s[strspn(s, "0123456789")];
}

int tw_lookup_uid(const char *s, uid_t *out)
{
	unsigned long id;
	if (tw_parse_uint(s, 0, 0xfffffffeUL, &id) == 0) {
		*out = (uid_t)id;
		return 0;
	}
	if (numeric(s))
		return -ERANGE;
	struct passwd *pw = getpwnam(s);
	if (!pw)
		return -ENOENT;
	*out = pw->pw_uid;
	return 0;
}

int tw_lookup_gid(const char *s, gid_t *out)
{
	unsigned long id;
	if (tw_parse_uint(s, 0, 0xfffffffeUL, &id) == 0) {
		*out = (gid_t)id;
		return 0;
	}
	if (numeric(s))
		return -ERANGE;
	struct group *gr = getgrnam(s);
	if (!gr)
		return -ENOENT;
	*out = gr->gr_gid;
	return 0;
}

void tw_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}
