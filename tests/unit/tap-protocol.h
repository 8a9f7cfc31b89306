/* A tiny TAP producer for C unit tests: automake's tap-driver counts each
 * check, so `make check` reports test cases, not just programs. */
#ifndef TW_TEST_TAP_H
#define TW_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2))) static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

__attribute__((format(printf, 1, 2))) static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("ok %d # SKIP ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define tap_is_int(got, want, name)                                                            \
	do {                                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);                       \
		if (!tap_ok(g_ == w_, "%s", name))                                             \
			tap_diag("  got %lld, want %lld", g_, w_);                             \
	} while (0)

#define tap_is_str(got, want, name)                                                            \
	do {                                                                                   \
		const char *g_ = (got), *w_ = (want);                                          \
		if (!tap_ok(g_ && w_ && !strcmp(g_, w_), "%s", name))                         \
			tap_diag("  got '%s', want '%s'", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

#define tap_like(got, needle, name)                                                            \
	do {                                                                                   \
		const char *g_ = (got), *n_ = (needle);                                        \
		if (!tap_ok(g_ && strstr(g_, n_), "%s", name))                                 \
			tap_diag("  '%s' does not contain '%s'", g_ ? g_ : "(null)", n_);       \
	} while (0)

#endif
