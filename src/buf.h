/* buf.h - growable byte buffer */
#ifndef OTSDB_BUF_H
#define OTSDB_BUF_H

#include <stddef.h>

/* A byte buffer that grows on demand.  `p` is always NUL-terminated after
 * any append (the NUL is not counted in `len`).  Zero-initialise or call
 * buf_init; buf_free releases the memory and leaves an empty buffer. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Makes room for `n` more bytes. */
void buf_reserve(struct buf *b, size_t n);
/* The same, with no room to spare: for a buffer of a known bound. */
void buf_reserve_exact(struct buf *b, size_t n);
/* Gives back the room past len (all of it when b is empty), for a
 * buffer that is full for good and may be held long. */
void buf_shrink(struct buf *b);
/* Appends n bytes, growing the buffer first. */
void buf_append_slow(struct buf *b, const void *p, size_t n);

/* Appends n bytes (the common case, when they fit, inline). */
static inline void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->len + n < b->cap) {
		__builtin_memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else
		buf_append_slow(b, p, n);
}
void buf_puts(struct buf *b, const char *s);
/* Appends one byte. */
static inline void
buf_putc(struct buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
	} else
		buf_append_slow(b, &c, 1);
}
/* Appends the decimal text of v. */
void buf_put_int64(struct buf *b, long long v);
/* Shortens the buffer to `len` bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);

#endif
