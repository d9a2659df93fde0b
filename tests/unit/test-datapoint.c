/* test-datapoint.c - unit tests of datapoint.c: decode, errors, encode
 * Canonical lines must round-trip byte for byte. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "seedcsv.h"
#include "error.h"
#include "tap.h"

struct row {
	const char *in;
	const char *want; /* canonical encoding, or the error message */
};

/* Accepted lines and their canonical encodings. */
static const struct row good[] = {
	{ "{\"metric\":\"a.b\",\"timestamp\":1678233600000,\"value\":42,"
	  "\"tags\":{\"x\":\"1\"}}",
	  "{\"metric\":\"a.b\",\"timestamp\":1678233600000,\"value\":42,"
	  "\"tags\":{\"x\":\"1\"}}" },
	/* seconds become milliseconds; keys in any order; whitespace */
	{ " { \"tags\" : { \"b\" : \"2\" , \"a\" : \"1\" } , \"value\" : "
	  "-0.5 , \"timestamp\" : 1678233600 , \"metric\" : \"m\" } ",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":-0.5,"
	  "\"tags\":{\"a\":\"1\",\"b\":\"2\"}}" },
	/* the 2^32 rule: 4294967295 is seconds, 4294967296 is ms */
	{ "{\"metric\":\"m\",\"timestamp\":4294967295,\"value\":1}",
	  "{\"metric\":\"m\",\"timestamp\":4294967295000,\"value\":1,"
	  "\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":4294967296,\"value\":1}",
	  "{\"metric\":\"m\",\"timestamp\":4294967296,\"value\":1,"
	  "\"tags\":{}}" },
	/* before 1970-02-19 a time stays in seconds: in ms it would read
	 * as seconds */
	{ "{\"metric\":\"m\",\"timestamp\":5,\"value\":1}",
	  "{\"metric\":\"m\",\"timestamp\":5,\"value\":1,\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":4294967,\"value\":1}",
	  "{\"metric\":\"m\",\"timestamp\":4294967,\"value\":1,"
	  "\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":9999999999999,\"value\":1}",
	  "{\"metric\":\"m\",\"timestamp\":9999999999999,\"value\":1,"
	  "\"tags\":{}}" },
	/* a timestamp as a string of digits, as OpenTSDB coerces it */
	{ "{\"metric\":\"m\",\"timestamp\":\"1678233600123\",\"value\":1}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600123,\"value\":1,"
	  "\"tags\":{}}" },
	/* value text kept verbatim: exponents, negative zero, 19 digits */
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":1e308}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1e308,\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":-0}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":-0,\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":-0.0}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":-0.0,\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":9223372036854775807}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":9223372036854775807,"
	  "\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":-9223372036854775808}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":-9223372036854775808,"
	  "\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":0.30000000000000004}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":0.30000000000000004,"
	  "\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":1.5E-7}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1.5E-7,\"tags\":{}}" },
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":1e-400}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1e-400,\"tags\":{}}" },
	/* a value in a string becomes a bare number */
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":\"12.50\"}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":12.50,\"tags\":{}}" },
	/* unknown keys ignored; escapes decoded; non-ASCII kept */
	{ "{\"metric\":\"k\\u0069lda/x-y_z\",\"timestamp\":1678233600,\"value\":1,"
	  "\"extra\":[1,{\"a\":2}],\"tags\":{\"h\\u00f4te\":\"\\u65e5\\u672c\","
	  "\"q\":\"a\\\"b\\\\c\\/d\"}}",
	  "{\"metric\":\"kilda/x-y_z\",\"timestamp\":1678233600000,\"value\":1,"
	  "\"tags\":{\"h\xc3\xb4te\":\"\xe6\x97\xa5\xe6\x9c\xac\","
	  "\"q\":\"a\\\"b\\\\c/d\"}}" },
	/* tags sorted bytewise: uppercase before lowercase, prefix first */
	{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":1,\"tags\":{\"b\":\"1\","
	  "\"B\":\"2\",\"ab\":\"3\",\"a\":\"4\",\"\xc3\xa9\":\"5\"}}",
	  "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,\"tags\":{\"B\":\"2\","
	  "\"a\":\"4\",\"ab\":\"3\",\"b\":\"1\",\"\xc3\xa9\":\"5\"}}" },
	/* a control character in a name is kept, escaped on output */
	{ "{\"metric\":\"a\\tb\",\"timestamp\":1678233600,\"value\":1}",
	  "{\"metric\":\"a\\tb\",\"timestamp\":1678233600000,\"value\":1,\"tags\":{}}" },
	/* the example of otsdb-ndjson(5) */
	{ "{ \"value\": \"12.50\", \"timestamp\": 1678233600, \"metric\": "
	  "\"sys.cpu\",  \"tags\": { \"host\": \"h\\u00f4te\", \"cpu\": "
	  "\"0\" }, \"note\": \"ignored\" }",
	  "{\"metric\":\"sys.cpu\",\"timestamp\":1678233600000,\"value\":12.50,"
	  "\"tags\":{\"cpu\":\"0\",\"host\":\"h\xc3\xb4te\"}}" },
};

