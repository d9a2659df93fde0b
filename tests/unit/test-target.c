/* test-target.c - unit tests of the target layer (target.c): per kind,
 * the read-back selectors and requests, the answers read through the one
 * interface, and how a failed read-back is taken */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "error.h"
#include "http.h"
#include "tap.h"
#include "target.h"
#include "xalloc.h"

static struct buf got;

/* The caller's series: "m" with h=a is 0, "m" with h=b is 1. */
static size_t
on_series(void *ctx, const struct datapoint *dp)
{
	(void)ctx;
	if (dp->metric_len != 1 || dp->metric[0] != 'm' || dp->ntags != 1 ||
	    dp->tags[0].key_len != 1 || dp->tags[0].key[0] != 'h' ||
	    dp->tags[0].val_len != 1)
		return (size_t)-1;
	return dp->tags[0].val[0] == 'a' ? 0 : dp->tags[0].val[0] == 'b' ?
	    1 : (size_t)-1;
}

static void
on_point(void *ctx, size_t series, int64_t ts, const char *val, size_t len)
{
	char t[48];

	(void)ctx;
	snprintf(t, sizeof(t), "%zu@%lld=", series, (long long)ts);
	buf_puts(&got, t);
	buf_append(&got, val, len);
	buf_putc(&got, ' ');
}

static void
one_series(struct datapoint *dp, struct dp_tag *tag)
{
	memset(dp, 0, sizeof(*dp));
	tag->key = "h";
	tag->key_len = 1;
	tag->val = "a\"";
	tag->val_len = 2;
	dp->metric = "m/x";
	dp->metric_len = 3;
	dp->tags = tag;
	dp->ntags = 1;
}

static void
test_requests(void)
{
	struct target t;
	struct datapoint dp;
	struct dp_tag tag;
	struct buf sel;
	struct target_sel sels[2];
	struct http_req *r;

	buf_init(&sel);
	one_series(&dp, &tag);
	target_set(&t, TARGET_OPENTSDB, "http://o", "http://o");
	ok(target_model(&t) == COMPARE_OPENTSDB_ANY &&
	    target_selector_cost(&t) == 1, "opentsdb of unknown version: "
	    "either kind of value, its selectors' cost");
	target_selector(&t, &sel, &dp);
	is_mem(sel.p, sel.len, "{\"aggregator\":\"none\",\"explicitTags\":true,"
	    "\"metric\":\"m/x\","
	    "\"tags\":{\"h\":\"a\\\"\"}}", "opentsdb: a series is a 'none' "
	    "sub-query of its metric and exact tags");
	sels[0].p = sel.p;
	sels[0].n = sel.len;
	sels[1] = sels[0];
	r = target_read_request(&t, 1700000000000LL, 1700000000500LL, sels, 2,
	    1000);
	is_str(r->url, "http://o/api/query", "opentsdb: read back by "
	    "/api/query");
	ok(r->body != NULL && strstr(r->body, "\"start\":1700000000000,"
	    "\"end\":1700000000500") != NULL && strstr(r->body, "}},{") !=
	    NULL && r->max_resp == 1000, "opentsdb: a POST of both "
	    "sub-queries over both ends");
	http_req_free(r);
	buf_reset(&sel);
	target_tsuid_selector(&sel, "000001000001000001");
	is_mem(sel.p, sel.len, "{\"aggregator\":\"sum\",\"tsuids\":"
	    "[\"000001000001000001\"]}", "opentsdb before 2.3: a series is "
	    "the sum over its TSUID");

	buf_reset(&sel);
	target_set(&t, TARGET_VM, "http://v", "http://v");
	ok(target_model(&t) == COMPARE_VM && target_selector_cost(&t) == 3,
	    "victoriametrics: its values, its selectors' cost");
	target_selector(&t, &sel, &dp);
	is_mem(sel.p, sel.len, "{__name__=\"m/x\",h=\"a\\\"\"}",
	    "victoriametrics: a series selector of exactly its labels");
	sels[0].p = sel.p;
	sels[0].n = sel.len;
	r = target_read_request(&t, 1700000000000LL, 1700000000500LL, sels, 1,
	    1000);
	is_str(r->url, "http://v/api/v1/export?start=1700000000.000&end="
	    "1700000000.500&match%5B%5D=%7B__name__%3D%22m%2Fx%22%2Ch%3D%22a"
	    "%5C%22%22%7D", "victoriametrics: a GET of /api/v1/export");
	ok(r->body == NULL, "victoriametrics: no body");
	http_req_free(r);
	buf_free(&sel);
}

