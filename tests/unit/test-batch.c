/* test-batch.c - unit tests of batch.c: no body ever exceeds its cap,
 * the closing bracket included, and the point limit holds; gzip bodies
 * stay under the cap for data that compresses well, badly or not at
 * all, and inflate to the batch's points */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "batch.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;

static unsigned
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 32);
}

/* A datapoint-like object: kind 0 repeats itself (compresses well),
 * 1 has a random value and one of 16 tag values (as a metric's series
 * do), 2 random bytes (any byte but '"' and '\\': nothing compresses),
 * of about len bytes. */
static size_t
make_obj(char *out, size_t len, int kind, unsigned i)
{
	size_t n = (size_t)snprintf(out, len, "{\"metric\":\"sys.cpu\","
	    "\"timestamp\":%u,\"value\":%u,\"tags\":{\"host\":\"",
	    1678233600u + i, kind == 0 ? i % 7 : next_rand());

	while (n + 3 < len) {
		unsigned c = kind == 2 ? 0x23 + next_rand() % 0xd0 :
		    'a' + (kind == 0 ? n % 5 : (n * 7 + i % 16) % 26);

		out[n++] = (char)(c == '\\' ? 'x' : c);
	}
	out[n++] = '"';
	out[n++] = '}';
	out[n++] = '}';
	return n;
}

/* Inflates a gzip body into out; returns its length, or (size_t)-1. */
static size_t
gunzip(const char *in, size_t n, char *out, size_t cap)
{
	z_stream zs;
	size_t len;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return (size_t)-1;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	rc = inflate(&zs, Z_FINISH);
	len = cap - zs.avail_out;
	inflateEnd(&zs);
	return rc == Z_STREAM_END && zs.avail_in == 0 ? len : (size_t)-1;
}

/* Finishes b: 1 when its gzip body fails or does not inflate to its
 * plain one, else 0; the size sent raises *worst.  A batch is sent plain
 * when gzip could not take more or saved nothing: then the plain body is
 * under the cap. */
static size_t
finish(struct batch *b, size_t *worst)
{
	static char raw[1 << 23];
	size_t sent;

	if (batch_finish(b) < 0)
		return 1;
	sent = b->gzip ? b->gz.len : b->body.len;
	if (sent > *worst)
		*worst = sent;
	return b->gzip && (gunzip(b->gz.p, b->gz.len, raw, sizeof(raw)) !=
	    b->body.len || memcmp(raw, b->body.p, b->body.len) != 0);
}

/* Packs `count` objects of a kind and size into gzip batches of cap
 * bytes: every body under the cap and inflating to the points; returns
 * the number of batches. */
static size_t
gzip_rows(size_t cap, int kind, size_t obj_len, size_t count)
{
	static char obj[70000];
	struct batch *b = batch_new_gzip(cap, 0, 0);
	size_t k, len, batches = 0, points = 0, worst = 0, bad = 0;
	size_t too_big = 0;
	enum batch_result r;

	for (k = 0; k <= count; k++) {
		len = k < count ? make_obj(obj, obj_len, kind, (unsigned)k) : 0;
		r = k < count ? batch_add(b, obj, len, k + 1, k) : BATCH_FULL;
		if (r == BATCH_FULL && b->n > 0) {
			bad += finish(b, &worst);
			batches++;
			points += b->n;
			batch_free(b);
			b = batch_new_gzip(cap, 0, 0);
			if (k < count)
				r = batch_add(b, obj, len, k + 1, k);
		}
		too_big += k < count && r == BATCH_TOO_BIG;
	}
	batch_free(b);
	ok(worst <= cap && bad == 0 && points + too_big == count,
	    "gzip, cap %zu, kind %d, %zu objects of %zu bytes: %zu batches, "
	    "largest %zu, %zu too big, %zu bad", cap, kind, count, obj_len,
	    batches, worst, too_big, bad);
	return batches;
}

/* The expected import body: closed lines, and the open run. */
struct want {
	struct buf lines, vals, ts;
	const char *head;  /* the open run's head, or NULL */
};

