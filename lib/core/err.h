/* How every program of tapwire says it failed: an exit code and one line.
 * The codes are the same for the command, the hook and the helper:
 * 0 done, 1 the system refused, 2 bad input (or usage). */
#ifndef TW_CORE_ERR_H
#define TW_CORE_ERR_H

#define TW_EXIT_OK 0
#define TW_EXIT_REFUSED 1
#define TW_EXIT_INPUT 2

struct tw_err {
	int exit;        /* TW_EXIT_REFUSED or TW_EXIT_INPUT */
	char msg[1024];  /* one line: what, where, why */
};

/* Sets e and returns -1. */
__attribute__((format(printf, 3, 4))) int tw_err_set(struct tw_err *e, int exit, const char *fmt,
						     ...);

#endif
