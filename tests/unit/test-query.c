/* test-query.c - unit tests of query.c: /api/query answers into the
 * exact canonical lines, frame edges, order, values kept as sent */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "query.h"
#include "tap.h"

#define L(ts, v, tags) "{\"metric\":\"m\",\"timestamp\":" #ts \
	",\"value\":" v ",\"tags\":{" tags "}}\n"

static const struct {
	const char *name, *answer;
	long long lo, hi;
	int rc;
	const char *want;  /* lines, or the error */
	unsigned long long dropped, bad;
} rows[] = {
	{ "object dps, tags sorted, value text kept",
	  "[{\"metric\":\"m\",\"tags\":{\"b\":\"2\",\"a\":\"1\"},"
	  "\"aggregateTags\":[],\"dps\":{\"1678233600000\":42,"
	  "\"1678233600001\":1.50,\"1678233600002\":-1e-7}}]",
	  1678233600000LL, 1678233780000LL, 0,
	  L(1678233600000, "42", "\"a\":\"1\",\"b\":\"2\"")
	  L(1678233600001, "1.50", "\"a\":\"1\",\"b\":\"2\"")
	  L(1678233600002, "-1e-7", "\"a\":\"1\",\"b\":\"2\""), 0, 0 },
	{ "array dps",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":[[1678233600000,7],"
	  "[1678233600500,8]]}]", 1678233600000LL, 1678233601000LL, 0,
	  L(1678233600000, "7", "") L(1678233600500, "8", ""), 0, 0 },
	{ "points outside [lo, hi) dropped, the end excluded",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":{\"1678233599999\":1,"
	  "\"1678233600000\":2,\"1678233601000\":3}}]",
	  1678233600000LL, 1678233601000LL, 0, L(1678233600000, "2", ""), 2,
	  0 },
	{ "series ordered by their canonical tags",
	  "[{\"metric\":\"m\",\"tags\":{\"h\":\"b\"},\"dps\":{\"1678233600000\":"
	  "2}},{\"metric\":\"m\",\"tags\":{\"h\":\"a\"},\"dps\":"
	  "{\"1678233600000\":1}}]", 1678233600000LL, 1678233601000LL, 0,
	  L(1678233600000, "1", "\"h\":\"a\"") L(1678233600000, "2",
	  "\"h\":\"b\""), 0, 0 },
	{ "a value that is not a number is counted, not written",
	  "[{\"metric\":\"m\",\"tags\":{\"k\":\"v\"},\"dps\":"
	  "{\"1678233600000\":\"NaN\",\"1678233600001\":3}}]",
	  1678233600000LL, 1678233601000LL, 0,
	  L(1678233600001, "3", "\"k\":\"v\""), 0, 1 },
	{ "an empty answer", "[]", 0, 1000, 0, "", 0, 0 },
	{ "dps out of time order are sorted, equal times kept in order",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":[[1678233600500,3],"
	  "[1678233600000,1],[1678233600500,4],[1678233600200,2]]}]",
	  1678233600000LL, 1678233601000LL, 0, L(1678233600000, "1", "")
	  L(1678233600200, "2", "") L(1678233600500, "3", "")
	  L(1678233600500, "4", ""), 0, 0 },
	{ "times up to 4294967295 ms in seconds; with a ms part: reported",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":{\"4294967296\":5,"
	  "\"5000\":1,\"5500\":2,\"4294967000\":4}}]", 0LL,
	  5000000000LL, 0, L(5, "1", "") L(4294967, "4", "")
	  L(4294967296, "5", ""), 0, 1 },
	{ "a series with an empty tag key or value, or a repeated key: "
	  "reported",
	  "[{\"metric\":\"m\",\"tags\":{\"\":\"0\"},\"dps\":"
	  "{\"1678233600000\":1,\"1678233600001\":2}},{\"metric\":\"m\","
	  "\"tags\":{\"k\":\"\"},\"dps\":{\"1678233600000\":3}},"
	  "{\"metric\":\"m\",\"tags\":{\"k\":\"a\",\"k\":\"b\"},\"dps\":"
	  "{\"1678233600000\":4}},{\"metric\":\"m\",\"tags\":{\"k\":"
	  "\"v\"},\"dps\":{\"1678233600000\":5}}]", 1678233600000LL,
	  1678233601000LL, 0, L(1678233600000, "5", "\"k\":\"v\""), 0, 4 },
	{ "a time of 0 is reported",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":{\"0\":1,\"1000\":2}}]",
	  0LL, 3600000LL, 0, L(1, "2", ""), 0, 1 },
	{ "a frame near 1970 in ms is not taken for seconds",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":{\"3000\":1}}]",
	  0LL, 3600000LL, 0, L(3, "1", ""), 0, 0 },
	{ "values out of range are reported, never written",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":{\"1678233600000\":1e400,"
	  "\"1678233600001\":99999999999999999999,\"1678233600002\":"
	  "-9223372036854775808,\"1678233600003\":2}}]", 1678233600000LL,
	  1678233601000LL, 0, L(1678233600002, "-9223372036854775808", "")
	  L(1678233600003, "2", ""), 0, 2 },
	{ "a series with a non-string tag value is reported, not rewritten",
	  "[{\"metric\":\"m\",\"tags\":{\"k\":7},\"dps\":{\"1678233600000\":"
	  "1,\"1678233600001\":2}},{\"metric\":\"m\",\"tags\":{\"k\":\"v\"},"
	  "\"dps\":{\"1678233600000\":3}}]", 1678233600000LL, 1678233601000LL,
	  0, L(1678233600000, "3", "\"k\":\"v\""), 0, 2 },
	{ "a series with an empty metric name is reported",
	  "[{\"metric\":\"\",\"tags\":{},\"dps\":{\"1678233600000\":1}}]",
	  1678233600000LL, 1678233601000LL, 0, "", 0, 1 },
	{ "a series without tags or metric name",
	  "[{\"dps\":{\"1678233600000\":5}}]", 1678233600000LL,
	  1678233601000LL, 0, L(1678233600000, "5", ""), 0, 0 },
	{ "escapes in names come out canonical",
	  "[{\"metric\":\"m\",\"tags\":{\"k\":\"\\u00e9\\\"\"},\"dps\":"
	  "{\"1678233600000\":1}}]", 1678233600000LL, 1678233601000LL, 0,
	  L(1678233600000, "1", "\"k\":\"\xc3\xa9\\\"\""), 0, 0 },
	{ "seconds although ms were asked for",
	  "[{\"metric\":\"m\",\"tags\":{},\"dps\":{\"1678233600\":1}}]",
	  1678233600000LL, 1678233601000LL, -1,
	  "the server answered in seconds although milliseconds were asked "
	  "for", 0, 0 },
	{ "not an array", "{\"error\":{}}", 0, 1000, -1,
	  "the answer is not a JSON array", 0, 0 },
};

