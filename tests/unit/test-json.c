/* test-json.c - unit tests of json.c: strict validation, walk, writer
 * Every form jsmn accepts but RFC 8259 does not is a row of `bad`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "tap.h"

struct row {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *msg; /* expected error, NULL for valid */
};

static const struct row bad[] = {
	{ "", 0, "invalid JSON at column 1: empty input" },
	{ "   ", 0, "invalid JSON at column 4: unexpected end of input" },
	{ "{\"a\"}", 0, "invalid JSON at column 5: expected ':'" },
	{ "{\"1\" \"2\"}", 0, "invalid JSON at column 6: expected ':'" },
	{ "{\"a\":1 \"b\":2}", 0,
	    "invalid JSON at column 8: expected ',' or '}'" },
	{ "{\"a\":1,}", 0, "invalid JSON at column 8: expected string key" },
	{ "[1,,2]", 0, "invalid JSON at column 4: expected value" },
	{ "[1,]", 0, "invalid JSON at column 4: expected value" },
	{ "[1 2]", 0, "invalid JSON at column 4: expected ',' or ']'" },
	{ "[,1]", 0, "invalid JSON at column 2: expected value" },
	{ "{,}", 0, "invalid JSON at column 2: expected string key" },
	{ "{1:2}", 0, "invalid JSON at column 2: expected string key" },
	{ "{\"a\" 1}", 0, "invalid JSON at column 6: expected ':'" },
	{ "{\"a\"::1}", 0, "invalid JSON at column 6: expected value" },
	{ "01", 0, "invalid JSON at column 2: invalid number" },
	{ "[01]", 0, "invalid JSON at column 3: invalid number" },
	{ "-01", 0, "invalid JSON at column 3: invalid number" },
	{ "1.2.3", 0, "invalid JSON at column 4: invalid number" },
	{ "1.", 0, "invalid JSON at column 1: invalid number" },
	{ ".5", 0, "invalid JSON at column 1: expected value" },
	{ "+1", 0, "invalid JSON at column 1: expected value" },
	{ "-", 0, "invalid JSON at column 1: invalid number" },
	{ "1e", 0, "invalid JSON at column 1: invalid number" },
	{ "1e+", 0, "invalid JSON at column 1: invalid number" },
	{ "1E5E5", 0, "invalid JSON at column 4: invalid number" },
	{ "0x10", 0, "invalid JSON at column 2: trailing characters after value" },
	{ "[NaN]", 0, "invalid JSON at column 2: expected value" },
	{ "[Infinity]", 0, "invalid JSON at column 2: expected value" },
	{ "[-Infinity]", 0, "invalid JSON at column 2: invalid number" },
	{ "tru", 0, "invalid JSON at column 1: invalid literal" },
	{ "[tru]", 0, "invalid JSON at column 2: invalid literal" },
	{ "[truex]", 0, "invalid JSON at column 6: expected ',' or ']'" },
	{ "nul", 0, "invalid JSON at column 1: invalid literal" },
	{ "True", 0, "invalid JSON at column 1: expected value" },
	{ "\"a\tb\"", 0,
	    "invalid JSON at column 3: control character in string" },
	{ "\"a\nb\"", 0,
	    "invalid JSON at column 3: control character in string" },
	{ "\"\\x\"", 0, "invalid JSON at column 3: invalid escape in string" },
	{ "\"\\u12\"", 0,
	    "invalid JSON at column 2: invalid \\u escape in string" },
	{ "\"\\u12g4\"", 0,
	    "invalid JSON at column 2: invalid \\u escape in string" },
	{ "\"\\ud800\"", 0,
	    "invalid JSON at column 2: unpaired surrogate in string" },
	{ "\"\\ud800\\u0041\"", 0,
	    "invalid JSON at column 2: unpaired surrogate in string" },
	{ "\"\\udc00\"", 0,
	    "invalid JSON at column 2: unpaired surrogate in string" },
	{ "\"\\ud800x\"", 0,
	    "invalid JSON at column 2: unpaired surrogate in string" },
	{ "\"abc", 0, "invalid JSON at column 5: unexpected end of input" },
	{ "\"\xff\"", 0, "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "\"\xc3\"", 0, "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "\"\xc0\xaf\"", 0,
	    "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "\"\xe0\x80\xaf\"", 0,
	    "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "\"\xed\xa0\x80\"", 0,
	    "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "\"\xf4\x90\x80\x80\"", 0,
	    "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "\"\xf8\x88\x80\x80\x80\"", 0,
	    "invalid JSON at column 2: invalid UTF-8 in string" },
	{ "{} {}", 0,
	    "invalid JSON at column 4: trailing characters after value" },
	{ "{}x", 0,
	    "invalid JSON at column 3: trailing characters after value" },
	{ "[1]]", 0,
	    "invalid JSON at column 4: trailing characters after value" },
	{ "{\"a\":1}\0{\"b\":2}", 15, "invalid JSON at column 8: NUL byte" },
	{ "\"a\0b\"", 5, "invalid JSON at column 3: NUL byte" },
	{ "[1\0]", 4, "invalid JSON at column 3: NUL byte" },
	{ "{\"a\":[1,2}", 0, "invalid JSON at column 10: expected ',' or ']'" },
	{ "{\"a\":1", 0, "invalid JSON at column 7: unexpected end of input" },
	{ "[", 0, "invalid JSON at column 2: unexpected end of input" },
	{ "]", 0, "invalid JSON at column 1: expected value" },
	{ "\v1", 0, "invalid JSON at column 1: expected value" },
	{ "'a'", 0, "invalid JSON at column 1: expected value" },
	{ "{\"a\":1}garbage", 0,
	    "invalid JSON at column 8: trailing characters after value" },
	{ "\x89PNG\r\n\x1a\n", 0, "invalid JSON at column 1: expected value" },
};

