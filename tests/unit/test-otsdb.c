/* test-otsdb.c - unit tests of otsdb.c: every request the tools build and
 * every answer they classify, as tables of input and expected output */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "otsdb.h"
#include "strvec.h"
#include "tap.h"

#define B "http://h:4242"

static void
test_query_requests(void)
{
	static const struct {
		const char *metric;
		long long lo, hi;
		const char *url, *body;
	} rows[] = {
		/* ms times, end inclusive, 'none', msResolution */
		{ "a.b", 1678233600000LL, 1678233780000LL, B "/api/query",
		  "{\"start\":1678233600000,\"end\":1678233779999,"
		  "\"msResolution\":true,\"noAnnotations\":true,\"queries\":"
		  "[{\"aggregator\":\"none\",\"metric\":\"a.b\"}]}" },
		/* a 1 ms frame: end must still be after start */
		{ "a", 5000, 5001, B "/api/query",
		  "{\"start\":\"5000ms\",\"end\":\"5001ms\",\"msResolution\":"
		  "true,\"noAnnotations\":true,\"queries\":[{\"aggregator\":"
		  "\"none\",\"metric\":\"a\"}]}" },
		/* any bytes: the name is a JSON string */
		{ "a/b c\xc3\xa9", 0, 2000, B "/api/query",
		  "{\"start\":\"0ms\",\"end\":\"1999ms\",\"msResolution\":true,"
		  "\"noAnnotations\":true,\"queries\":[{\"aggregator\":\"none\","
		  "\"metric\":\"a/b c\xc3\xa9\"}]}" },
		/* names the GET syntax could not carry */
		{ "odd:name{x}", 0, 2000, B "/api/query",
		  "{\"start\":\"0ms\",\"end\":\"1999ms\",\"msResolution\":true,"
		  "\"noAnnotations\":true,\"queries\":[{\"aggregator\":\"none\","
		  "\"metric\":\"odd:name{x}\"}]}" },
		/* a POST of ms times of 11 digits and more: numbers */
		{ "a=b", 1678233600000LL, 1678233601000LL, B "/api/query",
		  "{\"start\":1678233600000,\"end\":1678233600999,"
		  "\"msResolution\":true,\"noAnnotations\":true,\"queries\":"
		  "[{\"aggregator\":\"none\",\"metric\":\"a=b\"}]}" },
		{ "a=b", 0, 2000, B "/api/query",
		  "{\"start\":\"0ms\",\"end\":\"1999ms\",\"msResolution\":true,"
		  "\"noAnnotations\":true,\"queries\":[{\"aggregator\":\"none\","
		  "\"metric\":\"a=b\"}]}" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf url, body;

		buf_init(&url);
		buf_init(&body);
		otsdb_query_request(&url, &body, B, rows[i].metric, rows[i].lo,
		    rows[i].hi, NULL, 0, 1);
		is_str(url.p, rows[i].url, "query URL");
		is_mem(body.p ? body.p : "", body.len, rows[i].body,
		    "query body");
		buf_free(&url);
		buf_free(&body);
	}
	{
		/* a long name: in the body too */
		struct buf url, body;
		char name[4000];

		memset(name, 'x', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		buf_init(&url);
		buf_init(&body);
		otsdb_query_request(&url, &body, B, name, 0, 2000, NULL, 0, 1);
		is_str(url.p, B "/api/query", "long query: POST URL");
		ok(body.len > sizeof(name) && strstr(body.p, name) != NULL,
		    "long query: the name in the body");
		buf_free(&url);
		buf_free(&body);
	}
	{
		/* TSUID groups: one sub-query a series */
		char t1[] = "000001000001000001", t2[] = "000001000001000002";
		char *t[] = { t1, t2 };
		struct buf url, body;

		buf_init(&url);
		buf_init(&body);
		otsdb_query_request(&url, &body, B, "m", 1000, 3000, t, 2, 0);
		is_str(url.p, B "/api/query", "TSUID query URL");
		is_str(body.p, "{\"start\":\"1000ms\",\"end\":\"2999ms\",\"msResolution\":"
		    "true,\"noAnnotations\":true,\"queries\":[{\"aggregator\":"
		    "\"sum\",\"tsuids\":[\"000001000001000001\"]},{\"aggregator\":"
		    "\"sum\",\"tsuids\":[\"000001000001000002\"]}]}",
		    "TSUID query body");
		buf_reset(&url);
		buf_reset(&body);
		otsdb_query_request(&url, &body, B, "m", 1000, 3000, t, 2, 1);
		is_str(body.p, "{\"start\":\"1000ms\",\"end\":\"2999ms\",\"msResolution\":"
		    "true,\"noAnnotations\":true,\"queries\":[{\"aggregator\":"
		    "\"none\",\"tsuids\":[\"000001000001000001\","
		    "\"000001000001000002\"]}]}", "TSUID query body with 'none'");
		buf_free(&url);
		buf_free(&body);
	}
}

static void
test_query_classify(void)
{
	static const struct {
		long status;
		int timed_out;
		const char *body;
		int truncated;
		enum otsdb_query_failure want;
		const char *name;
	} rows[] = {
		{ 0, 1, "", 0, OTSDB_QUERY_TIMED_OUT, "timeout" },
		{ 500, 0, "{\"error\":{\"code\":500,\"message\":\"Too many "
		  "callbacks in Deferred\",\"trace\":\"com.stumbleupon.async."
		  "CallbackOverflowError: Too many callbacks\"}}", 0,
		  OTSDB_QUERY_TOO_MANY_SERIES, "callback overflow" },
		{ 0, 0, "", 0, OTSDB_QUERY_FAILED, "refused connection" },
		{ 413, 0, "", 0, OTSDB_QUERY_TOO_LARGE, "413" },
		{ 200, 0, "[", 1, OTSDB_QUERY_TOO_LARGE, "truncated answer" },
		{ 400, 0, "{\"error\":{\"code\":400,\"message\":\"No such "
		  "aggregation function: none\"}}", 0, OTSDB_QUERY_NO_NONE,
		  "no 'none' aggregator" },
		{ 500, 0, "{\"error\":{\"message\":\"Sorry, you have attempted "
		  "to fetch more than our limit of 10 data points\"}}", 0,
		  OTSDB_QUERY_TOO_LARGE, "data point limit" },
		{ 500, 0, "Query timed out", 0, OTSDB_QUERY_TOO_LARGE,
		  "query timed out" },
		{ 500, 0, "{\"error\":{\"message\":\"boom\"}}", 0,
		  OTSDB_QUERY_FAILED, "other 500" },
		{ 400, 0, "No such name for 'metrics'", 0, OTSDB_QUERY_FAILED,
		  "unknown metric" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ok(otsdb_query_classify(rows[i].status, rows[i].timed_out,
		    rows[i].body, strlen(rows[i].body), rows[i].truncated) ==
		    rows[i].want, "classify: %s", rows[i].name);
}

static void
test_suggest(void)
{
	static const struct {
		const char *prefix, *body;
		int rc, cut;
		const char *names; /* joined by | */
	} rows[] = {
		{ "a", "[\"a.x\",\"a.y\"]", 0, 0, "a.x|a.y" },
		{ "a", "[]", 0, 0, "" },
		/* names without the prefix and non-strings are ignored */
		{ "a", "[\"b\",1,\"a\\u00e9\"]", 0, 0, "a\xc3\xa9" },
		{ "a", "{}", -1, 0, "" },
		{ "a", "[", -1, 0, "" },
		/* 25 names: the server's own cap, maybe cut */
		{ "a", "[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\",\"a8\","
		  "\"a9\",\"b1\",\"b2\",\"b3\",\"b4\",\"b5\",\"b6\",\"b7\",\"b8\","
		  "\"b9\",\"c1\",\"c2\",\"c3\",\"c4\",\"c5\",\"c6\",\"c7\"]", 0, 1,
		  "a1|a2|a3|a4|a5|a6|a7|a8|a9" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strvec sv;
		struct error err;
		struct buf got;
		int cut = -1, rc;

		strvec_init(&sv);
		buf_init(&got);
		rc = otsdb_suggest_parse(rows[i].body, strlen(rows[i].body),
		    rows[i].prefix, &sv, &cut, &err);
		ok(rc == rows[i].rc, "suggest %s: rc %d", rows[i].body, rc);
		if (rc == 0)
			ok(cut == rows[i].cut, "suggest %zu: cut", i);
		for (k = 0; k < sv.n; k++) {
			if (k)
				buf_putc(&got, '|');
			buf_puts(&got, sv.v[k]);
		}
		is_mem(got.p ? got.p : "", got.len, rows[i].names,
		    "suggest: names");
		buf_free(&got);
		strvec_free(&sv);
	}
	{
		struct buf url;

		buf_init(&url);
		otsdb_suggest_url(&url, B, "kilda.f low", OTSDB_SUGGEST_MAX);
		is_str(url.p, B "/api/suggest?type=metrics&max=5000&q=kilda.f"
		    "%20low", "suggest URL");
		buf_free(&url);
	}
	ok(otsdb_codepoint_at("ab", 1) == 'b', "code point: ASCII");
	ok(otsdb_codepoint_at("a\xc3\xa9", 1) == 0xE9, "code point: U+00E9");
	ok(otsdb_codepoint_at("a", 1) == 0, "code point: end");
	ok(otsdb_codepoint_at("\xe2\x82\xac", 0) == 0x20AC,
	    "code point: U+20AC");
}

static void
test_version(void)
{
	static const struct {
		const char *body;
		int rc, none;
	} rows[] = {
		{ "{\"version\":\"2.4.1\",\"short_revision\":\"x\"}", 0, 1 },
		{ "{\"version\":\"2.3.0\"}", 0, 1 },
		{ "{\"version\":\"2.2.0\"}", 0, 0 },
		{ "{\"version\":\"1.1.0\"}", 0, 0 },
		{ "{\"version\":\"3.0\"}", 0, 1 },
		{ "{\"version\":2}", -1, 1 },
		{ "not json", -1, 1 },
		{ "[]", -1, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct otsdb_version v;
		int rc = otsdb_version_parse(rows[i].body,
		    strlen(rows[i].body), &v);

		ok(rc == rows[i].rc && otsdb_version_has_none(&v) ==
		    rows[i].none, "version %s", rows[i].body);
	}
}

static void
test_lookup(void)
{
	static const struct {
		const char *body;
		int rc;
		const char *tsuids;
	} rows[] = {
		{ "{\"type\":\"LOOKUP\",\"results\":[{\"tsuid\":\"02\"},"
		  "{\"tsuid\":\"01\"}],\"totalResults\":2}", 0, "01|02" },
		{ "{\"results\":[],\"totalResults\":0}", 0, "" },
		/* by canonical tags, bytewise: {"a":..} before {"b":..},
		 * {"k":"v"} before {"k":"w"}, {} last; repeats once */
		{ "{\"results\":[{\"tsuid\":\"01\",\"tags\":{\"k\":\"w\"}},"
		  "{\"tsuid\":\"02\",\"tags\":{\"k\":\"v\"}},"
		  "{\"tsuid\":\"03\",\"tags\":{\"b\":\"1\"}},"
		  "{\"tsuid\":\"04\",\"tags\":{\"a\":\"9\",\"z\":\"0\"}},"
		  "{\"tsuid\":\"05\",\"tags\":{}},"
		  "{\"tsuid\":\"02\",\"tags\":{\"k\":\"v\"}}],"
		  "\"totalResults\":6}", 0, "04|03|02|01|05" },
		/* fewer listed than there are: never a silent loss */
		{ "{\"results\":[{\"tsuid\":\"01\"}],\"totalResults\":5}", -1,
		  "" },
		{ "{\"results\":{}}", -1, "" },
		{ "[]", -1, "" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strvec sv;
		struct error err;
		struct buf got;
		int rc;

		strvec_init(&sv);
		buf_init(&got);
		rc = otsdb_lookup_parse(rows[i].body, strlen(rows[i].body), &sv,
		    &err);
		ok(rc == rows[i].rc, "lookup %zu: rc %d", i, rc);
		if (rc == 0) {
			for (k = 0; k < sv.n; k++) {
				if (k)
					buf_putc(&got, '|');
				buf_puts(&got, sv.v[k]);
			}
			is_mem(got.p ? got.p : "", got.len, rows[i].tsuids,
			    "lookup: TSUIDs in the order of their lines");
		}
		buf_free(&got);
		strvec_free(&sv);
	}
	{
		struct buf url, body;

		buf_init(&url);
		buf_init(&body);
		otsdb_lookup_request(&url, &body, B, "m\"x");
		is_str(url.p, B "/api/search/lookup", "lookup URL");
		is_str(body.p, "{\"metric\":\"m\\\"x\",\"useMeta\":false,"
		    "\"limit\":1000000000}", "lookup body");
		buf_free(&url);
		buf_free(&body);
	}
}

static void
test_put_and_errors(void)
{
	static const struct {
		const char *body, *want;
	} texts[] = {
		{ "{\"error\":{\"code\":400,\"message\":\"Chunked request not "
		  "supported.\"}}", "Chunked request not supported." },
		{ "plain\ntext", "plain text" },
		{ "", "" },
		{ "{\"error\":\"flat\"}", "{\"error\":\"flat\"}" },
	};
	char out[400];
	size_t i;
	struct buf url;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		otsdb_error_text(texts[i].body, strlen(texts[i].body), out,
		    sizeof(out));
		is_str(out, texts[i].want, "error text");
	}
	buf_init(&url);
	otsdb_put_url(&url, B, 0, 5000);
	is_str(url.p, B "/api/put?details", "put URL");
	buf_reset(&url);
	otsdb_put_url(&url, B, 1, 0);
	is_str(url.p, B "/api/put?details&sync", "put URL with sync");
	buf_reset(&url);
	otsdb_put_url(&url, B "/v1/opentsdb", 1, 2500);
	is_str(url.p, B "/v1/opentsdb/api/put?details&sync&sync_timeout=2500",
	    "put URL with a path prefix, sync and its timeout");
	buf_free(&url);
	ok(otsdb_put_size_advice(400, "Chunked request not supported.", 9000,
	    0) != NULL, "advice: chunked");
	ok(otsdb_put_size_advice(413, "", 9000, 0) != NULL, "advice: 413");
	ok(otsdb_put_size_advice(400, "Unable to parse", 9000, 0) == NULL,
	    "no advice: a bad body");
	ok(otsdb_put_size_advice(0, "", 9000, 1) != NULL,
	    "advice: closed without an answer, over 4096 bytes");
	ok(otsdb_put_size_advice(0, "", 4000, 1) == NULL,
	    "no advice: closed, small body");
	ok(otsdb_retryable_status(424) && otsdb_retryable_status(503) &&
	    otsdb_retryable_status(429) && otsdb_retryable_status(408) &&
	    !otsdb_retryable_status(400) && !otsdb_retryable_status(404),
	    "retryable statuses: 408, 424, 429, 5xx");
	ok(!otsdb_retryable_status(501) && !otsdb_retryable_status(505) &&
	    otsdb_retryable_status(500) && otsdb_retryable_status(502),
	    "not retried: 501 Not Implemented, 505: they never heal");
}

static void
test_config(void)
{
	struct otsdb_config c;
	const char *dflt = "{\"tsd.core.auto_create_metrics\":\"false\","
	    "\"tsd.http.request.enable_chunked\":\"false\","
	    "\"tsd.http.request.max_chunk\":\"4096\"}";
	const char *big = "{\"tsd.core.auto_create_metrics\":\"true\","
	    "\"tsd.http.request.enable_chunked\":\"true\","
	    "\"tsd.http.request.max_chunk\":\"65536\","
	    "\"tsd.storage.max_tags\":\"12\"}";
	const char *small = "{\"tsd.http.request.enable_chunked\":\"true\","
	    "\"tsd.http.request.max_chunk\":\"1024\"}";

	ok(otsdb_config_parse(dflt, strlen(dflt), &c) == 0 &&
	    c.chunked == 0 && c.max_chunk == 4096 && c.auto_metrics == 0 &&
	    c.max_tags == 8, "config: OpenTSDB's defaults read");
	ok(otsdb_config_body_max(&c) == 8192,
	    "config: unchunked bodies up to 8192 bytes");
	ok(otsdb_config_parse(big, strlen(big), &c) == 0 && c.chunked == 1 &&
	    c.auto_metrics == 1 && c.max_tags == 12 &&
	    otsdb_config_body_max(&c) == 65536,
	    "config: chunked with a larger max_chunk: that many bytes");
	ok(otsdb_config_parse(small, strlen(small), &c) == 0 &&
	    otsdb_config_body_max(&c) == 8192,
	    "config: a smaller max_chunk still takes 8192 unchunked");
	{
		const char *huge[] = { "1099511627776", "2147483647",
		    "1048577", "99999999999999999999" };
		char body[200];
		size_t i;

		for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
			snprintf(body, sizeof(body), "{\"tsd.http.request."
			    "enable_chunked\":\"true\",\"tsd.http.request."
			    "max_chunk\":\"%s\"}", huge[i]);
			ok(otsdb_config_parse(body, strlen(body), &c) == 0 &&
			    otsdb_config_body_max(&c) == (i < 3 ?
			    (size_t)1 << 20 : 8192), "config: max_chunk %s: "
			    "requests of at most %s", huge[i], i < 3 ? "1 MiB" :
			    "8192 bytes (unreadable)");
		}
	}
	ok(otsdb_config_parse("{}", 2, &c) == 0 && c.chunked == -1 &&
	    otsdb_config_body_max(&c) == 0, "config: nothing said: unknown");
	ok(otsdb_config_parse("[1]", 3, &c) == -1 &&
	    otsdb_config_parse("{\"a\":", 5, &c) == -1,
	    "config: not an object: refused");
	ok(otsdb_config_parse("{\"tsd.http.request.max_chunk\":\"-5\"}", 35,
	    &c) == 0 && c.max_chunk == -1, "config: a negative size ignored");
}

int
main(void)
{
	test_config();
	test_query_requests();
	test_query_classify();
	test_suggest();
	test_version();
	test_lookup();
	test_put_and_errors();
	return done();
}
