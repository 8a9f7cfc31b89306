/* Turning bytes into a libxml2 tree without trusting them, then handing the
 * root element to the reader of its kind.
 *
 * libxml2 2.9 has no XML_PARSE_NO_XXE, so safety is ours to build: no
 * XML_PARSE_NOENT/DTDLOAD/DTDATTR/HUGE, XML_PARSE_NONET, and a SAX hook that
 * stops the parser at the first <!DOCTYPE>, before any entity declaration
 * is read. Without a DTD no entity can be declared, so none can expand
 * (billion laughs) or point at a file (XXE). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/trusted.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *tw_xml_errp;
#else
typedef xmlErrorPtr tw_xml_errp;
#endif

#if LIBXML_VERSION >= 21300
#define TW_PARSE_NO_XXE XML_PARSE_NO_XXE
#else
#define TW_PARSE_NO_XXE 0
#endif

/* BIG_LINES: line numbers past 65535 stay right in a 4 MiB document. */
#define TW_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | TW_PARSE_NO_XXE)

struct parse_state {
	struct tw_xml_ctx *c;
	bool failed;
	int depth;
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
	xmlInitParser();
}

/* ---- reading the bytes ------------------------------------------------ */

static int file_fail(struct tw_xml_ctx *c, int r, const char *what)
{
	tw_xml_fail(c, 0, NULL, "%s: %s", what, strerror(-r));
	return r;
}

static int too_big(struct tw_xml_ctx *c, const char *size)
{
	tw_xml_fail(c, 0, NULL, "document is %s; tapwire reads at most %u bytes (4 MiB)", size,
		    TW_XML_MAX_BYTES);
	return -EFBIG;
}

/* The one bounded reader: a pipe whose size fstat cannot tell is refused
 * once it passes the limit, never held whole. */
static int read_fd(struct tw_xml_ctx *c, int fd, char **buf, size_t *len)
{
	int r = tw_read_bounded(fd, TW_XML_MAX_BYTES, buf, len);
	if (r == -EFBIG)
		return too_big(c, "larger than that");
	if (r == -ENOMEM)
		return tw_xml_nomem(c);
	return r < 0 ? file_fail(c, r, "cannot read") : 0;
}

static int read_file(struct tw_xml_ctx *c, const char *path, char **buf, size_t *len)
{
	/* O_NOCTTY: a path naming a terminal must not become ours. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return file_fail(c, -errno, "cannot open");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return file_fail(c, -errno, "cannot stat");
	if (S_ISDIR(st.st_mode))
		return file_fail(c, -EISDIR, "cannot read");
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > TW_XML_MAX_BYTES) {
		char size[48];
		snprintf(size, sizeof(size), "%lld bytes", (long long)st.st_size);
		return too_big(c, size);
	}
	return read_fd(c, fd, buf, len);
}

/* ---- libxml2, fenced in ----------------------------------------------- */

static struct parse_state *state_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

__attribute__((format(printf, 2, 3))) static void stop(xmlParserCtxtPtr ctxt, const char *fmt,
							  ...)
{
	struct parse_state *st = ctxt->_private;
	if (!st->failed) {
		char msg[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		tw_xml_fail(st->c, xmlSAX2GetLineNumber(ctxt), NULL, "%s", msg);
	}
	st->failed = true;
	xmlStopParser(ctxt);
}

/* libxml2's text, on one line: "Bytes: 0xFF ..." follows on a second. */
static void on_error(void *ctx, tw_xml_errp e)
{
	struct parse_state *st = state_of(ctx);
	if (!e || e->level < XML_ERR_ERROR || st->failed)
		return;
	char msg[200];
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "unknown error");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = 0;
	char *bytes = strstr(msg, "\nBytes: ");
	st->failed = true;
	/* libxml2 says "indicate encoding !"; tapwire wants UTF-8, say that. */
	if (!strncmp(msg, "Input is not proper UTF-8", 25) && bytes) {
		tw_xml_fail(st->c, e->line, NULL, "invalid UTF-8 (bytes %s); tapwire reads UTF-8 XML",
			    bytes + 8);
		return;
	}
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	tw_xml_fail(st->c, e->line, NULL, "malformed XML: %s", msg);
}

__attribute__((format(printf, 2, 3))) static void on_generic(void *ctx, const char *fmt, ...)
{
	/* Everything worth saying arrives through on_error(); this only keeps
	 * libxml2's default handler from writing to stderr. */
}

static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	stop(ctx, "<!DOCTYPE> is refused: tapwire XML takes no DTD, so no entity can read a file or expand");
}

