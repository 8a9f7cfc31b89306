/* The one trusted-file check and the one bounded reader (see trusted.h).
 *
 * A path is walked one component at a time from "/", so that every
 * directory and symlink on the way is seen and checked before it is used:
 * realpath() and a check afterwards would let a user who owns a directory
 * in the middle swap a symlink in between, and would not even see symlinks
 * that point onwards from an untrusted directory. */
#include "core/trusted.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

#define SHOWN_MAX 128 /* bytes of a directory's path a message may quote */

/* Everything the walk needs that is larger than a few words: calloc'd once,
 * so that the walk costs well under 2 KiB of stack (the setuid helper
 * cannot trust its caller's RLIMIT_STACK). */
struct walk {
	int dir;                 /* O_PATH descriptor of where the walk is */
	unsigned links;
	uintmax_t max;           /* largest file accepted */
	char name[NAME_MAX + 1]; /* the component at hand */
	char real[PATH_MAX];     /* the path of dir, for messages; "" is "/" */
	char todo[PATH_MAX];     /* what is left to resolve */
	char next[PATH_MAX];     /* a symlink's target, then what it leads on to */
};

const char *tw_printable(char *dst, size_t dstlen, const char *s, size_t max)
{
	size_t n = 0;
	if (max > dstlen - 4)
		max = dstlen - 4;
	for (; s[n] && n < max; n++)
		dst[n] = (s[n] >= 0x20 && s[n] < 0x7f) ? s[n] : '?';
	if (s[n]) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = 0;
	return dst;
}

int tw_refuse(char *why, size_t whylen, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return r;
}

static int too_big(char *why, size_t whylen, uintmax_t max)
{
	if (max && max % (1024 * 1024) == 0)
		return tw_refuse(why, whylen, -EFBIG, "is larger than %ju MiB", max >> 20);
	if (max && max % 1024 == 0)
		return tw_refuse(why, whylen, -EFBIG, "is larger than %ju KiB", max >> 10);
	return tw_refuse(why, whylen, -EFBIG, "is larger than %ju bytes", max);
}

/* A directory on the way must be root's alone: whoever can write to it can
 * replace what we are about to open. The sticky bit does not help, since
 * the owner of an entry in /tmp may still swap it. */
static int check_dir(const struct stat *st, const char *path, char *why, size_t whylen)
{
	char shown[SHOWN_MAX];
	if (st->st_uid == 0 && !(st->st_mode & 022))
		return 0;
	tw_printable(shown, sizeof(shown), *path ? path : "/", sizeof(shown));
	if (st->st_uid != 0)
		return tw_refuse(why, whylen, -EPERM, "directory %s is owned by uid %ld, not root",
			      shown, (long)st->st_uid);
	return tw_refuse(why, whylen, -EPERM, "directory %s is writable by group or others (mode %04o)",
		      shown, (unsigned)(st->st_mode & 07777));
}

static const char *type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

static int check_file(const struct walk *w, const struct stat *st, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode))
		return tw_refuse(why, whylen, S_ISDIR(st->st_mode) ? -EISDIR : -EPERM,
			      "is %s, not a regular file", type_name(st->st_mode));
	if (st->st_uid != 0)
		return tw_refuse(why, whylen, -EPERM, "is owned by uid %ld, not root",
			      (long)st->st_uid);
	if (st->st_mode & 022)
		return tw_refuse(why, whylen, -EPERM, "is writable by group or others (mode %04o)",
			      (unsigned)(st->st_mode & 07777));
	if ((uintmax_t)st->st_size > w->max)
		return too_big(why, whylen, w->max);
	return 0;
}

/* dst, a string of used bytes, gets "/" and s appended: false when that
 * does not fit in size. Not snprintf: that alone costs 2 KiB of stack. */
static bool append_path(char *dst, size_t used, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (used + 1 + n >= size)
		return false;
	dst[used] = '/';
	memcpy(dst + used + 1, s, n + 1);
	return true;
}

static int walk_root(struct walk *w, char *why, size_t whylen)
{
	tw_closep(&w->dir);
	w->real[0] = 0;
	w->dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (w->dir < 0 || fstat(w->dir, &st) < 0)
		return tw_refuse(why, whylen, -errno, "cannot open /: %s", strerror(errno));
	return check_dir(&st, "", why, whylen);
}

static int walk_start(struct walk *w, const char *path, char *why, size_t whylen)
{
	if (path[0] != '/' && !getcwd(w->todo, sizeof(w->todo)))
		return tw_refuse(why, whylen, -errno, "cannot find the current directory: %s",
			      strerror(errno));
	/* getcwd may say "(unreachable)/..." when cwd is outside our root. */
	if (path[0] != '/' && w->todo[0] != '/')
		return tw_refuse(why, whylen, -ENOENT, "the current directory is unreachable");
	if (!append_path(w->todo, strlen(w->todo), sizeof(w->todo), path))
		return tw_refuse(why, whylen, -ENAMETOOLONG, "path is too long");
	return walk_root(w, why, whylen);
}

/* Splits the next component off *rest into w->name: 1, or 0 when none is
 * left. */
static int next_component(struct walk *w, char **rest)
{
	char *s = *rest + strspn(*rest, "/");
	size_t n = strcspn(s, "/");
	if (!n)
		return 0;
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(w->name, s, n);
	w->name[n] = 0;
	*rest = s + n;
	return 1;
}

