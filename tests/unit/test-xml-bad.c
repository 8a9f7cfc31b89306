/* The hostile and broken corpus in tests/bad/: every file must fail cleanly
 * with -EINVAL, one line naming file:line, nothing printed by libxml2, and
 * (where the file says "<!-- expect: ... -->") exactly the message promised.
 * Plus what cannot be a committed file: documents too big to read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xmltest.h"

/* The corpus has this many files at least; fewer means some went missing
 * (say, from EXTRA_DIST, and `make distcheck` would test nothing). */
#define CORPUS_MIN 100

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "<!-- expect: 3: <tw:x>: ... -->" near the top, or "" when absent. */
static void expectation(const char *path, char *out, size_t len)
{
	char head[1024] = "";
	out[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	size_t n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = 0;
	const char *s = strstr(head, "<!-- expect: ");
	const char *e = s ? strstr(s, " -->") : NULL;
	if (!s || !e)
		return;
	s += strlen("<!-- expect: ");
	snprintf(out, len, "%.*s", (int)(e - s), s);
}

static bool has_line(const char *where, const char *path)
{
	size_t n = strlen(path);
	if (strncmp(where, path, n) || where[n] != ':')
		return false;
	char *end;
	long line = strtol(where + n + 1, &end, 10);
	return line > 0 && !*end;
}

static void check_file(const char *dir, const char *name)
{
	char path[8192], want[1024], full[9300];
	struct tw_doc doc;
	struct tw_xml_error err;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int r = tw_xml_parse_file(path, &doc, &err);
	const char *m = xt_msg(&err);
	tap_ok(r == -EINVAL && !doc.net && !doc.domain && !doc.iface, "%s: fails with -EINVAL", name);
	tap_ok(has_line(err.where, path), "%s: names %s:LINE with LINE > 0", name, name);
	tap_ok(!strpbrk(m, "\n\r") && err.msg[0], "%s: one line", name);
	/* Whatever an entity pointed at never reaches the message. */
	tap_ok(!strstr(m, "root:x:0:0"), "%s: no file content leaks", name);
	expectation(path, want, sizeof(want));
	if (*want) {
		snprintf(full, sizeof(full), "%s:%s", path, want);
		tap_is_str(m, full, "message as promised in the file");
	}
	tw_doc_free(&doc);
}

static void check_corpus(void)
{
	char dir[4096];
	xt_path(dir, sizeof(dir), "tests/bad");
	DIR *d = opendir(dir);
	if (!tap_ok(d != NULL, "tests/bad is readable"))
		return;
	char *names[1024];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < TW_ARRAY_SIZE(names);)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	tap_ok(n >= CORPUS_MIN, "corpus has %zu files (at least %d)", n, CORPUS_MIN);

	/* libxml2 must say nothing by itself: catch anything on stderr. */
	fflush(stderr);
	FILE *cap = tmpfile();
	int saved = dup(2);
	dup2(fileno(cap), 2);
	for (size_t i = 0; i < n; i++)
		check_file(dir, names[i]);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct stat st;
	tap_ok(fstat(fileno(cap), &st) == 0 && st.st_size == 0, "nothing written to stderr");
	fclose(cap);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

/* A 50 MB document is refused from its size alone: a sparse file costs no
 * disk, and the parse must not read it (well under a second even with ASan). */
static void check_huge_file(void)
{
	char path[] = "/tmp/tw-xml-huge-XXXXXX";
	int fd = mkstemp(path);
	if (!tap_ok(fd >= 0 && ftruncate(fd, 50 << 20) == 0, "50 MB file made"))
		return;
	if (pwrite(fd, "<tw:net", 7, 0) != 7)
		tap_diag("  write failed");
	close(fd);
	struct tw_doc doc;
	struct tw_xml_error err;
	uint64_t t0 = tw_now_us();
	int r = tw_xml_parse_file(path, &doc, &err);
	uint64_t dt = tw_now_us() - t0;
	tap_is_int(r, -EFBIG, "50 MB document: -EFBIG");
	tap_ok(dt < 1000000, "refused quickly (%llu us)", (unsigned long long)dt);
	tap_like(xt_msg(&err), ": document is 52428800 bytes; tapwire reads at most 4194304 bytes (4 MiB)",
		 "size message");
	tap_ok(has_line(err.where, path) == false && !strcmp(err.where, path), "names the file, no line");
	unlink(path);
}

/* From a pipe the size is unknown: reading stops one byte past the limit. */
static void check_huge_pipe(void)
{
	int p[2];
	if (!tap_ok(pipe(p) == 0, "pipe"))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		static char block[65536];
		memset(block, ' ', sizeof(block));
		for (int i = 0; i < 50 * 16; i++) /* 50 MB, unless the reader stops first */
			if (write(p[1], block, sizeof(block)) < 0)
				_exit(0);
		_exit(0);
	}
	close(p[1]);
	char path[64];
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	struct tw_doc doc;
	struct tw_xml_error err;
	tap_is_int(tw_xml_parse_file(path, &doc, &err), -EFBIG, "50 MB from a pipe: -EFBIG");
	tap_like(xt_msg(&err), "document is larger than that; tapwire reads at most", "pipe message");
	close(p[0]);
	waitpid(pid, NULL, 0);
}

static void check_limit_exact(void)
{
	const char *head = "<tw:net xmlns:tw=\"urn:tapwire:1\" name=\"t\"><!--";
	const char *tail = "--></tw:net>";
	size_t len = TW_XML_MAX_BYTES;
	char *buf = malloc(len + 1);
	memset(buf, 'x', len + 1);
	memcpy(buf, head, strlen(head));
	memcpy(buf + len - strlen(tail), tail, strlen(tail));
	struct tw_doc doc;
	struct tw_xml_error err;
	int r = tw_xml_parse_memory(buf, len, "t.xml", &doc, &err);
	if (!tap_ok(r == 0, "a document of exactly 4 MiB parses"))
		tap_diag("  %s", xt_msg(&err));
	tw_doc_free(&doc);
	memcpy(buf + len + 1 - strlen(tail), tail, strlen(tail));
	tap_is_int(tw_xml_parse_memory(buf, len + 1, "t.xml", &doc, &err), -EFBIG,
		   "one byte more: -EFBIG");
	free(buf);
}

static void check_file_errors(void)
{
	struct tw_doc doc;
	struct tw_xml_error err;
	tap_is_int(tw_xml_parse_file("/nonexistent/lab.xml", &doc, &err), -ENOENT, "missing file: -ENOENT");
	tap_is_str(xt_msg(&err), "/nonexistent/lab.xml: cannot open: No such file or directory",
		   "missing file message");
	tap_is_int(tw_xml_parse_file("/", &doc, &err), -EISDIR, "directory: -EISDIR");
	tap_is_int(tw_xml_parse_file("", &doc, &err), -EINVAL, "empty path: -EINVAL");
}

int main(void)
{
	check_corpus();
	check_huge_file();
	check_huge_pipe();
	check_limit_exact();
	check_file_errors();
	return tap_done();
}