static void
want_close(struct want *w)
{
	if (w->head == NULL)
		return;
	buf_puts(&w->lines, w->head);
	buf_append(&w->lines, w->vals.p, w->vals.len);
	buf_puts(&w->lines, "],\"timestamps\":[");
	buf_append(&w->lines, w->ts.p, w->ts.len);
	buf_puts(&w->lines, "]}\n");
	buf_reset(&w->vals);
	buf_reset(&w->ts);
	w->head = NULL;
}

static void
want_add(struct want *w, const char *head, const char *val, size_t vlen,
    int64_t ts)
{
	if (w->head != head)
		want_close(w);
	if (w->head != NULL) {
		buf_putc(&w->vals, ',');
		buf_putc(&w->ts, ',');
	}
	w->head = head;
	buf_append(&w->vals, val, vlen);
	buf_put_int64(&w->ts, (long long)ts);
}

/* Packs `count` points of a few series (runs of random length, values
 * of random length) into import batches of cap bytes, plain or gzip:
 * every body under the cap, its text exactly the JSON lines of its
 * points (a line a run of one series), and every point in a batch or
 * too big.  Returns the number of batches. */
static size_t
import_rows(size_t cap, int gzip, size_t count)
{
	static const char *h[3] = {
		"{\"metric\":{\"__name__\":\"a\"},\"values\":[",
		"{\"metric\":{\"__name__\":\"sys.cpu\",\"host\":\"x1\"},"
		    "\"values\":[",
		"{\"metric\":{\"__name__\":\"sys.cpu\",\"host\":\"x2\"},"
		    "\"values\":["
	};
	struct batch *b = batch_new_import(cap, 0, 0, gzip);
	struct want w;
	char val[600];
	size_t k, vlen = 0, batches = 0, points = 0, worst = 0;
	size_t bad = 0, too_big = 0, series = 0, run = 0;
	int64_t ts = 1678233600000;
	enum batch_result r;

	memset(&w, 0, sizeof(w));
	rng = 88172645463325252ULL; /* the same points, plain or gzip */
	for (k = 0; k <= count; k++) {
		if (k < count) {
			if (run == 0) {
				series = next_rand() % 3;
				run = 1 + next_rand() % 40;
			}
			run--;
			vlen = next_rand() % 8 == 0 ? 1 + next_rand() % 500 :
			    1 + next_rand() % 12;
			memset(val, '1' + (char)(next_rand() % 9), vlen);
			ts += 1 + next_rand() % 5000;
			r = batch_add_import(b, h[series], strlen(h[series]),
			    val, vlen, ts, k + 1, k);
		} else
			r = BATCH_FULL;
		if (r == BATCH_FULL && b->n > 0) {
			bad += finish(b, &worst);
			want_close(&w);
			bad += b->body.len != w.lines.len ||
			    memcmp(b->body.p, w.lines.p, w.lines.len) != 0;
			buf_reset(&w.lines);
			batches++;
			points += b->n;
			batch_free(b);
			b = batch_new_import(cap, 0, 0, gzip);
			if (k < count)
				r = batch_add_import(b, h[series],
				    strlen(h[series]), val, vlen, ts, k + 1, k);
		}
		if (k < count && r == BATCH_TOO_BIG)
			too_big++;
		else if (k < count && r == BATCH_ADDED)
			want_add(&w, h[series], val, vlen, ts);
		else if (k < count)
			bad++;
	}
	batch_free(b);
	buf_free(&w.lines);
	buf_free(&w.vals);
	buf_free(&w.ts);
	ok(worst <= cap && bad == 0 && points + too_big == count,
	    "import%s, cap %zu, %zu points: %zu batches, largest %zu, %zu "
	    "too big, %zu bad", gzip ? " gzip" : "", cap, count, batches,
	    worst, too_big, bad);
	return batches;
}

