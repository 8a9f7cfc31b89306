/* The state journal's lines (engine/state-int.h). */
#include <stdio.h>
#include <string.h>

#include "engine/state-int.h"
#include "kinds/record.h"

/* ---- the text format: space-separated fields, "-" for empty, and
 * percent-escapes for anything that could split a field or a line. */

void tw_state_field_put(FILE *f, const char *s)
{
	if (!*s) {
		fputs(" -", f);
		return;
	}
	fputc(' ', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c <= 0x20 || *c >= 0x7f || *c == '%' || (c == (const unsigned char *)s && *c == '-' && !c[1]))
			fprintf(f, "%%%02X", *c);
		else
			fputc(*c, f);
	}
}

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode one field in place; returns false on a malformed escape. */
bool tw_state_field_get(char *s, char *out, size_t len)
{
	if (!strcmp(s, "-")) {
		out[0] = 0;
		return true;
	}
	size_t n = 0;
	for (char *c = s; *c; c++) {
		int ch = (unsigned char)*c;
		if (ch == '%') {
			int hi = hexv(c[1]), lo = hi < 0 ? -1 : hexv(c[2]);
			if (lo < 0)
				return false;
			ch = hi << 4 | lo;
			c += 2;
		}
		if (n + 1 >= len || ch == 0)
			return false;
		out[n++] = (char)ch;
	}
	out[n] = 0;
	return true;
}

void tw_state_line_put(FILE *f, char op, const struct tw_key *k, const char *created,
		     const char *owner, const char *data)
{
	fputc(op, f);
	tw_state_field_put(f, tw_kind_name(k->kind));
	tw_state_field_put(f, k->ns);
	tw_state_field_put(f, k->name);
	tw_state_field_put(f, k->arg);
	if (created)
		tw_state_field_put(f, created);
	tw_state_field_put(f, owner);
	if (data)
		tw_state_field_put(f, data);
	fputc('\n', f);
}