static unsigned bad_seen;

static void
on_bad(void *ctx, const struct query_bad_value *bv)
{
	(void)ctx;
	if (bv->quoted && bv->value_len == 3 &&
	    memcmp(bv->value, "NaN", 3) == 0 && bv->tags_len == 9 &&
	    memcmp(bv->tags, "{\"k\":\"v\"}", 9) == 0 &&
	    bv->timestamp_ms == 1678233600000LL)
		bad_seen++;
}

int
main(void)
{
	struct query q;
	size_t i;

	query_init(&q);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct query_counts c;
		struct error err;
		struct buf out;
		int rc;

		memset(&c, 0, sizeof(c));
		buf_init(&out);
		buf_puts(&out, "kept\n");
		rc = query_render(&q, rows[i].answer, strlen(rows[i].answer),
		    "m", rows[i].lo, rows[i].hi, &out, &c, on_bad, NULL, &err);
		ok(rc == rows[i].rc, "%s: rc %d", rows[i].name, rc);
		if (rc == 0) {
			is_str(out.p + 5, rows[i].want, rows[i].name);
			ok(c.dropped == rows[i].dropped && c.bad_values ==
			    rows[i].bad, "%s: counts", rows[i].name);
		} else {
			is_str(err.msg, rows[i].want, rows[i].name);
			is_str(out.p, "kept\n", "an error leaves out as it was");
		}
		buf_free(&out);
	}
	ok(bad_seen == 1, "the bad value is passed with its series and time");
	query_free(&q);
	return done();
}