static const struct {
	enum target_kind kind;
	const char *name, *answer;
	int rc;
	const char *want;
} answers[] = {
	{ TARGET_OPENTSDB, "opentsdb: dps object, the caller's series",
	  "[{\"metric\":\"m\",\"tags\":{\"h\":\"a\"},\"aggregateTags\":[],"
	  "\"dps\":{\"1700000000000\":1.5,\"1700000000001\":\"x\"}},"
	  "{\"metric\":\"m\",\"tags\":{\"h\":\"c\"},\"dps\":{\"1\":2}}]", 0,
	  "0@1700000000000=1.5 0@1700000000001=\"x\" " },
	{ TARGET_OPENTSDB, "opentsdb: dps arrays",
	  "[{\"metric\":\"m\",\"tags\":{\"h\":\"b\"},\"dps\":[[5,7],[6,8]]}]",
	  0, "1@5=7 1@6=8 " },
	{ TARGET_OPENTSDB, "opentsdb: an aggregate is no series",
	  "[{\"metric\":\"m\",\"tags\":{\"h\":\"a\"},\"aggregateTags\":[\"x\"],"
	  "\"dps\":{\"5\":1}}]", 0, "" },
	{ TARGET_OPENTSDB, "opentsdb: a result without a metric is none",
	  "[{\"tags\":{\"h\":\"a\"},\"dps\":{\"5\":1}}]", 0, "" },
	{ TARGET_OPENTSDB, "opentsdb: a time of 18 digits is read",
	  "[{\"metric\":\"m\",\"tags\":{\"h\":\"a\"},"
	  "\"dps\":{\"100000000000000000\":1,\"1000000000000000000\":2}}]", 0,
	  "0@100000000000000000=1 " },
	{ TARGET_OPENTSDB, "opentsdb: not an answer", "{}", -1,
	  "the answer is not a JSON array" },
	{ TARGET_VM, "victoriametrics: an export",
	  "{\"metric\":{\"__name__\":\"m\",\"h\":\"b\"},\"values\":[1,null],"
	  "\"timestamps\":[10,11]}\n{\"metric\":{\"__name__\":\"m\","
	  "\"h\":\"z\"},\"values\":[1],\"timestamps\":[12]}\n", 0,
	  "1@10=1 1@11=null " },
	{ TARGET_VM, "victoriametrics: not an export", "[]", -1,
	  "line 1: not a series of an export" },
};

static void
test_answers(void)
{
	struct target t;
	struct target_reader rd;
	struct target_read_cb cb = { on_series, on_point, NULL };
	struct error err;
	size_t i;

	target_reader_init(&rd);
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		int rc;

		target_set(&t, answers[i].kind, "http://t", "http://t");
		buf_reset(&got);
		buf_puts(&got, "");
		rc = target_read_answer(&t, &rd, answers[i].answer,
		    strlen(answers[i].answer), &cb, &err);
		ok(rc == answers[i].rc, "%s: returns %d", answers[i].name,
		    answers[i].rc);
		if (rc == 0)
			is_mem(got.p, got.len, answers[i].want,
			    answers[i].name);
		else
			ok(strstr(err.msg, answers[i].want) != NULL,
			    "%s: %s", answers[i].name, err.msg);
	}
	target_reader_free(&rd);
	target_set(&t, TARGET_VM, "http://t", "http://t");
	ok(strcmp(target_answer_name(&t), "an export") == 0,
	    "victoriametrics: its answers are exports");
}

static const struct {
	enum target_kind kind;
	const char *name;
	enum http_outcome outcome;
	long status;
	int timed_out, truncated;
	const char *body;
	enum target_failure want;
} failures[] = {
	{ TARGET_OPENTSDB, "opentsdb: an unknown name", HTTP_DONE_STATUS, 400,
	  0, 0, "{\"error\":{\"message\":\"No such name for 'metrics': "
	  "'x'\"}}", TARGET_UNKNOWN_NAME },
	{ TARGET_OPENTSDB, "opentsdb: 413", HTTP_DONE_STATUS, 413, 0, 0, "",
	  TARGET_TOO_LARGE },
	{ TARGET_OPENTSDB, "opentsdb: cut by the client", HTTP_DONE_2XX, 200,
	  0, 1, "[", TARGET_TOO_LARGE },
	{ TARGET_OPENTSDB, "opentsdb: a 500", HTTP_GAVE_UP_STATUS, 500, 0, 0,
	  "boom", TARGET_FAILED },
	{ TARGET_OPENTSDB, "opentsdb: no 'none': by TSUID", HTTP_DONE_STATUS,
	  400, 0, 0, "No such aggregation function: none", TARGET_NO_NONE },
	{ TARGET_OPENTSDB, "opentsdb: a timeout is no size",
	  HTTP_GAVE_UP_TRANSPORT, 0, 1, 0, "", TARGET_TIMED_OUT },
	{ TARGET_OPENTSDB, "opentsdb: too many series", HTTP_GAVE_UP_STATUS,
	  500, 0, 0, "CallbackOverflowError", TARGET_TOO_LARGE },
	{ TARGET_VM, "victoriametrics: too many series", HTTP_DONE_STATUS, 422,
	  0, 0, "exceeds -search.maxUniqueTimeseries", TARGET_TOO_LARGE },
	{ TARGET_VM, "victoriametrics: no such name is no refusal",
	  HTTP_DONE_STATUS, 400, 0, 0, "No such name for", TARGET_FAILED },
	{ TARGET_VM, "victoriametrics: unreachable", HTTP_GAVE_UP_TRANSPORT, 0,
	  0, 0, "", TARGET_FAILED },
	{ TARGET_VM, "victoriametrics: a timeout is no size",
	  HTTP_GAVE_UP_TRANSPORT, 0, 1, 0, "", TARGET_TIMED_OUT },
};

static void
test_failures(void)
{
	struct target t;
	size_t i;

	for (i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
		struct http_req *r = http_req_new(xstrdup("http://t"), NULL, 0);

		target_set(&t, failures[i].kind, "http://t", "http://t");
		r->outcome = failures[i].outcome;
		r->status = failures[i].status;
		r->timed_out = failures[i].timed_out;
		r->resp_truncated = failures[i].truncated;
		buf_puts(&r->resp, failures[i].body);
		ok(target_read_failure(&t, r) == failures[i].want, "%s",
		    failures[i].name);
		http_req_free(r);
	}
}

int
main(void)
{
	buf_init(&got);
	test_requests();
	test_answers();
	test_failures();
	buf_free(&got);
	return done();
}
