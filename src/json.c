/* json.c - strict JSON reader on top of jsmn, and a small writer
 * The only file that includes jsmn.h.  jsmn is lax, so a byte-level
 * validator checks RFC 8259 first and jsmn only tokenizes valid input. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#define JSMN_STRICT
#include <jsmn.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "xalloc.h"

#define JSON_MAX_DEPTH 256

struct json_tok {
	jsmntok_t t;
};

struct validator {
	const char *s;
	size_t n;
	size_t i;
	int depth;
	struct error *err;
};

static int v_value(struct validator *v);

/* Bytes that stand for themselves in a JSON string, read or written:
 * printable ASCII but '"' and '\\' (bit 0); and, written, any byte from
 * 0x80 up too (bit 1: UTF-8 is checked on reading) */
#define PLAIN_READ 1
#define PLAIN_WRITE 2
static const unsigned char plain[256] = {
	/* GNU C ranges; '"' is 0x22, '\\' 0x5c */
	[0x20 ... 0x21] = PLAIN_READ | PLAIN_WRITE,
	[0x23 ... 0x5b] = PLAIN_READ | PLAIN_WRITE,
	[0x5d ... 0x7f] = PLAIN_READ | PLAIN_WRITE,
	[0x80 ... 0xff] = PLAIN_WRITE,
};

void
json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void
json_free(struct json *j)
{
	free(j->tok);
	json_init(j);
}

static int
v_fail(struct validator *v, const char *what)
{
	if (v->i >= v->n)
		what = v->n == 0 ? "empty input" : "unexpected end of input";
	else if (v->s[v->i] == '\0')
		what = "NUL byte";
	error_set(v->err, "invalid JSON at column %zu: %s", v->i + 1, what);
	return -1;
}

static void
v_ws(struct validator *v)
{
	while (v->i < v->n && (v->s[v->i] == ' ' || v->s[v->i] == '\t' ||
	    v->s[v->i] == '\n' || v->s[v->i] == '\r'))
		v->i++;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

size_t
json_number_len(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit(s[i]))
			i++;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i;
}

int
json_is_number(const char *s, size_t n)
{
	return n > 0 && json_number_len(s, n) == n;
}

/* Length of the UTF-8 sequence at s (1-4), or 0 if it is invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned hi = c == 0xED ? 0x9F : 0xBF;

		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned hi = c == 0xF4 ? 0x8F : 0xBF;

		if (n < 4 || s[1] < lo || s[1] > hi ||
		    (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

int
json_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int
v_string(struct validator *v)
{
	unsigned u, u2;
	size_t k;

	v->i++; /* opening quote */
	while (v->i < v->n) {
		const unsigned char *p = (const unsigned char *)v->s + v->i;
		const unsigned char *end = (const unsigned char *)v->s + v->n;
		unsigned char c;

		/* the common case first: a run of printable ASCII, in a
		 * loop of locals */
		while (p < end && (plain[*p] & PLAIN_READ))
			p++;
		v->i = (size_t)(p - (const unsigned char *)v->s);
		if (p == end)
			break;
		c = *p;
		if (c == '"') {
			v->i++;
			return 0;
		}
		if (c == 0)
			return v_fail(v, "NUL byte");
		if (c < 0x20)
			return v_fail(v, "control character in string");
		if (c == '\\') {
			if (v->i + 1 >= v->n)
				break;
			switch (v->s[v->i + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				v->i += 2;
				continue;
			case 'u':
				break;
			default:
				v->i++;
				return v_fail(v, "invalid escape in string");
			}
			if (v->i + 6 > v->n || hex4(v->s + v->i + 2, &u) < 0)
				return v_fail(v, "invalid \\u escape in string");
			if (u >= 0xDC00 && u <= 0xDFFF)
				return v_fail(v, "unpaired surrogate in string");
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (v->i + 12 > v->n || v->s[v->i + 6] != '\\' ||
				    v->s[v->i + 7] != 'u' ||
				    hex4(v->s + v->i + 8, &u2) < 0 ||
				    u2 < 0xDC00 || u2 > 0xDFFF)
					return v_fail(v,
					    "unpaired surrogate in string");
				v->i += 12;
			} else
				v->i += 6;
			continue;
		}
		k = utf8_seq((const unsigned char *)v->s + v->i, v->n - v->i);
		if (k == 0)
			return v_fail(v, "invalid UTF-8 in string");
		v->i += k;
	}
	return v_fail(v, "unterminated string");
}