static void on_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
		      const xmlChar *sys, xmlChar *content)
{
	char q[TW_XML_QUOTE_MAX];
	stop(ctx, "entity declaration '%s' is refused: tapwire XML takes no entities",
	     tw_xml_quote((const char *)name, q));
}

/* Counting depth here refuses a deep document before it is built, with our
 * message instead of libxml2's own limit (256) being hit later. */
static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
		     int n_ns, const xmlChar **ns, int n_attrs, int n_defaulted,
		     const xmlChar **attrs)
{
	struct parse_state *st = state_of(ctx);
	if (++st->depth > TW_XML_MAX_DEPTH) {
		stop(ctx, "elements nest deeper than %d levels", TW_XML_MAX_DEPTH);
		return;
	}
	st->start(ctx, local, prefix, uri, n_ns, ns, n_attrs, n_defaulted, attrs);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct parse_state *st = state_of(ctx);
	st->depth--;
	st->end(ctx, local, prefix, uri);
}

static xmlParserCtxtPtr new_parser(struct parse_state *st)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return NULL;
	ctxt->_private = st;
	xmlSAXHandler *sax = ctxt->sax;
	sax->serror = on_error;
	sax->internalSubset = on_doctype;
	sax->entityDecl = on_entity;
	st->start = sax->startElementNs;
	st->end = sax->endElementNs;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	return ctxt;
}

/* A NUL cannot be in XML; libxml2 would call it an invalid character at
 * the wrong place (it stops at the NUL), so name it precisely. */
static int check_nul(struct tw_xml_ctx *c, const char *buf, size_t len)
{
	const char *nul = memchr(buf, 0, len);
	if (!nul)
		return 0;
	long line = 1;
	for (const char *p = buf; p < nul; p++)
		line += *p == '\n';
	return tw_xml_fail(c, line, NULL,
			   "NUL byte in the document; tapwire reads UTF-8 XML (not UTF-16)");
}

/* libxml2's per-thread handlers are swapped for the duration of one parse,
 * and put back, so errors raised without a parser context (encoding setup,
 * memory) come to us too and the embedding program keeps its own. */
struct saved_handlers {
	xmlStructuredErrorFunc serror;
	void *sctx;
	xmlGenericErrorFunc gerror;
	void *gctx;
};

static void handlers_install(struct saved_handlers *s, xmlParserCtxtPtr ctxt)
{
	s->serror = xmlStructuredError;
	s->sctx = xmlStructuredErrorContext;
	s->gerror = xmlGenericError;
	s->gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(ctxt, on_error);
	xmlSetGenericErrorFunc(NULL, on_generic);
}

static void handlers_restore(const struct saved_handlers *s)
{
	xmlSetStructuredErrorFunc(s->sctx, s->serror);
	xmlSetGenericErrorFunc(s->gctx, s->gerror);
}

static int parse_tree(struct tw_xml_ctx *c, const char *buf, size_t len, xmlDocPtr *out)
{
	struct parse_state st = { .c = c };
	xmlParserCtxtPtr ctxt = new_parser(&st);
	if (!ctxt)
		return tw_xml_nomem(c);
	struct saved_handlers saved;
	handlers_install(&saved, ctxt);
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, c->name, NULL, TW_PARSE_OPTIONS);
	handlers_restore(&saved);
	bool ok = doc && !st.failed && ctxt->wellFormed && ctxt->nsWellFormed;
	if (ok && (doc->intSubset || doc->extSubset)) { /* on_doctype() should have stopped it */
		tw_xml_fail(c, 1, NULL, "a DTD is refused: tapwire XML takes none");
		ok = false;
	}
	if (!ok && !c->err->msg[0])
		tw_xml_fail(c, 0, NULL, "malformed XML");
	xmlFreeParserCtxt(ctxt);
	if (!ok) {
		xmlFreeDoc(doc);
		return -EINVAL;
	}
	*out = doc;
	return 0;
}

