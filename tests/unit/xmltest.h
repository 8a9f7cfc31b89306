/* Helpers shared by the XML unit tests. */
#ifndef TW_TEST_XMLTEST_H
#define TW_TEST_XMLTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap-protocol.h"
#include "twxml.h"

/* make check exports top_srcdir; the fallback lets a test run by hand. */
static inline const char *xt_srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : TW_SRCDIR;
}

static inline void xt_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", xt_srcdir(), rel);
}

static inline const char *xt_msg(const struct tw_xml_error *e)
{
	static char buf[1024];
	tw_xml_error_format(e, buf, sizeof(buf));
	return buf;
}

/* Parse a file under the source tree; on failure say why in the TAP log. */
static inline int xt_load(const char *rel, struct tw_doc *doc)
{
	char path[4096];
	struct tw_xml_error err;
	xt_path(path, sizeof(path), rel);
	int r = tw_xml_parse_file(path, doc, &err);
	if (!tap_ok(r == 0, "%s parses", rel))
		tap_diag("  %s", xt_msg(&err));
	return r;
}

static inline const char *xt_cidr(const struct tw_cidr *c)
{
	static char buf[TW_CIDR_STRLEN];
	tw_cidr_format(c, buf, sizeof(buf));
	return buf;
}

static inline const char *xt_mac(const uint8_t mac[TW_MAC_LEN])
{
	static char buf[TW_MAC_STRLEN];
	tw_mac_format(mac, buf);
	return buf;
}

#endif