static int
v_literal(struct validator *v, const char *word)
{
	size_t k = strlen(word);

	if (v->n - v->i < k || memcmp(v->s + v->i, word, k) != 0)
		return v_fail(v, "invalid literal");
	v->i += k;
	return 0;
}

static int
v_number(struct validator *v)
{
	size_t k = json_number_len(v->s + v->i, v->n - v->i);
	char c;

	if (k == 0)
		return v_fail(v, "invalid number");
	v->i += k;
	/* "01", "1.2.3", "1e5e5": a number must end at a delimiter */
	c = v->i < v->n ? v->s[v->i] : ' ';
	if (is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' ||
	    c == '-')
		return v_fail(v, "invalid number");
	return 0;
}

static int
v_container(struct validator *v, char close)
{
	int first = 1;

	if (++v->depth > JSON_MAX_DEPTH)
		return v_fail(v, "nesting too deep");
	v->i++;
	v_ws(v);
	if (v->i < v->n && v->s[v->i] == close) {
		v->i++;
		v->depth--;
		return 0;
	}
	for (;;) {
		if (!first) {
			v_ws(v);
			if (v->i < v->n && v->s[v->i] == close)
				break;
			if (v->i >= v->n || v->s[v->i] != ',')
				return v_fail(v, close == '}' ?
				    "expected ',' or '}'" :
				    "expected ',' or ']'");
			v->i++;
		}
		first = 0;
		v_ws(v);
		if (close == '}') {
			if (v->i >= v->n || v->s[v->i] != '"')
				return v_fail(v, "expected string key");
			if (v_string(v) < 0)
				return -1;
			v_ws(v);
			if (v->i >= v->n || v->s[v->i] != ':')
				return v_fail(v, "expected ':'");
			v->i++;
			v_ws(v);
		}
		if (v_value(v) < 0)
			return -1;
	}
	v->i++;
	v->depth--;
	return 0;
}

static int
v_value(struct validator *v)
{
	if (v->i >= v->n)
		return v_fail(v, "expected value");
	switch (v->s[v->i]) {
	case '{':
		return v_container(v, '}');
	case '[':
		return v_container(v, ']');
	case '"':
		return v_string(v);
	case 't':
		return v_literal(v, "true");
	case 'f':
		return v_literal(v, "false");
	case 'n':
		return v_literal(v, "null");
	case '\0':
		return v_fail(v, "NUL byte");
	default:
		if (v->s[v->i] == '-' || is_digit(v->s[v->i]))
			return v_number(v);
		return v_fail(v, "expected value");
	}
}

/* Runs jsmn over text already validated, growing the token array. */
static int
tokenize(struct json *j, size_t start, size_t end, struct error *err)
{
	jsmn_parser p;
	int r;

	if (j->cap == 0) {
		j->cap = 64;
		j->tok = xreallocarray(NULL, (size_t)j->cap, sizeof(*j->tok));
	}
	for (;;) {
		jsmn_init(&p);
		/* jsmntok_t is the first and only member of json_tok */
		r = jsmn_parse(&p, j->text + start, end - start,
		    (jsmntok_t *)j->tok, (unsigned)j->cap);
		if (r != JSMN_ERROR_NOMEM)
			break;
		if (j->cap > INT_MAX / 2) {
			error_set(err, "invalid JSON: too many values");
			return -1;
		}
		j->cap *= 2;
		j->tok = xreallocarray(j->tok, (size_t)j->cap,
		    sizeof(*j->tok));
	}
	if (r < 1 || (size_t)j->tok[0].t.end != end - start) {
		error_set(err, "invalid JSON: tokenizer disagrees with "
		    "validator");
		return -1;
	}
	j->ntok = r;
	return 0;
}

