/* lineio.c - bounded line reader: source name, line number, byte offset
 * Memory is one buffer of maxlen + READ_CHUNK bytes, of which only the
 * front is touched unless lines are long: an over-long line is skipped
 * as it streams past, never held whole. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "lineio.h"
#include "xalloc.h"

#define READ_CHUNK 65536

int
lineio_open(struct lineio *r, const char *path, size_t maxlen,
    struct error *err)
{
	memset(r, 0, sizeof(*r));
	if (strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			error_set(err, "%s: %s", path, strerror(errno));
			return -1;
		}
		r->owns_fd = 1;
	}
	r->name = xstrdup(strcmp(path, "-") == 0 ? "(stdin)" : path);
	r->maxlen = maxlen;
	r->cap = maxlen + 1 + READ_CHUNK;
	r->buf = xmalloc(r->cap);
	return 0;
}

void
lineio_close(struct lineio *r)
{
	if (r->owns_fd && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->name);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/* Reads more input after the data in buf.  Returns bytes read, 0 at end
 * of input, -1 on error. */
static ssize_t
fill(struct lineio *r, struct error *err)
{
	ssize_t n;
	size_t room;

	/* the unread rest moves to the front when it is no longer than what
	 * was read (so the copying costs at most the bytes read), and reads
	 * are of READ_CHUNK at most: only the front of the buffer is ever
	 * touched, unless a line is that long */
	if (r->start > 0 && (r->end == r->cap ||
	    r->end - r->start <= r->start)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	room = r->cap - r->end < READ_CHUNK ? r->cap - r->end : READ_CHUNK;
	if (r->wait != NULL)
		r->wait(r->wait_ctx, r->fd);
	if (r->read != NULL) {
		struct error why;

		why.msg[0] = '\0';
		do
			n = r->read(r->read_ctx, r->fd, r->buf + r->end, room,
			    &why);
		while (n < 0 && errno == EINTR && !(r->stop && *r->stop));
		if (n < 0) {
			error_set(err, "%s: %s", r->name, why.msg[0] ? why.msg :
			    strerror(errno));
			return -1;
		}
	} else {
		do
			n = read(r->fd, r->buf + r->end, room);
		while (n < 0 && errno == EINTR && !(r->stop && *r->stop));
		if (n < 0) {
			error_set(err, "%s: read error: %s", r->name,
			    strerror(errno));
			return -1;
		}
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return n;
}

/* Discards the rest of an over-long line, up to and including its \n. */
static int
skip_long(struct lineio *r, struct error *err)
{
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			size_t k = (size_t)(nl - (r->buf + r->start)) + 1;

			r->line_bytes += k - 1;
			r->offset += k;
			r->start += k;
			return 0;
		}
		r->line_bytes += r->end - r->start;
		r->offset += r->end - r->start;
		r->start = r->end = 0;
		if (r->eof)
			return 0;
		n = fill(r, err);
		if (n < 0)
			return -1;
	}
}

enum lineio_result
lineio_next(struct lineio *r, const char **line, size_t *len,
    struct error *err)
{
	char *nl;
	size_t n;
	ssize_t got;

	for (;;) {
		n = r->end - r->start;
		nl = memchr(r->buf + r->start + r->scanned, '\n',
		    n - r->scanned);
		if (nl == NULL && r->eof && n > 0 && r->hold_partial &&
		    n <= r->maxlen) {
			r->held = n;
			return LINEIO_EOF;
		}
		if (nl != NULL || (r->eof && n > 0)) {
			size_t k = nl ? (size_t)(nl - (r->buf + r->start)) : n;

			r->scanned = 0;
			r->lineno++;
			if (k > r->maxlen)
				goto long_line;
			*line = r->buf + r->start;
			*len = k;
			r->start += k + (nl != NULL);
			r->offset += k + (nl != NULL);
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return LINEIO_LINE;
		}
		r->scanned = n;
		if (n > r->maxlen) {
			r->lineno++;
			r->scanned = 0;
			goto long_line;
		}
		if (r->eof)
			return LINEIO_EOF;
		got = fill(r, err);
		if (got == -1)
			return LINEIO_ERROR;
	}
long_line:
	{
		size_t keep = r->end - r->start;
		const char *eol;

		if (keep > sizeof(r->prefix))
			keep = sizeof(r->prefix);
		/* with a small maxlen the next lines may be in the buffer */
		eol = memchr(r->buf + r->start, '\n', keep);
		if (eol != NULL)
			keep = (size_t)(eol - (r->buf + r->start));
		memcpy(r->prefix, r->buf + r->start, keep);
		*line = r->prefix;
		*len = keep;
	}
	r->line_bytes = 0;
	if (skip_long(r, err) < 0)
		return LINEIO_ERROR;
	return LINEIO_LONG;
}

int
lineio_skip(struct lineio *r, uint64_t offset, struct error *err)
{
	while (r->offset < offset) {
		size_t n = r->end - r->start, k;
		const char *p, *q;
		ssize_t got;

		if (n == 0) {
			got = r->eof ? 0 : fill(r, err);
			if (got < 0)
				return -1;
			if (got == 0) {
				error_set(err, "%s: shorter than the resume offset "
				    "%llu", r->name, (unsigned long long)offset);
				return -1;
			}
			continue;
		}
		k = offset - r->offset < n ? (size_t)(offset - r->offset) : n;
		p = r->buf + r->start;
		for (q = p; (q = memchr(q, '\n', (size_t)(p + k - q))) != NULL;
		    q++)
			r->lineno++;
		r->start += k;
		r->offset += k;
	}
	r->scanned = 0;
	return 0;
}

int
lineio_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}
