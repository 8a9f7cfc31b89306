#include "core/libvirt-conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/trusted.h"
#include "core/util.h"

#define MAX_FILE_SIZE (256 * 1024)

/* The quoted value on line for key, or NULL. */
static char *value_of(char *line, const char *key)
{
	size_t klen = strlen(key);
	char *p = line + strspn(line, " \t");
	if (strncmp(p, key, klen))
		return NULL;
	p += klen;
	p += strspn(p, " \t");
	if (*p++ != '=')
		return NULL;
	p += strspn(p, " \t");
	char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
	if (!end || end == p + 1)
		return NULL;
	*end = '\0';
	return p + 1;
}

int tw_libvirt_conf_get(const char *path, const char *key, char *val, size_t len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EPERM;
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r = tw_read_bounded(fd, MAX_FILE_SIZE, &text, &n);
	if (r < 0)
		return r;
	if (memchr(text, 0, n))
		return -EINVAL;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const char *v = value_of(line, key);
		if (v)
			return tw_strscpy(val, v, len) ? 0 : -EINVAL;
	}
	return -ENOENT;
}
