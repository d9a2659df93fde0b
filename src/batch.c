/* batch.c - size-capped request body: an /api/put JSON array of points,
 * or VictoriaMetrics' /api/v1/import JSON lines
 * The cap is checked before appending, never after: no body is ever
 * larger than the limit the user gave. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "batch.h"
#include "xalloc.h"

/* gzip header and trailer, the final block, and a byte of slack */
#define GZ_OVERHEAD 32
#define GZ_RAW_MAX ((size_t)4 << 20)
/* what closes an import line after its values: the timestamps go
 * between */
#define LINE_MID "],\"timestamps\":["
#define LINE_MID_LEN (sizeof(LINE_MID) - 1)
#define LINE_END "]}\n"
#define LINE_END_LEN (sizeof(LINE_END) - 1)

struct batch_gzip {
	z_stream zs;
	size_t exact;   /* compressed bytes up to the last flush, exactly */
	size_t pending; /* uncompressed bytes fed since */
};

/* An empty batch of either kind: "[" and the bounds. */
static struct batch *
alloc_batch(size_t cap, size_t max_points, int source, int gzip)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	buf_init(&b->body);
	buf_init(&b->gz);
	buf_init(&b->head);
	buf_init(&b->ts);
	b->cap = cap;
	b->raw_cap = batch_raw_cap(cap, gzip);
	b->max_points = max_points;
	b->source = source;
	b->gzip = gzip;
	return b;
}

struct batch *
batch_new(size_t cap, size_t max_points, int source)
{
	struct batch *b = alloc_batch(cap, max_points, source, 0);

	/* the whole cap at once, and no more: appends never copy (bounded
	 * by the cap) */
	buf_reserve_exact(&b->body, cap);
	buf_putc(&b->body, '[');
	return b;
}

/* Deflate's output for n bytes not yet flushed is at most their stored
 * size: 5 bytes of header a block (a block holds at most 16383
 * symbols, one block more for a flush), and a partial byte. */
static size_t
stored_bound(size_t n)
{
	return n + 5 * (n / 16383 + 2) + 1;
}

/* Feeds n bytes (flush: Z_NO_FLUSH, Z_SYNC_FLUSH or Z_FINISH). */
static void
gz_feed(struct batch *b, const char *p, size_t n, int flush)
{
	z_stream *zs = &b->z->zs;
	int rc;

	if (n == 0 && flush == Z_NO_FLUSH)
		return;
	zs->next_in = (Bytef *)(uintptr_t)p;
	zs->avail_in = (uInt)n;
	do {
		buf_reserve(&b->gz, b->gz.len + 4096 + n / 2);
		zs->next_out = (Bytef *)b->gz.p + b->gz.len;
		zs->avail_out = (uInt)(b->gz.cap - b->gz.len - 1);
		rc = deflate(zs, flush);
		b->gz.len = (size_t)((char *)zs->next_out - b->gz.p);
	} while (zs->avail_out == 0 || (flush == Z_FINISH &&
	    rc != Z_STREAM_END) || zs->avail_in > 0);
	b->z->pending += n;
	if (flush != Z_NO_FLUSH) {
		b->z->exact = b->gz.len;
		b->z->pending = 0;
	}
}

