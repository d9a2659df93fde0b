/* batch.c - size-capped /api/put request body: a JSON array of points
 * The cap is checked before appending, never after: no body is ever
 * larger than the limit the user gave. */
#include "config.h"

#include <stdlib.h>

#include "batch.h"
#include "xalloc.h"

struct batch *
batch_new(size_t cap, size_t max_points, int source)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	buf_init(&b->body);
	/* the whole cap at once: appends never copy (bounded by the cap) */
	buf_reserve(&b->body, cap);
	buf_putc(&b->body, '[');
	b->cap = cap;
	b->max_points = max_points;
	b->source = source;
	return b;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	buf_free(&b->body);
	free(b->pts);
	free(b);
}

size_t
batch_min_cap(size_t len)
{
	return len + 2;
}

enum batch_result
batch_add(struct batch *b, const char *obj, size_t len, uint64_t lineno,
    uint64_t end_offset)
{
	size_t need;

	if (batch_min_cap(len) > b->cap)
		return BATCH_TOO_BIG;
	need = b->body.len + (b->n > 0) + len + 1;
	if (need > b->cap || (b->max_points && b->n >= b->max_points))
		return BATCH_FULL;
	if (b->n == b->pts_cap) {
		b->pts_cap = b->pts_cap ? b->pts_cap * 2 : 64;
		b->pts = xreallocarray(b->pts, b->pts_cap, sizeof(*b->pts));
	}
	if (b->n > 0)
		buf_putc(&b->body, ',');
	b->pts[b->n].lineno = lineno;
	b->pts[b->n].end_offset = end_offset;
	b->pts[b->n].off = b->body.len;
	b->pts[b->n].len = len;
	buf_append(&b->body, obj, len);
	b->n++;
	return BATCH_ADDED;
}

void
batch_finish(struct batch *b)
{
	if (!b->finished) {
		buf_putc(&b->body, ']');
		b->finished = 1;
	}
}
