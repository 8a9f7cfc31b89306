/* Errors: the first problem found wins and is kept as where/element/msg so
 * every caller prints the same one line ("file:line: <element>: what"). */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failv(struct tw_xml_ctx *c, long line, const char *label, const char *fmt,
		 va_list ap)
{
	struct tw_xml_error *e = c->err;
	/* A later, derived complaint must not hide the cause. */
	if (e->msg[0])
		return -EINVAL;
	if (line > 0)
		snprintf(e->where, sizeof(e->where), "%s:%ld", c->name, line);
	else
		snprintf(e->where, sizeof(e->where), "%s", c->name);
	snprintf(e->element, sizeof(e->element), "%s", label ? label : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -EINVAL;
}

int tw_xml_fail(struct tw_xml_ctx *c, long line, const char *label, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = failv(c, line, label, fmt, ap);
	va_end(ap);
	return r;
}

int tw_xml_el_fail(const struct tw_xml_el *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = failv(e->ctx, tw_xml_line(e->node), e->label, fmt, ap);
	va_end(ap);
	return r;
}

int tw_xml_nomem(struct tw_xml_ctx *c)
{
	tw_xml_fail(c, 0, NULL, "out of memory");
	return -ENOMEM;
}

/* Control bytes become \xNN so that a value like "a&#10;b" cannot split the
 * message into two lines, nor an escape sequence reach a terminal. Long
 * values are cut at a UTF-8 character boundary and marked with "...". */
const char *tw_xml_quote(const char *s, char buf[TW_XML_QUOTE_MAX])
{
	const size_t room = TW_XML_QUOTE_MAX - 4; /* "..." and the NUL */
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool ctl = *p < 0x20 || *p == 0x7f;
		size_t need = ctl ? 4 : 1;
		if (o + need > room) {
			if ((*p & 0xc0) == 0x80) { /* mid-character: drop its start too */
				while (o && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
					o--;
				if (o)
					o--;
			}
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (ctl)
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = 0;
	return buf;
}

/* Our elements are always shown as tw:, whatever prefix the document bound
 * to the namespace, so messages match the documentation. */
void tw_xml_label(const xmlNode *n, char *buf, size_t len)
{
	const char *prefix = tw_xml_in_tw(n) ? "tw" : n->ns ? (const char *)n->ns->prefix : NULL;
	char q[TW_XML_QUOTE_MAX];
	tw_xml_quote((const char *)n->name, q);
	if (prefix)
		snprintf(buf, len, "<%s:%s>", prefix, q);
	else
		snprintf(buf, len, "<%s>", q);
}

void tw_xml_error_format(const struct tw_xml_error *e, char *out, size_t len)
{
	if (!len)
		return;
	snprintf(out, len, "%s%s%s%s%s", e->where, e->where[0] ? ": " : "", e->element,
		 e->element[0] ? ": " : "", e->msg);
	/* The one-line promise holds even for messages we did not write. */
	tw_one_line(out, len, ' ');
}
