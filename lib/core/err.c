#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

int tw_err_set(struct tw_err *e, int exit, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->exit = exit;
	return -1;
}
