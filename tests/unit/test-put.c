/* test-put.c - unit tests of put.c: which points of a batch a details
 * answer refuses, matched by metric, time and tags */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "put.h"
#include "tap.h"

static const char *const points[] = {
	"{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
	"\"tags\":{\"a\":\"1\"}}",
	"{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":2,"
	"\"tags\":{\"a\":\"2\"}}",
	"{\"metric\":\"n\",\"timestamp\":1678233601000,\"value\":3,"
	"\"tags\":{}}",
};

static const struct {
	const char *name, *answer;
	int rc;
	long long failed;
	const char *refused; /* indexes ('x' unmatched), in answer order */
} rows[] = {
	{ "the second point refused",
	  "{\"success\":2,\"failed\":1,\"errors\":[{\"datapoint\":{\"metric\":"
	  "\"m\",\"timestamp\":1678233600000,\"value\":2,\"tags\":{\"a\":"
	  "\"2\"}},\"error\":\"Unknown metric\"}]}", 0, 1, "1" },
	{ "times in seconds match ms points",
	  "{\"success\":2,\"failed\":1,\"errors\":[{\"datapoint\":{\"metric\":"
	  "\"n\",\"timestamp\":1678233601,\"value\":3,\"tags\":{}},"
	  "\"error\":\"x\"}]}", 0, 1, "2" },
	{ "two errors naming the same point match two points",
	  "{\"success\":1,\"failed\":2,\"errors\":[{\"datapoint\":{\"metric\":"
	  "\"m\",\"timestamp\":1678233600000,\"tags\":{\"a\":\"1\"}},"
	  "\"error\":\"e\"},{\"datapoint\":{\"metric\":\"m\",\"timestamp\":"
	  "1678233600000,\"tags\":{\"a\":\"1\"}},\"error\":\"e\"}]}", 0, 2,
	  "0x" },
	{ "counted but not listed", "{\"success\":2,\"failed\":1}", 0, 1, "" },
	{ "all stored", "{\"success\":3,\"failed\":0,\"errors\":[]}", 0, 0,
	  "" },
	{ "more failed than sent is not a details answer",
	  "{\"success\":0,\"failed\":4}", -1, 0, "" },
	{ "an error body is not a details answer",
	  "{\"error\":{\"code\":400,\"message\":\"x\"}}", -1, 0, "" },
	{ "not JSON", "Chunked request not supported.", -1, 0, "" },
};

static char got[16];

static void
on_refused(void *ctx, const struct put_refusal *r)
{
	size_t n = strlen(got);

	(void)ctx;
	if (n + 1 < sizeof(got))
		got[n] = r->index >= 0 ? (char)('0' + r->index) : 'x';
}

int
main(void)
{
	struct batch *b = batch_new(4096, 0, 0);
	struct put_answer pa;
	size_t i, listed;

	for (i = 0; i < 3; i++)
		batch_add(b, points[i], strlen(points[i]), i + 1, 0);
	batch_finish(b);
	put_answer_init(&pa);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t failed = -1;
		int rc;

		memset(got, 0, sizeof(got));
		rc = put_details(&pa, rows[i].answer, strlen(rows[i].answer),
		    b->body.p, b->pts, b->n, &failed, &listed, on_refused, NULL);
		ok(rc == rows[i].rc, "%s: rc %d", rows[i].name, rc);
		if (rc == 0) {
			ok(failed == rows[i].failed, "%s: failed %lld",
			    rows[i].name, (long long)failed);
			is_str(got, rows[i].refused, rows[i].name);
		} else
			is_str(got, "", "refused nothing");
	}
	ok(put_reason_transient("Please throttle") &&
	    put_reason_transient("Timeout exception") &&
	    put_reason_transient("Storage exception: region moved") &&
	    !put_reason_transient("Unknown metric") &&
	    !put_reason_transient("Too many tags: 9 maximum allowed: 8") &&
	    !put_reason_transient("Invalid metric name (\"a b\")"),
	    "transient reasons: throttle, timeout, storage; the rest permanent");
	put_answer_free(&pa);
	batch_free(b);
	return done();
}