static const char *const good[] = {
	"0", "-0", "42", "-42", "0.5", "-0.0", "1e308", "1E308", "1e-308",
	"2.5E+10", "1.7976931348623157e308", "9223372036854775807",
	"-9223372036854775808", "12345678901234567890123", "0e0",
	"\"\"", "\"abc\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	"\"\\u0041\\u00e9\\u4e2d\\ud83d\\ude00\"", "\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"",
	"\"\x7f\"", "true", "false", "null", "[]", "{}", " [ ] ",
	"\t{\"a\" : [1, {\"b\": null}], \"c\" : \"d\"}\r\n",
	"[[[[[[[[[[]]]]]]]]]]", "{\"a\":{\"b\":{\"c\":[true,false,null]}}}",
	"[-1.5e-3,0,1]",
};

static void
test_bad(void)
{
	struct json j;
	struct error err;
	size_t i;

	json_init(&j);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].in);
		int r;

		strcpy(err.msg, "(none)");
		r = json_parse(&j, bad[i].in, len, &err);
		ok(r == -1, "refused: %zu", i);
		is_str(err.msg, bad[i].msg, "message for a refused input");
	}
	json_free(&j);
}

static void
test_good(void)
{
	struct json j;
	struct error err;
	size_t i;

	json_init(&j);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = json_parse(&j, good[i], strlen(good[i]), &err);

		ok(r == 0, "accepted: %s", good[i]);
		if (r != 0)
			printf("#   %s\n", err.msg);
	}
	json_free(&j);
}

static void
test_walk(void)
{
	static const char doc[] =
	    "{\"x\":[1,[2,3],{\"y\":4}],\"m\\u0065tric\":\"a\\u00e9\\n\","
	    "\"n\":-12,\"f\":1.5,\"big\":9223372036854775808,\"t\":true}";
	struct json j;
	struct error err;
	struct buf b;
	const char *raw;
	size_t n;
	int64_t v;
	int t;

	json_init(&j);
	buf_init(&b);
	ok(json_parse(&j, doc, strlen(doc), &err) == 0, "walk: parse");
	ok(json_type(&j, 0) == JSON_OBJECT, "walk: root is an object");
	ok(json_count(&j, 0) == 6, "walk: six members");
	t = json_member(&j, 0, "x");
	ok(json_type(&j, t) == JSON_ARRAY && json_count(&j, t) == 3,
	    "walk: x is an array of three");
	ok(json_next(&j, t) == json_member(&j, 0, "metric") - 1,
	    "walk: next skips nested values");
	t = json_member(&j, 0, "metric");
	ok(t > 0 && json_type(&j, t) == JSON_STRING,
	    "walk: escaped key found");
	json_unescape(&j, t, &b);
	is_mem(b.p, b.len, "a\xc3\xa9\n", "walk: unescaped value");
	t = json_member(&j, 0, "n");
	ok(json_int64(&j, t, &v) == 0 && v == -12, "walk: int64 -12");
	t = json_member(&j, 0, "f");
	ok(json_int64(&j, t, &v) == -1, "walk: 1.5 is not an integer");
	raw = json_raw(&j, t, &n);
	is_mem(raw, n, "1.5", "walk: raw number text");
	t = json_member(&j, 0, "big");
	ok(json_int64(&j, t, &v) == -1, "walk: 2^63 is out of range");
	ok(json_type(&j, json_member(&j, 0, "t")) == JSON_TRUE,
	    "walk: true");
	ok(json_member(&j, 0, "absent") == -1, "walk: absent member");
	ok(json_parse(&j, " 42 ", 4, &err) == 0 &&
	    json_type(&j, 0) == JSON_NUMBER, "walk: top-level number");
	raw = json_raw(&j, 0, &n);
	is_mem(raw, n, "42", "walk: top-level number text");
	ok(json_parse(&j, "\"s\"", 3, &err) == 0 &&
	    json_type(&j, 0) == JSON_STRING, "walk: top-level string");
	raw = json_raw(&j, 0, &n);
	is_mem(raw, n, "s", "walk: top-level string text");
	json_free(&j);
	buf_free(&b);
}

