/* Who holds a device node open: a macvtap's /dev/tapN, which QEMU (or
 * libvirtd for it) opens as a file, so fdinfo shows no "iff:" line and the
 * carrier follows the lower device, not the holder. The fd links of every
 * process are read (a thread with an fd table of its own is not). */
#include "engine/holders.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool holds(const char *pid, const char *path)
{
	char dir[64], link[PATH_MAX], target[PATH_MAX];
	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	DIR *d = opendir(dir);
	if (!d)
		return false; /* gone, or not ours to inspect */
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			found = !strcmp(target, path);
		}
	}
	closedir(d);
	return found;
}

int tw_node_holder(const char *path, pid_t *pid)
{
	*pid = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *e;
	while (!*pid && (e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && holds(e->d_name, path))
			*pid = (pid_t)atoi(e->d_name);
	closedir(d);
	return 0;
}