/* Refused lines and their messages. */
static const struct row bad[] = {
	{ "", "invalid JSON at column 1: empty input" },
	{ "{\"metric\"}", "invalid JSON at column 10: expected ':'" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,}",
	  "invalid JSON at column 39: expected string key" },
	{ "\xef\xbb\xbf{\"metric\":\"m\",\"timestamp\":1,\"value\":1,"
	  "\"tags\":{\"a\":\"b\"}}", "the line starts with a UTF-8 "
	  "byte-order mark (U+FEFF); remove it" },
	{ "[1,2]", "line is not a JSON object" },
	{ "42", "line is not a JSON object" },
	{ "{\"timestamp\":1,\"value\":1}", "metric is missing" },
	{ "{\"metric\":7,\"timestamp\":1,\"value\":1}", "metric is not a string" },
	{ "{\"metric\":\"\",\"timestamp\":1,\"value\":1}", "metric is empty" },
	{ "{\"metric\":\"m\",\"value\":1}", "timestamp is missing" },
	{ "{\"metric\":\"m\",\"timestamp\":1.5,\"value\":1}",
	  "timestamp is not an integer" },
	{ "{\"metric\":\"m\",\"timestamp\":1e3,\"value\":1}",
	  "timestamp is not an integer" },
	{ "{\"metric\":\"m\",\"timestamp\":\"12a\",\"value\":1}",
	  "timestamp is not an integer" },
	{ "{\"metric\":\"m\",\"timestamp\":null,\"value\":1}",
	  "timestamp is not an integer" },
	{ "{\"metric\":\"m\",\"timestamp\":0,\"value\":1}",
	  "timestamp must be positive" },
	{ "{\"metric\":\"m\",\"timestamp\":-5,\"value\":1}",
	  "timestamp must be positive" },
	{ "{\"metric\":\"m\",\"timestamp\":10000000000000,\"value\":1}",
	  "timestamp has more than 13 digits" },
	{ "{\"metric\":\"m\",\"timestamp\":99999999999999999999,\"value\":1}",
	  "timestamp has more than 13 digits" },
	{ "{\"metric\":\"m\",\"timestamp\":1}", "value is missing" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":\"abc\"}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":\"NaN\"}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":\"Infinity\"}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":\" 1\"}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":\"\"}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":true}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":null}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":[1]}",
	  "value is not a number" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1e400}",
	  "value is out of range for a double" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":9223372036854775808}",
	  "value is out of range for a 64-bit integer" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":-9223372036854775809}",
	  "value is out of range for a 64-bit integer" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":[]}",
	  "tags is not an object" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":\"a=b\"}",
	  "tags is not an object" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"a\":1}}",
	  "tag value of a is not a string" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"a\":null}}",
	  "tag value of a is not a string" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"\":\"x\"}}",
	  "tag key is empty" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"a\":\"\"}}",
	  "tag value of a is empty" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,"
	  "\"tags\":{\"a\":\"x\",\"b\":\"y\",\"a\":\"z\"}}",
	  "duplicate tag key a" },
	{ "{\"metric\":\"m\",\"metric\":\"n\",\"timestamp\":1,\"value\":1}",
	  "duplicate key metric" },
	{ "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"value\":2}",
	  "duplicate key value" },
	{ "{\"metric\":\"m\xff\",\"timestamp\":1,\"value\":1}",
	  "invalid JSON at column 13: invalid UTF-8 in string" },
};

