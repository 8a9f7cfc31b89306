/* Small questions about libxml2 nodes, asked the same way everywhere. How
 * messages name a node is error.c's business, which asks these. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

long tw_xml_line(const xmlNode *n)
{
	return n ? xmlGetLineNo((xmlNode *)n) : 0;
}

bool tw_xml_in_tw(const xmlNode *n)
{
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, TW_XML_NS);
}

bool tw_xml_is(const xmlNode *n, const char *tw_local)
{
	return n->type == XML_ELEMENT_NODE && tw_xml_in_tw(n) &&
	       !strcmp((const char *)n->name, tw_local);
}

bool tw_xml_is_plain(const xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, local);
}

bool tw_xml_is_text(const xmlNode *n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

xmlNode *tw_xml_first_plain(xmlNode *parent, const char *local)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (tw_xml_is_plain(n, local))
			return n;
	return NULL;
}

void *tw_xml_grow(void *arr, size_t n, size_t size)
{
	/* Reallocate only when n is 0 or a power of two: capacity doubles. */
	if (n && (n & (n - 1))) {
		memset((char *)arr + n * size, 0, size);
		return arr;
	}
	size_t cap = n ? 2 * n : 1;
	if (cap > SIZE_MAX / size)
		return NULL;
	char *p = realloc(arr, cap * size);
	if (!p)
		return NULL;
	memset(p + n * size, 0, size);
	return p;
}
