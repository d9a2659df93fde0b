/* test-batch.c - unit tests of batch.c: no body ever exceeds its cap,
 * the closing bracket included, and the point limit holds */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "tap.h"

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
		    b->pts[1].lineno == 4 && b->pts[1].end_offset == 120 &&
		    b->source == 7, "points: where each sits and came from");
		ok(batch_min_cap(7) == 9, "smallest cap for one object");
		batch_free(b);
	}
	batch_free(NULL);
	return done();
}