int
json_parse(struct json *j, const char *text, size_t len, struct error *err)
{
	struct validator v = { text, len, 0, 0, err };
	size_t start, end;
	int i;

	j->text = text;
	j->len = len;
	j->ntok = 0;
	if (len > (size_t)INT_MAX - 1) {
		error_set(err, "invalid JSON: document too large");
		return -1;
	}
	v_ws(&v);
	start = v.i;
	if (v_value(&v) < 0)
		return -1;
	end = v.i;
	v_ws(&v);
	if (v.i < v.n)
		return v_fail(&v, "trailing characters after value");
	if (text[start] == '{' || text[start] == '[') {
		if (tokenize(j, start, end, err) < 0)
			return -1;
	} else {
		/* jsmn cannot end a top-level scalar at end of input */
		if (j->cap == 0) {
			j->cap = 64;
			j->tok = xreallocarray(NULL, (size_t)j->cap,
			    sizeof(*j->tok));
		}
		j->tok[0].t.type = text[start] == '"' ? JSMN_STRING :
		    JSMN_PRIMITIVE;
		j->tok[0].t.start = text[start] == '"' ? 1 : 0;
		j->tok[0].t.end = (int)(end - start) -
		    (text[start] == '"' ? 1 : 0);
		j->tok[0].t.size = 0;
		j->tok[0].t.parent = -1;
		j->ntok = 1;
	}
	/* make offsets absolute so json_raw needs no base */
	for (i = 0; i < j->ntok; i++) {
		j->tok[i].t.start += (int)start;
		j->tok[i].t.end += (int)start;
	}
	return 0;
}

static const jsmntok_t *
tok(const struct json *j, int t)
{
	if (t < 0 || t >= j->ntok)
		return NULL;
	return &j->tok[t].t;
}

enum json_type
json_type(const struct json *j, int t)
{
	const jsmntok_t *k = tok(j, t);

	if (k == NULL)
		return JSON_NONE;
	switch (k->type) {
	case JSMN_OBJECT:
		return JSON_OBJECT;
	case JSMN_ARRAY:
		return JSON_ARRAY;
	case JSMN_STRING:
		return JSON_STRING;
	case JSMN_PRIMITIVE:
		switch (j->text[k->start]) {
		case 't':
			return JSON_TRUE;
		case 'f':
			return JSON_FALSE;
		case 'n':
			return JSON_NULL;
		default:
			return JSON_NUMBER;
		}
	default:
		return JSON_NONE;
	}
}

int
json_count(const struct json *j, int t)
{
	const jsmntok_t *k = tok(j, t);

	if (k == NULL || (k->type != JSMN_OBJECT && k->type != JSMN_ARRAY))
		return 0;
	return k->size;
}

int
json_next(const struct json *j, int t)
{
	const jsmntok_t *k = tok(j, t);
	int n;

	if (k == NULL)
		return j->ntok;
	for (n = t + 1; n < j->ntok; n++)
		if (j->tok[n].t.start >= k->end)
			break;
	return n;
}

const char *
json_raw(const struct json *j, int t, size_t *n)
{
	const jsmntok_t *k = tok(j, t);

	if (k == NULL) {
		*n = 0;
		return "";
	}
	*n = (size_t)(k->end - k->start);
	return j->text + k->start;
}

const char *
json_text(const struct json *j, int t, size_t *n)
{
	const char *p = json_raw(j, t, n);

	if (json_type(j, t) != JSON_STRING)
		return p;
	*n += 2; /* jsmn's string tokens leave out the quotes around them */
	return p - 1;
}

void
json_put_utf8(struct buf *out, unsigned cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		buf_append(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		buf_append(out, b, 4);
	}
}

