/* Checks shared by the libFuzzer targets: whatever the input, an error
 * message is one short printable line (it reaches a terminal, QEMU's or
 * libvirt's stderr, and syslog). */
#ifndef TW_FUZZ_COMMON_H
#define TW_FUZZ_COMMON_H

#include <string.h>

static inline void fuzz_check_line(const char *msg, size_t max)
{
	size_t n = strlen(msg);
	if (n == 0 || n > max)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			__builtin_trap();
}

#endif
