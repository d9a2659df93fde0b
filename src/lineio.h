/* lineio.h - bounded line reader: source name, line number, byte offset */
#ifndef OTSDB_LINEIO_H
#define OTSDB_LINEIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;

enum lineio_result {
	LINEIO_EOF = 0,
	LINEIO_LINE = 1, /* a line (without \n, and without a \r before it) */
	LINEIO_LONG = 2, /* over-long line, skipped; `line` holds its start */
	LINEIO_ERROR = -1
};

/* Reads lines of at most `maxlen` bytes from a file descriptor with a
 * buffer of about maxlen + 64 KiB, whatever the input size.  Before each
 * read(2) it calls wait(ctx, fd) if set, so a caller can service other
 * work (HTTP transfers) until the descriptor is readable. */
struct lineio {
	int fd;
	int owns_fd;
	char *name;       /* for messages: the path, or "-" for stdin */
	char *buf;
	size_t cap;
	size_t start;     /* first unconsumed byte in buf */
	size_t end;       /* end of valid data in buf */
	size_t scanned;   /* bytes after start known to hold no \n */
	size_t maxlen;
	int eof;
	/* set by the caller: at the end of input, an unterminated last line
	 * is left unread (a regular file still being written); `held` then
	 * gives its length */
	int hold_partial;
	size_t held;
	uint64_t lineno;  /* number of the line last returned (1-based) */
	uint64_t offset;  /* file offset just after the last returned line */
	uint64_t line_bytes; /* length of an over-long line (LINEIO_LONG) */
	char prefix[1024];   /* the start of an over-long line */
	void (*wait)(void *ctx, int fd);
	/* when set, reads go through it (see gzread.h), else read(2) */
	ssize_t (*read)(void *ctx, int fd, void *buf, size_t n,
	    struct error *err);
	void *read_ctx;
	/* when set and non-zero after a signal, a blocked read gives up */
	volatile sig_atomic_t *stop;
	void *wait_ctx;
};

/* Opens path ("-" = stdin).  Returns 0, or -1 with the reason. */
int lineio_open(struct lineio *r, const char *path, size_t maxlen,
    struct error *err);
void lineio_close(struct lineio *r);
/* The next line: *line and *len are valid until the next call.  With
 * hold_partial, an unterminated last line ends the input instead (EOF,
 * r->held its length, r->offset before it).  With
 * LINEIO_LONG, *line and *len hold the first bytes of the over-long line (at
 * most 1024) and r->line_bytes its full length. */
enum lineio_result lineio_next(struct lineio *r, const char **line,
    size_t *len, struct error *err);
/* Skips the first `offset` bytes, counting the lines in them (resume).
 * Returns 0, or -1 if the input is shorter or cannot be read. */
int lineio_skip(struct lineio *r, uint64_t offset, struct error *err);

/* Whether a line holds only spaces and tabs (or nothing). */
int lineio_blank(const char *s, size_t n);

#endif