int
main(void)
{
	static const struct {
		size_t cap, max_points;
		size_t obj_len, count;
		size_t want_batches;
	} rows[] = {
		/* "[" + 10 + "]" = 12: one object a batch */
		{ 12, 0, 10, 5, 5 },
		/* 11 is too small for even one: every one too big */
		{ 11, 0, 10, 3, 0 },
		/* [a,b] = 1 + 10 + 1 + 10 + 1 = 23 */
		{ 23, 0, 10, 6, 3 },
		{ 22, 0, 10, 6, 6 },
		{ 4096, 3, 10, 7, 3 },
		{ 4096, 0, 100, 1000, 25 },
	};
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char obj[200];
		struct batch *b = batch_new(rows[i].cap, rows[i].max_points, 0);
		size_t batches = 0, too_big = 0, worst = 0, points = 0;
		enum batch_result r;

		memset(obj, 'x', rows[i].obj_len);
		for (k = 0; k < rows[i].count; k++) {
			r = batch_add(b, obj, rows[i].obj_len, k + 1, k);
			if (r == BATCH_FULL) {
				batch_finish(b);
				batches++;
				points += b->n;
				if (b->body.len > worst)
					worst = b->body.len;
				batch_free(b);
				b = batch_new(rows[i].cap, rows[i].max_points,
				    0);
				r = batch_add(b, obj, rows[i].obj_len, k + 1,
				    k);
			}
			too_big += r == BATCH_TOO_BIG;
		}
		if (b->n > 0) {
			batch_finish(b);
			batches++;
			points += b->n;
			if (b->body.len > worst)
				worst = b->body.len;
		}
		batch_free(b);
		ok(batches == rows[i].want_batches, "cap %zu, %zu objects of "
		    "%zu: %zu batches", rows[i].cap, rows[i].count,
		    rows[i].obj_len, batches);
		ok(worst <= rows[i].cap, "cap %zu: largest body %zu",
		    rows[i].cap, worst);
		ok(points + too_big == rows[i].count,
		    "cap %zu: every object in a batch or refused", rows[i].cap);
	}
	{
		struct batch *b = batch_new(64, 0, 7);

		batch_add(b, "{\"a\":1}", 7, 3, 99);
		batch_add(b, "{\"b\":2}", 7, 4, 120);
		batch_finish(b);
		is_str(b->body.p, "[{\"a\":1},{\"b\":2}]", "body: a JSON array");
		ok(b->pts[1].off == 9 && b->pts[1].len == 7 &&
		    batch_lineno(b, 1) == 4 && batch_end_offset(b, 1) == 120 &&
		    b->source == 7, "points: where each sits and came from");
		ok(batch_min_cap(7) == 9, "smallest cap for one object");
		batch_free(b);
	}
	{
		/* where a point came from is kept as from the first point,
		 * in 32 bits: past that the batch is full */
		struct batch *b = batch_new(4096, 0, 0);
		uint64_t far = (uint64_t)1 << 32;

		ok(batch_add(b, "{}", 2, far, 5 * far) == BATCH_ADDED &&
		    batch_add(b, "{}", 2, 2 * far - 1, 6 * far - 1) ==
		    BATCH_ADDED, "points 4 Gi - 1 lines and bytes on: added");
		ok(batch_lineno(b, 1) == 2 * far - 1 &&
		    batch_end_offset(b, 1) == 6 * far - 1 &&
		    batch_lineno(b, 0) == far && batch_end_offset(b, 0) ==
		    5 * far, "their line numbers and offsets, exactly");
		ok(batch_add(b, "{}", 2, 2 * far, 6 * far - 1) == BATCH_FULL,
		    "a point 4 Gi lines on: the batch is full");
		ok(batch_add(b, "{}", 2, 2 * far - 1, 6 * far) == BATCH_FULL,
		    "a point 4 GiB on: the batch is full");
		ok(b->n == 2, "and neither was added");
		batch_free(b);
	}
	{
		static const size_t caps[] = { 48, 64, 100, 200, 512, 4096,
		    10000, 70000 };
		static const size_t lens[] = { 60, 120, 700, 5000, 60000 };
		size_t c, l;
		int kind;

		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
			for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
				for (kind = 0; kind < 3; kind++)
					gzip_rows(caps[c], kind, lens[l],
					    lens[l] > 1000 ? 40 : 400);
	}
	{
		/* a datapoint that only fits compressed, and one that never
		 * fits: the first alone, the second refused */
		static char obj[5000];
		struct batch *b = batch_new_gzip(200, 0, 0);
		size_t len = make_obj(obj, 3000, 0, 1);

		ok(batch_add(b, obj, len, 1, 1) == BATCH_ADDED && b->n == 1,
		    "a 3000-byte point that compresses fits a 200-byte cap");
		ok(batch_finish(b) == 0 && b->gz.len <= 200,
		    "and its body is %zu bytes", b->gz.len);
		batch_free(b);
		b = batch_new_gzip(200, 0, 0);
		len = make_obj(obj, 3000, 2, 1);
		ok(batch_add(b, obj, len, 1, 1) == BATCH_TOO_BIG && b->n == 0,
		    "a 3000-byte point of random bytes is too big for 200");
		len = make_obj(obj, 100, 0, 2);
		ok(batch_add(b, obj, len, 2, 2) == BATCH_ADDED &&
		    batch_finish(b) == 0 && (b->gzip ? b->gz.len <= 200 &&
		    gunzip(b->gz.p, b->gz.len, obj, sizeof(obj)) ==
		    b->body.len : b->body.len <= 200),
		    "and the batch goes on after it");
		batch_free(b);
	}
	{
		/* small caps: a point that fits plain is never refused, and
		 * gzip never packs fewer points a batch than plain */
		static const size_t caps[] = { 200, 300, 512 };
		char obj[400];
		size_t c, j, len;

		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			size_t plain = 0, gz = 0, refused = 0, sent_plain = 0;
			struct batch *p = batch_new(caps[c], 0, 0);
			struct batch *g = batch_new_gzip(caps[c], 0, 0);

			for (j = 0; j < 2000; j++) {
				/* at 200: 160 to 171 bytes that do not
				 * compress (their gzip is over the cap) */
				len = caps[c] == 200 ? make_obj(obj, 160 + j % 12,
				    2, (unsigned)j) : make_obj(obj, 110, 1,
				    (unsigned)j);
				if (batch_add(p, obj, len, j, j) == BATCH_FULL) {
					plain++;
					batch_free(p);
					p = batch_new(caps[c], 0, 0);
					batch_add(p, obj, len, j, j);
				}
				switch (batch_add(g, obj, len, j, j)) {
				case BATCH_FULL:
					batch_finish(g);
					sent_plain += !g->gzip;
					gz++;
					batch_free(g);
					g = batch_new_gzip(caps[c], 0, 0);
					refused += batch_add(g, obj, len, j, j) !=
					    BATCH_ADDED;
					break;
				case BATCH_TOO_BIG:
					refused++;
					break;
				default:
					break;
				}
			}
			batch_free(p);
			batch_free(g);
			ok(refused == 0 && gz <= plain, "--compress at cap %zu: "
			    "none of 2000 points refused (%zu), %zu batches "
			    "where plain takes %zu (%zu sent plain)", caps[c],
			    refused, gz + 1, plain + 1, sent_plain);
		}
	}
	{
		/* datapoints like the sample: gzip holds at least 3 times as
		 * many under the same 4096-byte cap */
		size_t plain = 0, j, len;
		char obj[200];
		struct batch *b = batch_new(4096, 0, 0);

		for (j = 0; j < 20000; j++) {
			len = make_obj(obj, 110, 1, (unsigned)j);
			if (batch_add(b, obj, len, j, j) == BATCH_FULL) {
				plain++;
				batch_free(b);
				b = batch_new(4096, 0, 0);
				batch_add(b, obj, len, j, j);
			}
		}
		batch_free(b);
		j = gzip_rows(4096, 1, 110, 20000);
		ok(j * 3 <= plain + 1, "gzip: %zu batches where plain takes %zu",
		    j, plain + 1);
	}
	{
		/* import: caps from a point's size to 1 MiB, plain and gzip;
		 * gzip packs more points a batch, never fewer */
		static const size_t caps[] = { 64, 100, 700, 4096, 65536,
		    1 << 20 };
		size_t c, plain, gz;

		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			plain = import_rows(caps[c], 0, 20000);
			gz = import_rows(caps[c], 1, 20000);
			ok(gz <= plain, "import cap %zu: gzip %zu batches, plain "
			    "%zu", caps[c], gz, plain);
		}
	}
	batch_free(NULL);
	return done();
}
