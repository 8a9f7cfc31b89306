/* Inside the state journal (state.c, state-kept.c): not for other modules. */
#ifndef TW_STATE_INT_H
#define TW_STATE_INT_H

#include <stdio.h>

#include "core/index.h"
#include "engine/state.h"

struct tw_state {
	char dir[512];
	char path[600];
	int lockfd;
	int journal;       /* append fd, -1 until the first change */
	bool exclusive;
	bool dirty;
	struct tw_rec *recs;
	size_t n, cap;
	struct tw_index by_key;
	struct tw_src {     /* where each owner's description came from */
		char *owner, *source;
	} *srcs;
	size_t n_srcs, cap_srcs;
};

/* A field of a line: percent-escaped, "-" for empty; decoded in place
 * (false: malformed). */
void tw_state_field_put(FILE *f, const char *s);
bool tw_state_field_get(char *s, char *out, size_t len);
/* "OP KIND NS NAME ARG [CREATED] OWNER [DATA]\n" */
void tw_state_line_put(FILE *f, char op, const struct tw_key *k, const char *created,
		       const char *owner, const char *data);

/* state-kept.c: forget why r was kept, if owner (NULL: anyone) kept it;
 * record it (in memory only: a journal line read back); the line of r's
 * reason, if it has one, for the compacted file. */
void tw_rec_unkeep(struct tw_rec *r, const char *owner);
int tw_rec_keep(struct tw_rec *r, const char *owner, const char *why);
void tw_state_kept_put(FILE *f, const struct tw_rec *r);

#endif