static void
test_big(void)
{
	/* enough tokens to make the token array grow several times */
	struct buf b;
	struct json j;
	struct error err;
	int i;

	buf_init(&b);
	json_init(&j);
	buf_putc(&b, '[');
	for (i = 0; i < 10000; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, "{\"a\":[1,2]}");
	}
	buf_putc(&b, ']');
	ok(json_parse(&j, b.p, b.len, &err) == 0 && json_count(&j, 0) == 10000,
	    "big: 10000 objects");
	buf_reset(&b);
	for (i = 0; i < 300; i++)
		buf_putc(&b, '[');
	ok(json_parse(&j, b.p, b.len, &err) == -1 &&
	    strstr(err.msg, "nesting too deep") != NULL,
	    "deep nesting refused");
	json_free(&j);
	buf_free(&b);
}

static void
test_writer(void)
{
	struct buf b;

	buf_init(&b);
	json_put_string(&b, "a\"b\\c/d\n\t\x01\x1f\x7f\xc3\xa9", 14);
	is_str(b.p, "\"a\\\"b\\\\c/d\\n\\t\\u0001\\u001f\x7f\xc3\xa9\"",
	    "writer: escapes");
	buf_reset(&b);
	json_put_string(&b, "a\0b", 3);
	is_str(b.p, "\"a\\u0000b\"", "writer: NUL escaped");
	buf_free(&b);
	ok(json_is_number("-0", 2), "is_number: -0");
	ok(!json_is_number("", 0), "is_number: empty");
	ok(!json_is_number("1 ", 2), "is_number: trailing space");
	ok(json_utf8_valid("\xe2\x82\xac", 3), "utf8: euro sign");
	ok(!json_utf8_valid("\xe2\x82", 2), "utf8: truncated");
}

/* buf_put_int64 and json_int64, both ways, at every digit count and
 * the ends of the range */
static void
test_int64(void)
{
	static const long long vals[] = { 0, 1, -1, 9, 10, -10, 99, 100, 101,
		999, 1000, 12345, -99999, 1678233600000LL, -1678233600007LL,
		999999999999999999LL, 1000000000000000000LL,
		9223372036854775807LL, -9223372036854775807LL - 1 };
	size_t i, wrong = 0;
	char text[32];

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct buf b;
		struct json j;
		struct error err;
		int64_t back = 0;

		buf_init(&b);
		json_init(&j);
		buf_put_int64(&b, vals[i]);
		snprintf(text, sizeof(text), "%lld", vals[i]);
		if (strcmp(b.p, text) != 0 || json_parse(&j, b.p, b.len,
		    &err) < 0 || json_int64(&j, 0, &back) < 0 ||
		    back != vals[i]) {
			printf("# %lld: wrote %s, read %lld\n", vals[i], b.p,
			    (long long)back);
			wrong++;
		}
		buf_free(&b);
		json_free(&j);
	}
	ok(wrong == 0, "int64: written as printf does, read back the same");
	{
		struct json j;
		struct error err;
		int64_t v;

		json_init(&j);
		ok(json_parse(&j, "9223372036854775808", 19, &err) == 0 &&
		    json_int64(&j, 0, &v) < 0, "int64: one past the top is "
		    "refused");
		ok(json_parse(&j, "-9223372036854775809", 20, &err) == 0 &&
		    json_int64(&j, 0, &v) < 0, "int64: one past the bottom "
		    "is refused");
		ok(json_parse(&j, "1.5", 3, &err) == 0 &&
		    json_int64(&j, 0, &v) < 0, "int64: a fraction is refused");
		json_free(&j);
	}
}

int
main(void)
{
	test_int64();
	test_bad();
	test_good();
	test_walk();
	test_big();
	test_writer();
	return done();
}