/* Which times can be written, and why not. */
static void
test_timestamp_problem(void)
{
	static const struct {
		long long ms;
		const char *want; /* start of the reason, or NULL */
	} rows[] = {
		{ 0, "a time of 0" },
		{ 5500, "a time before 1970-02-19 with milliseconds" },
		{ 4294967295LL, "a time before 1970-02-19 with milliseconds" },
		{ 5000, NULL },
		{ 4294967000LL, NULL },
		{ 4294967296LL, NULL },
		{ 9999999999999LL, NULL },
		{ 10000000000000LL, "a time of more than 13 digits" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = datapoint_timestamp_problem(rows[i].ms);

		ok(rows[i].want == NULL ? why == NULL : why != NULL &&
		    strncmp(why, rows[i].want, strlen(rows[i].want)) == 0,
		    "timestamp %lld: %s", rows[i].ms, why ? why : "writable");
	}
}

/* The fast way for canonical lines against the tokenizer: the same
 * answer for every line, and the canonical flag only on lines that are
 * their own encoding. */
static void
test_canonical(void)
{
	static const struct {
		const char *line;
		int canonical;  /* taken the fast way */
	} rows[] = {
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 1 },
		{ "{\"metric\":\"m.x/y\",\"timestamp\":16782336000,\"value\":"
		  "-1.5e-3,\"tags\":{\"a\":\"1\",\"b\":\"2\",\"ba\":\"3\"}}", 1 },
		{ "{\"metric\":\"\xc3\xbc\",\"timestamp\":1678233600000,\"value\""
		  ":0,\"tags\":{}}", 1 },
		{ "{\"metric\":\"m\",\"timestamp\":9999999999999,\"value\":"
		  "9223372036854775807,\"tags\":{\"k\":\"v\"}}", 1 },
		/* not canonical, yet valid: the tokenizer's way */
		{ "{\"metric\":\"m\",\"timestamp\":1678233600,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"b\":\"v\",\"a\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\\u0041\",\"timestamp\":1678233600000,"
		  "\"value\":1,\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}} ", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":\"1\","
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"value\":1,\"timestamp\":1678233600000,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1}",
		  0 },
		/* invalid: both refuse */
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\",\"k\":\"w\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"\"}}", 0 },
		{ "{\"metric\":\"\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":01678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":16782336000000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":01,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1e999,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":"
		  "9223372036854775808,\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1.,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"\xc3\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"\xed\xa0\x80\",\"timestamp\":1678233600000,"
		  "\"value\":1,\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\x01\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\",}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"k\":\"v\"}", 0 },
	};
	struct datapoint a, b;
	struct error ea, eb;
	struct buf enc;
	size_t i;

	datapoint_init(&a);
	datapoint_init(&b);
	buf_init(&enc);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *l = rows[i].line;
		size_t n = strlen(l);
		int ra = datapoint_decode(&a, l, n, &ea);
		int rb = datapoint_decode_json(&b, l, n, &eb);

		ok(ra == rb && (ra < 0 || datapoint_equal(&a, &b)) &&
		    (ra < 0 || a.canonical == rows[i].canonical) &&
		    (ra == 0 || strcmp(ea.msg, eb.msg) == 0),
		    "fast way and tokenizer agree (%s): %s",
		    rows[i].canonical ? "fast" : ra < 0 ? "refused" : "slow",
		    l);
		if (ra == 0 && a.canonical) {
			buf_reset(&enc);
			datapoint_encode(&a, &enc);
			ok(enc.len == n && memcmp(enc.p, l, n) == 0,
			    "a canonical line is its own encoding");
		}
	}
	{
		/* 65 tags: more than the fast way holds */
		struct buf l;
		int k;

		buf_init(&l);
		buf_puts(&l, "{\"metric\":\"m\",\"timestamp\":1678233600000,"
		    "\"value\":1,\"tags\":{");
		for (k = 0; k < 65; k++) {
			char t[32];

			snprintf(t, sizeof(t), "%s\"k%03d\":\"v\"", k ? "," : "",
			    k);
			buf_puts(&l, t);
		}
		buf_puts(&l, "}}");
		ok(datapoint_decode(&a, l.p, l.len, &ea) == 0 && a.ntags == 65 &&
		    !a.canonical, "65 tags: decoded the tokenizer's way");
		buf_free(&l);
	}
	datapoint_free(&a);
	datapoint_free(&b);
	buf_free(&enc);
}

int
main(void)
{
	test_canonical();
	struct datapoint dp;
	struct error err;
	struct buf out, again;
	size_t i;

	test_timestamp_problem();
	datapoint_init(&dp);
	buf_init(&out);
	buf_init(&again);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = datapoint_decode(&dp, good[i].in, strlen(good[i].in),
		    &err);

		ok(r == 0, "decode good %zu", i);
		if (r != 0) {
			printf("#   %s\n", err.msg);
			continue;
		}
		buf_reset(&out);
		datapoint_encode(&dp, &out);
		is_str(out.p, good[i].want, "canonical encoding");
		/* canonical text decodes and encodes to the same bytes */
		buf_reset(&again);
		r = datapoint_decode(&dp, out.p, out.len, &err);
		if (r == 0)
			datapoint_encode(&dp, &again);
		ok(r == 0 && again.len == out.len &&
		    memcmp(again.p, out.p, out.len) == 0,
		    "round trip is byte-exact");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(err.msg, "(none)");
		ok(datapoint_decode(&dp, bad[i].in, strlen(bad[i].in), &err) ==
		    -1, "refuse bad %zu", i);
		is_str(err.msg, bad[i].want, "error message");
	}
	/* a decode after a failure starts clean */
	ok(datapoint_decode(&dp, good[0].in, strlen(good[0].in), &err) == 0 &&
	    dp.ntags == 1 && dp.timestamp_ms == 1678233600000LL,
	    "decode after failure");
	datapoint_free(&dp);
	datapoint_free(NULL);
	buf_free(&out);
	buf_free(&again);
	{
		/* the old tool's rows follow the same 13-digit rule */
		static const struct {
			const char *row;
			int rc;
		} rows[] = {
			{ "1678233600.5|m|{'k': 'v'}|1", 0 },
			{ "9999999999.999|m|{'k': 'v'}|1", 0 },
			{ "16782336000.5|m|{}|1", -1 },
			{ "10000000000|m|{}|1", -1 },
		};
		size_t k;

		for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
			ok(seedcsv_decode(&dp, rows[k].row, strlen(rows[k].row),
			    &err) == rows[k].rc, "old row %s", rows[k].row);
		datapoint_free(&dp);
	}
	return done();
}