static void
gz_start(struct batch *b)
{
	memset(&b->z->zs, 0, sizeof(b->z->zs));
	/* level 1: a sixth of the bytes of the sample at a third of the
	 * CPU of level 6 (a seventh); 15 + 16: a gzip wrapper */
	if (deflateInit2(&b->z->zs, 1, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		xalloc_die();
	b->z->exact = b->z->pending = 0;
	buf_reset(&b->gz);
	if (!b->import)
		gz_feed(b, "[", 1, Z_NO_FLUSH);
}

struct batch *
batch_new_gzip(size_t cap, size_t max_points, int source)
{
	struct batch *b = alloc_batch(cap, max_points, source, 1);

	buf_putc(&b->body, '[');
	b->z = xcalloc(1, sizeof(*b->z));
	gz_start(b);
	return b;
}

struct batch *
batch_new_import(size_t cap, size_t max_points, int source, int gzip)
{
	struct batch *b = alloc_batch(cap, max_points, source, gzip);

	b->import = 1;
	if (gzip) {
		b->z = xcalloc(1, sizeof(*b->z));
		gz_start(b);
	} else
		buf_reserve_exact(&b->body, cap);
	return b;
}

static void
gz_end(struct batch *b)
{
	if (b->z != NULL) {
		deflateEnd(&b->z->zs);
		free(b->z);
		b->z = NULL;
	}
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	gz_end(b);
	buf_free(&b->gz);
	buf_free(&b->body);
	buf_free(&b->head);
	buf_free(&b->ts);
	free(b->pts);
	free(b);
}

size_t
batch_raw_cap(size_t cap, int gzip)
{
	if (!gzip)
		return cap;
	if (cap > GZ_RAW_MAX / 16)
		return cap > GZ_RAW_MAX ? cap : GZ_RAW_MAX;
	return cap * 16;
}

size_t
batch_min_cap(size_t len)
{
	return len + 2;
}

/* Whether `add` more bytes, which close the body too, fit in the gzip
 * body: by the bound, else after a flush by the bound of what is left.
 * A first point alone (its bytes p1 and p2, then `rest` bytes that
 * close the body) by its exact size: then *fed is set. */
static enum batch_result
gz_fits(struct batch *b, size_t add, const char *p1, size_t n1,
    const char *p2, size_t n2, size_t rest, int *fed)
{
	struct batch_gzip *z = b->z;

	*fed = 0;
	if (z->exact + stored_bound(z->pending + add) + GZ_OVERHEAD <= b->cap)
		return BATCH_ADDED;
	if (z->pending > 0)
		gz_feed(b, NULL, 0, Z_SYNC_FLUSH);
	if (z->exact + stored_bound(add) + GZ_OVERHEAD <= b->cap)
		return BATCH_ADDED;
	if (b->n > 0)
		return BATCH_FULL;
	/* alone: compressed, the size is known; too big, start again */
	gz_feed(b, p1, n1, Z_NO_FLUSH);
	gz_feed(b, p2, n2, Z_SYNC_FLUSH);
	if (z->exact + stored_bound(rest) + GZ_OVERHEAD <= b->cap) {
		*fed = 1;
		return BATCH_ADDED;
	}
	deflateEnd(&z->zs);
	gz_start(b);
	return BATCH_TOO_BIG;
}

/* Drops the gzip stream: the batch is sent plain, under cap. */
static void
to_plain(struct batch *b)
{
	gz_end(b);
	buf_reset(&b->gz);
	b->gzip = 0;
	b->raw_cap = b->cap;
}

/* Whether a point's input position can be held beside the first's;
 * sets the first's. */
static int
position_fits(struct batch *b, uint64_t lineno, uint64_t end_offset)
{
	if (b->n == 0) {
		b->lineno0 = lineno;
		b->end0 = end_offset;
		return 1;
	}
	return lineno - b->lineno0 <= UINT32_MAX &&
	    end_offset - b->end0 <= UINT32_MAX;
}

/* Records point n: it starts at the body's end and takes len bytes. */
static void
new_point(struct batch *b, uint64_t lineno, uint64_t end_offset, size_t len)
{
	if (b->n == b->pts_cap) {
		b->pts_cap = b->pts_cap ? b->pts_cap * 2 : 64;
		b->pts = xreallocarray(b->pts, b->pts_cap, sizeof(*b->pts));
	}
	b->pts[b->n].line_delta = (uint32_t)(lineno - b->lineno0);
	b->pts[b->n].end_delta = (uint32_t)(end_offset - b->end0);
	b->pts[b->n].off = (uint32_t)b->body.len;
	b->pts[b->n].len = (uint32_t)len;
}

enum batch_result
batch_add(struct batch *b, const char *obj, size_t len, uint64_t lineno,
    uint64_t end_offset)
{
	size_t need;
	int fed = 0;

	if (batch_min_cap(len) > (b->z != NULL ? b->raw_cap : b->cap))
		return BATCH_TOO_BIG;
	need = b->body.len + (b->n > 0) + len + 1;
	if (need > b->raw_cap || (b->max_points && b->n >= b->max_points) ||
	    !position_fits(b, lineno, end_offset))
		return BATCH_FULL;
	if (b->z != NULL) {
		enum batch_result r = gz_fits(b, (b->n > 0) + len + 1, obj, len,
		    NULL, 0, 1, &fed);

		/* what the gzip body cannot take the plain one may (small
		 * points under a small cap): the batch goes plain, so that
		 * compressing never refuses a point or packs fewer */
		if (r != BATCH_ADDED && need > b->cap)
			return r;
		if (r != BATCH_ADDED)
			to_plain(b);
	}
	if (b->n > 0)
		buf_putc(&b->body, ',');
	new_point(b, lineno, end_offset, len);
	buf_append(&b->body, obj, len);
	if (b->z != NULL && !fed) {
		/* the separator and the object, in one call */
		size_t from = (size_t)b->pts[b->n].off - (b->n > 0);

		gz_feed(b, b->body.p + from, b->body.len - from, Z_NO_FLUSH);
	}
	b->n++;
	return BATCH_ADDED;
}

/* Appends n body bytes at p, fed to the gzip stream unless fed. */
static void
body_put(struct batch *b, const char *p, size_t n, int fed)
{
	buf_append(&b->body, p, n);
	if (b->z != NULL && !fed)
		gz_feed(b, p, n, Z_NO_FLUSH);
}

/* Closes the open import line. */
static void
close_line(struct batch *b)
{
	if (!b->open)
		return;
	body_put(b, LINE_MID, LINE_MID_LEN, 0);
	body_put(b, b->ts.p, b->ts.len, 0);
	body_put(b, LINE_END, LINE_END_LEN, 0);
	b->open = 0;
}

/* The decimal digits of a time in ms (not negative). */
static size_t
digits(int64_t v)
{
	size_t n = 1;

	if (v >= 1000000000000LL && v < 10000000000000LL)
		return 13; /* every time since 2001 */
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

enum batch_result
batch_add_import(struct batch *b, const char *head, size_t head_len,
    const char *val, size_t vlen, int64_t ts_ms, uint64_t lineno,
    uint64_t end_offset)
{
	size_t tn = digits(ts_ms);
	int same = b->open && b->head.len == head_len &&
	    memcmp(b->head.p, head, head_len) == 0;
	/* what the open line still needs to be closed */
	size_t unclosed = b->open ? LINE_MID_LEN + b->ts.len + LINE_END_LEN :
	    0;
	size_t alone = head_len + vlen + LINE_MID_LEN + tn + LINE_END_LEN;
	/* bytes the body grows by, closing bytes included */
	size_t add = same ? unclosed + 2 + vlen + tn : unclosed + alone;
	size_t need = b->body.len + add;
	int fed = 0;

	if (alone > (b->z != NULL ? b->raw_cap : b->cap))
		return BATCH_TOO_BIG;
	if (need > b->raw_cap || (b->max_points && b->n >= b->max_points) ||
	    !position_fits(b, lineno, end_offset))
		return BATCH_FULL;
	if (b->z != NULL) {
		enum batch_result r = gz_fits(b, add, head, head_len, val, vlen,
		    LINE_MID_LEN + tn + LINE_END_LEN, &fed);

		if (r != BATCH_ADDED && need > b->cap)
			return r;
		if (r != BATCH_ADDED)
			to_plain(b);
	}
	if (same) {
		body_put(b, ",", 1, 0);
		buf_putc(&b->ts, ',');
	} else {
		close_line(b);
		buf_reset(&b->head);
		buf_append(&b->head, head, head_len);
		buf_reset(&b->ts);
		body_put(b, head, head_len, fed);
		b->open = 1;
	}
	new_point(b, lineno, end_offset, vlen);
	body_put(b, val, vlen, fed);
	buf_put_int64(&b->ts, (long long)ts_ms);
	b->n++;
	return BATCH_ADDED;
}

uint64_t
batch_lineno(const struct batch *b, size_t i)
{
	return b->lineno0 + b->pts[i].line_delta;
}

uint64_t
batch_end_offset(const struct batch *b, size_t i)
{
	return b->end0 + b->pts[i].end_delta;
}

int
batch_finish(struct batch *b)
{
	if (!b->finished) {
		if (b->import)
			close_line(b);
		else
			buf_putc(&b->body, ']');
		b->finished = 1;
		if (b->z != NULL) {
			gz_feed(b, b->import ? NULL : "]", !b->import, Z_FINISH);
			gz_end(b);
			/* gzip that saves nothing is not worth sending */
			if (b->gz.len >= b->body.len && b->body.len <= b->cap)
				to_plain(b);
		}
	}
	return b->gzip && b->gz.len > b->cap ? -1 : 0;
}