void
json_unescape(const struct json *j, int t, struct buf *out)
{
	size_t n, i = 0, run;
	const char *s = json_raw(j, t, &n);
	unsigned u, u2;

	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);

		run = bs != NULL ? (size_t)(bs - s) : n;
		buf_append(out, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		/* escapes were validated by json_parse */
		switch (s[i + 1]) {
		case 'b': buf_putc(out, '\b'); break;
		case 'f': buf_putc(out, '\f'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 'r': buf_putc(out, '\r'); break;
		case 't': buf_putc(out, '\t'); break;
		case 'u':
			hex4(s + i + 2, &u);
			if (u >= 0xD800 && u <= 0xDBFF) {
				hex4(s + i + 8, &u2);
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (u2 - 0xDC00);
				i += 6;
			}
			json_put_utf8(out, u);
			i += 4;
			break;
		default: buf_putc(out, s[i + 1]); break;
		}
		i += 2;
	}
}

int
json_streq(const struct json *j, int t, const char *s, size_t n)
{
	size_t rn;
	const char *raw;
	struct buf b;
	int eq;

	if (json_type(j, t) != JSON_STRING)
		return 0;
	raw = json_raw(j, t, &rn);
	if (rn == n && memcmp(raw, s, n) == 0 && memchr(s, '\\', n) == NULL)
		return 1;
	/* an escape makes the text shorter than its raw form */
	if (rn <= n || memchr(raw, '\\', rn) == NULL)
		return 0;
	buf_init(&b);
	json_unescape(j, t, &b);
	eq = b.len == n && memcmp(b.p, s, n) == 0;
	buf_free(&b);
	return eq;
}

int
json_member(const struct json *j, int t, const char *key)
{
	int i, k, count = json_count(j, t);
	size_t kn = strlen(key);

	if (json_type(j, t) != JSON_OBJECT)
		return -1;
	for (i = 0, k = t + 1; i < count; i++) {
		if (json_streq(j, k, key, kn))
			return k + 1;
		k = json_next(j, k + 1);
	}
	return -1;
}

int
json_int64(const struct json *j, int t, int64_t *v)
{
	size_t n, i = 0;
	const char *s = json_raw(j, t, &n);
	int neg = 0;
	uint64_t acc = 0, lim;

	if (json_type(j, t) != JSON_NUMBER)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (n - i <= 18) {
		/* 18 digits cannot overflow: no check a digit */
		for (; i < n; i++) {
			if (!is_digit(s[i]))
				return -1;
			acc = acc * 10 + (uint64_t)(s[i] - '0');
		}
		*v = neg ? -(int64_t)acc : (int64_t)acc;
		return n > (size_t)neg ? 0 : -1;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		if (acc > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		acc = acc * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg)
		*v = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	else
		*v = (int64_t)acc;
	return 0;
}

void
json_put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run;

	buf_reserve(b, n + 2);
	buf_putc(b, '"');
	for (i = 0; i < n; i = run + 1) {
		const unsigned char *p = (const unsigned char *)s + i;
		const unsigned char *end = (const unsigned char *)s + n;
		unsigned char c;

		while (p < end && (plain[*p] & PLAIN_WRITE))
			p++;
		run = (size_t)(p - (const unsigned char *)s);
		buf_append(b, s + i, run - i);
		if (run >= n)
			break;
		c = (unsigned char)s[run];
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				hex[c & 15] };

			buf_append(b, e, 6);
		}
		}
	}
	buf_putc(b, '"');
}

void
json_put_bytes(struct buf *b, const char *s, size_t n)
{
	size_t i = 0, run, k;
	struct buf tmp;

	if (json_utf8_valid(s, n)) {
		json_put_string(b, s, n);
		return;
	}
	/* rebuild as UTF-8 with invalid bytes mapped to U+0080..U+00FF */
	buf_init(&tmp);
	while (i < n) {
		for (run = i; run < n; run += k) {
			k = utf8_seq((const unsigned char *)s + run, n - run);
			if (k == 0)
				break;
		}
		buf_append(&tmp, s + i, run - i);
		i = run;
		if (i < n) {
			json_put_utf8(&tmp, (unsigned char)s[i]);
			i++;
		}
	}
	json_put_string(b, tmp.p, tmp.len);
	buf_free(&tmp);
}