/* Continues the walk at the symlink's target. It sits in a directory that
 * passed check_dir, so root put it there. */
static int walk_link(struct walk *w, int fd, const char *rest, char *why, size_t whylen)
{
	if (++w->links > TW_TRUSTED_MAX_SYMLINKS)
		return tw_refuse(why, whylen, -ELOOP, "too many levels of symbolic links");
	ssize_t n = readlinkat(fd, "", w->next, sizeof(w->next));
	if (n < 0)
		return tw_refuse(why, whylen, -errno, "cannot read a symlink: %s", strerror(errno));
	if (n == 0 || (size_t)n >= sizeof(w->next))
		return tw_refuse(why, whylen, -ENAMETOOLONG, "bad symlink target");
	w->next[n] = 0;
	/* rest points into todo: build the new path beside it first. */
	if (!append_path(w->next, (size_t)n, sizeof(w->next), rest))
		return tw_refuse(why, whylen, -ENAMETOOLONG, "path is too long");
	memcpy(w->todo, w->next, strlen(w->next) + 1);
	return w->todo[0] == '/' ? walk_root(w, why, whylen) : 0;
}

static int walk_into(struct walk *w, int *fd, const struct stat *st, char *why, size_t whylen)
{
	size_t len = strlen(w->real);
	if (!strcmp(w->name, "..")) {
		char *slash = strrchr(w->real, '/');
		if (slash)
			*slash = 0;
	} else if (strcmp(w->name, ".") && !append_path(w->real, len, sizeof(w->real), w->name)) {
		return tw_refuse(why, whylen, -ENAMETOOLONG, "path is too long");
	}
	int r = check_dir(st, w->real, why, whylen);
	if (r < 0)
		return r;
	tw_closep(&w->dir);
	w->dir = TW_TAKE_FD(*fd);
	return 0;
}

/* The last component: refuse anything but a regular file before opening
 * it for reading, so a FIFO or a device is never even opened; then check
 * what was actually opened. */
static int walk_open(struct walk *w, const struct stat *seen, char *why, size_t whylen)
{
	int r = check_file(w, seen, why, whylen);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = openat(w->dir, w->name,
					O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return tw_refuse(why, whylen, -errno, "%s", strerror(errno));
	r = check_file(w, &st, why, whylen);
	if (r < 0)
		return r;
	if (st.st_dev != seen->st_dev || st.st_ino != seen->st_ino)
		return tw_refuse(why, whylen, -EAGAIN, "changed while being opened");
	return TW_TAKE_FD(fd);
}

/* One step of the walk: < 0 refused, 0 go on, > 0 the file's fd. */
static int walk_step(struct walk *w, char **rest, char *why, size_t whylen)
{
	int r = next_component(w, rest);
	if (r < 0)
		return tw_refuse(why, whylen, r, "a path component is too long");
	if (r == 0)
		return tw_refuse(why, whylen, -EISDIR, "is a directory, not a regular file");
	bool last = (*rest)[strspn(*rest, "/")] == 0;
	_cleanup_close_ int fd = openat(w->dir, w->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return tw_refuse(why, whylen, -errno, "%s", strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		r = walk_link(w, fd, *rest, why, whylen);
		*rest = w->todo;
		return r;
	}
	if (S_ISDIR(st.st_mode) && !last)
		return walk_into(w, &fd, &st, why, whylen);
	if (!last)
		return tw_refuse(why, whylen, -ENOTDIR, "%s", strerror(ENOTDIR));
	r = walk_open(w, &st, why, whylen);
	/* fd 0 is a file too, when stdin was closed. */
	return r < 0 ? r : r + 1;
}

static int open_max(const char *path, uintmax_t max, char *why, size_t whylen)
{
	struct walk *w = calloc(1, sizeof(*w));
	if (!w)
		return tw_refuse(why, whylen, -ENOMEM, "out of memory");
	w->dir = -1;
	w->max = max;
	int r = walk_start(w, path, why, whylen);
	for (char *rest = w->todo; r == 0;)
		r = walk_step(w, &rest, why, whylen);
	tw_closep(&w->dir);
	free(w);
	return r > 0 ? r - 1 : r;
}

int tw_trusted_open(const char *path, char *why, size_t whylen)
{
	return open_max(path, UINTMAX_MAX, why, whylen);
}

int tw_read_bounded(int fd, size_t max, char **text, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			size_t newcap = cap ? cap * 2 : 4096;
			if (newcap > max + 1)
				newcap = max + 1;
			char *q = realloc(buf, newcap + 1);
			if (!q)
				return -ENOMEM;
			buf = q;
			cap = newcap;
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max)
			return -EFBIG;
	}
	buf[n] = 0;
	*text = TW_TAKE(buf);
	*len = n;
	return 0;
}

int tw_trusted_read(const char *path, size_t max, char **text, size_t *len, char *why,
		    size_t whylen)
{
	_cleanup_close_ int fd = open_max(path, max, why, whylen);
	if (fd < 0)
		return fd;
	int r = tw_read_bounded(fd, max, text, len);
	if (r == -EFBIG)
		return too_big(why, whylen, max);
	if (r < 0)
		return tw_refuse(why, whylen, r, "%s", strerror(-r));
	return 0;
}