/* ---- the document ------------------------------------------------------ */

static int wrong_root(struct tw_xml_ctx *c, xmlNode *root)
{
	char label[64];
	tw_xml_label(root, label, sizeof(label));
	long line = tw_xml_line(root);
	if (tw_xml_in_tw(root))
		return tw_xml_fail(c, line, label, "a tapwire document's root element is <tw:net>");
	if (root->ns && root->ns->href && !strcmp((const char *)root->name, "net")) {
		char q[TW_XML_QUOTE_MAX];
		return tw_xml_fail(c, line, label,
				   "namespace '%s' is not the tapwire namespace '" TW_XML_NS "'",
				   tw_xml_quote((const char *)root->ns->href, q));
	}
	if (tw_xml_is_plain(root, "net"))
		return tw_xml_fail(c, line, label,
				   "not in the tapwire namespace; write <tw:net xmlns:tw=\"" TW_XML_NS "\">");
	return tw_xml_fail(c, line, label,
			   "unknown root element; expected <tw:net xmlns:tw=\"" TW_XML_NS "\">, a libvirt <domain> or an <interface>");
}

static int read_root(struct tw_xml_ctx *c, xmlNode *root, struct tw_doc *out)
{
	if (!root)
		return tw_xml_fail(c, 0, NULL, "the document has no root element");
	if (tw_xml_is(root, "net")) {
		out->kind = TW_DOC_NET;
		return tw_xml_read_net(c, root, NULL, &out->net);
	}
	if (tw_xml_is_plain(root, "domain")) {
		out->kind = TW_DOC_DOMAIN;
		return tw_xml_read_domain(c, root, &out->domain);
	}
	if (tw_xml_is_plain(root, "interface")) {
		out->kind = TW_DOC_IFACE;
		return tw_xml_read_iface_doc(c, root, &out->iface);
	}
	return wrong_root(c, root);
}

static int parse(struct tw_xml_ctx *c, const char *buf, size_t len, struct tw_doc *out)
{
	if (len > TW_XML_MAX_BYTES) {
		char size[48];
		snprintf(size, sizeof(size), "%zu bytes", len);
		return too_big(c, size);
	}
	int r = check_nul(c, buf, len);
	if (r < 0)
		return r;
	pthread_once(&init_once, init_libxml);
	xmlDocPtr doc = NULL;
	if ((r = parse_tree(c, buf, len, &doc)) < 0)
		return r;
	r = read_root(c, xmlDocGetRootElement(doc), out);
	xmlFreeDoc(doc);
	if (r < 0)
		tw_doc_free(out);
	return r;
}

static void start(struct tw_xml_ctx *c, const char *name, struct tw_doc *out,
		  struct tw_xml_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	c->name = name && *name ? name : "(memory)";
	c->err = err;
}

int tw_xml_parse_memory(const char *buf, size_t len, const char *name, struct tw_doc *out,
			struct tw_xml_error *err)
{
	struct tw_xml_error scratch;
	struct tw_xml_ctx c;
	start(&c, name, out, err ? err : &scratch);
	if (!buf)
		return tw_xml_fail(&c, 0, NULL, "no document");
	return parse(&c, buf, len, out);
}

int tw_xml_parse_file(const char *path, struct tw_doc *out, struct tw_xml_error *err)
{
	struct tw_xml_error scratch;
	struct tw_xml_ctx c;
	start(&c, path, out, err ? err : &scratch);
	if (!path || !*path)
		return tw_xml_fail(&c, 0, NULL, "no file name");
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_file(&c, path, &buf, &len);
	if (r < 0)
		return r;
	return parse(&c, buf, len, out);
}

void tw_doc_free(struct tw_doc *doc)
{
	if (!doc)
		return;
	tw_net_free(doc->net);
	tw_domain_free(doc->domain);
	free(doc->iface);
	memset(doc, 0, sizeof(*doc));
}
