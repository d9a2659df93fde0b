/* datapoint.c - one otsdb NDJSON datapoint: decode, validate, encode
 * The rules are those of otsdb-ndjson(5); keep the two in step. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "datapoint.h"
#include "error.h"
#include "xalloc.h"

/* OpenTSDB: timestamps up to 2^32-1 are seconds, larger are ms, more
 * than 13 digits are refused. */
#define DP_MAX_SECONDS DATAPOINT_MAX_SECONDS
#define DP_MAX_MS DATAPOINT_MAX_MS

struct span {
	size_t off;
	size_t len;
};

void
datapoint_init(struct datapoint *dp)
{
	memset(dp, 0, sizeof(*dp));
	buf_init(&dp->store);
	json_init(&dp->json);
}

void
datapoint_free(struct datapoint *dp)
{
	if (dp == NULL)
		return;
	free(dp->tags);
	buf_free(&dp->store);
	json_free(&dp->json);
	datapoint_init(dp);
}

/* Unescapes string token t into the store; returns where it went. */
static struct span
store_string(struct datapoint *dp, int t)
{
	struct span s;

	s.off = dp->store.len;
	json_unescape(&dp->json, t, &dp->store);
	s.len = dp->store.len - s.off;
	return s;
}

static int
decode_timestamp(struct datapoint *dp, int t, struct error *err)
{
	const struct json *j = &dp->json;
	int64_t v = 0;
	size_t n, i;
	const char *s;

	if (json_type(j, t) == JSON_STRING) {
		s = json_raw(j, t, &n);
		if (n == 0 || n > 13)
			goto notint;
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				goto notint;
			v = v * 10 + (s[i] - '0');
		}
	} else if (json_type(j, t) == JSON_NUMBER) {
		s = json_raw(j, t, &n);
		if (json_int64(j, t, &v) < 0) {
			if (memchr(s, '.', n) || memchr(s, 'e', n) ||
			    memchr(s, 'E', n))
				goto notint;
			error_set(err, "timestamp has more than 13 digits");
			return -1;
		}
	} else
		goto notint;
	if (v <= 0) {
		error_set(err, "timestamp must be positive");
		return -1;
	}
	if (v > DP_MAX_MS) {
		error_set(err, "timestamp has more than 13 digits");
		return -1;
	}
	dp->timestamp_ms = v <= DP_MAX_SECONDS ? v * 1000 : v;
	return 0;
notint:
	error_set(err, "timestamp is not an integer");
	return -1;
}

/* Checks number text: JSON grammar, finite as a double, and within int64
 * when it has neither fraction nor exponent (as OpenTSDB parses it). */
int
datapoint_check_value(const char *s, size_t n, struct error *err)
{
	if (!json_is_number(s, n)) {
		error_set(err, "value is not a number");
		return -1;
	}
	return datapoint_check_number(s, n, err);
}

int
datapoint_check_number(const char *s, size_t n, struct error *err)
{
	char tmp[64], *end;
	const char *dot = NULL;
	int expo = 0;
	size_t i;
	double d;

	for (i = 0; i < n; i++)
		if (s[i] == '.')
			dot = s + i;
		else if (s[i] == 'e' || s[i] == 'E')
			expo = 1;
	if (dot == NULL && !expo) {
		size_t digits = n - (s[0] == '-');
		int neg = s[0] == '-';
		const char *lim = neg ? "9223372036854775808" :
		    "9223372036854775807";

		if (digits > 19 || (digits == 19 &&
		    memcmp(s + neg, lim, 19) > 0)) {
			error_set(err, "value is out of range for a 64-bit "
			    "integer");
			return -1;
		}
		return 0;
	}
	/* without an exponent only 309+ integer digits overflow */
	if (!expo && (size_t)(dot - s) - (s[0] == '-') <= 308)
		return 0;
	if (n < sizeof(tmp)) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		errno = 0;
		d = strtod(tmp, &end);
	} else {
		char *copy = xmemdup0(s, n);

		d = strtod(copy, &end);
		free(copy);
	}
	if (isinf(d) || isnan(d)) {
		error_set(err, "value is out of range for a double");
		return -1;
	}
	return 0;
}

static int
decode_value(struct datapoint *dp, int t, struct span *out,
    struct error *err)
{
	const struct json *j = &dp->json;
	size_t n;
	const char *s;

	if (json_type(j, t) == JSON_NUMBER) {
		s = json_raw(j, t, &n);
		if (datapoint_check_number(s, n, err) < 0)
			return -1;
		out->off = dp->store.len;
		out->len = n;
		buf_append(&dp->store, s, n);
		return 0;
	}
	if (json_type(j, t) != JSON_STRING) {
		error_set(err, "value is not a number");
		return -1;
	}
	*out = store_string(dp, t);
	if (datapoint_check_value(dp->store.p + out->off, out->len, err) < 0)
		return -1;
	return 0;
}

static int
tag_cmp(const void *a, const void *b)
{
	const struct dp_tag *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static int
decode_tags(struct datapoint *dp, int t, struct error *err)
{
	const struct json *j = &dp->json;
	int count = json_count(j, t), i, k;
	struct span ks, vs;

	if (json_type(j, t) != JSON_OBJECT) {
		error_set(err, "tags is not an object");
		return -1;
	}
	if ((size_t)count > dp->tags_cap) {
		dp->tags_cap = (size_t)count;
		dp->tags = xreallocarray(dp->tags, dp->tags_cap,
		    sizeof(*dp->tags));
	}
	for (i = 0, k = t + 1; i < count; i++, k = json_next(j, k + 1)) {
		ks = store_string(dp, k);
		if (ks.len == 0) {
			error_set(err, "tag key is empty");
			return -1;
		}
		if (json_type(j, k + 1) != JSON_STRING) {
			error_set(err, "tag value of %.*s is not a string",
			    (int)(ks.len > 64 ? 64 : ks.len),
			    dp->store.p + ks.off);
			return -1;
		}
		vs = store_string(dp, k + 1);
		if (vs.len == 0) {
			error_set(err, "tag value of %.*s is empty",
			    (int)(ks.len > 64 ? 64 : ks.len),
			    dp->store.p + ks.off);
			return -1;
		}
		/* the store does not move: see datapoint_decode */
		dp->tags[i].key = dp->store.p + ks.off;
		dp->tags[i].key_len = ks.len;
		dp->tags[i].val = dp->store.p + vs.off;
		dp->tags[i].val_len = vs.len;
	}
	dp->ntags = (size_t)count;
	return 0;
}

/* Finds the four known members in one pass; a repeated one is an error. */
static int
known_members(const struct json *j, int root, int out[4], struct error *err)
{
	static const char *const keys[4] = { "metric", "timestamp", "value",
		"tags" };
	int count = json_count(j, root), i, k, n;
	const char *raw;
	size_t rn;

	out[0] = out[1] = out[2] = out[3] = -1;
	for (i = 0, k = root + 1; i < count; i++, k = json_next(j, k + 1)) {
		raw = json_raw(j, k, &rn);
		if (memchr(raw, '\\', rn) == NULL) {
			/* the usual case: no escape, and the four keys
			 * differ in length */
			n = rn == 6 ? 0 : rn == 9 ? 1 : rn == 5 ? 2 :
			    rn == 4 ? 3 : -1;
			if (n < 0 || memcmp(raw, keys[n], rn) != 0)
				continue;
		} else {
			for (n = 0; n < 4; n++)
				if (json_streq(j, k, keys[n], strlen(keys[n])))
					break;
			if (n == 4)
				continue;
		}
		if (out[n] >= 0) {
			error_set(err, "duplicate key %s", keys[n]);
			return -1;
		}
		out[n] = k + 1;
	}
	return 0;
}

/* The bytes a canonical string holds as they are: printable ASCII but
 * '"' and '\\' (1), and the bytes of UTF-8 sequences (2), checked. */
static const unsigned char canon_byte[256] = {
	[0x20 ... 0x21] = 1,
	[0x23 ... 0x5b] = 1,
	[0x5d ... 0x7f] = 1,
	[0x80 ... 0xff] = 2,
};

/* A canonical string at p (after its opening quote), up to its closing
 * quote: its length, or 0 when it is empty or holds what the canonical
 * form would escape or what is not UTF-8. */
static size_t
canon_string(const char *p, const char *end)
{
	const unsigned char *s = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end, *q = s;
	int high = 0;

	for (;;) {
		while (q < e && canon_byte[*q] == 1)
			q++;
		if (q < e && canon_byte[*q] == 2) {
			high = 1;
			q++;
			continue;
		}
		break;
	}
	if (q == e || *q != '"' || q == s)
		return 0;
	if (high && !json_utf8_valid(p, (size_t)(q - s)))
		return 0;
	return (size_t)(q - s);
}

/* The fast way for a line that is exactly the canonical encoding of a
 * datapoint (what datapoint_encode and otsdb-dump write) with a time of
 * 11 to 13 digits: one walk over the bytes, no token.  Returns 1 with dp
 * filled as datapoint_decode_json fills it, or 0 when the line is not in
 * that form or not valid (the general decoder then decides and says
 * why).  Every line it takes, the general decoder takes the same way:
 * tests/unit/test-datapoint and the datapoint fuzzer compare them. */
static int
decode_canonical(struct datapoint *dp, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *metric, *value, *digits;
	struct dp_tag t[64];
	size_t metric_len, value_len, n, ntags = 0, i;
	struct error err;
	int64_t ts = 0;
	char *w;

	if (len < 48 || memcmp(p, "{\"metric\":\"", 11) != 0)
		return 0;
	p += 11;
	if ((metric_len = canon_string(p, end)) == 0)
		return 0;
	metric = p;
	p += metric_len + 1;
	if (end - p < 13 || memcmp(p, ",\"timestamp\":", 13) != 0)
		return 0;
	p += 13;
	for (digits = p; p < end && p - digits < 14 && *p >= '0' && *p <= '9';
	    p++)
		ts = ts * 10 + (*p - '0');
	if (p - digits < 11 || p - digits > 13 || *digits == '0')
		return 0;
	if (end - p < 9 || memcmp(p, ",\"value\":", 9) != 0)
		return 0;
	p += 9;
	value = p;
	value_len = json_number_len(p, (size_t)(end - p));
	if (value_len == 0 || datapoint_check_number(p, value_len, &err) < 0)
		return 0;
	p += value_len;
	if (end - p < 11 || memcmp(p, ",\"tags\":{", 9) != 0)
		return 0;
	p += 9;
	while (*p == '"' && ntags < sizeof(t) / sizeof(t[0])) {
		t[ntags].key = ++p;
		if ((t[ntags].key_len = canon_string(p, end)) == 0)
			return 0;
		p += t[ntags].key_len + 1;
		if (end - p < 2 || p[0] != ':' || p[1] != '"')
			return 0;
		t[ntags].val = p += 2;
		if ((t[ntags].val_len = canon_string(p, end)) == 0)
			return 0;
		p += t[ntags].val_len + 1;
		/* sorted, so no key repeats */
		if (ntags > 0 && tag_cmp(&t[ntags - 1], &t[ntags]) >= 0)
			return 0;
		ntags++;
		if (p < end && *p == ',' && p + 1 < end && p[1] == '"')
			p++;
		else
			break;
	}
	if (end - p != 2 || p[0] != '}' || p[1] != '}')
		return 0;
	/* the store gets the texts, as the general decoder keeps them */
	buf_reset(&dp->store);
	buf_reserve(&dp->store, len + 1);
	if (ntags > dp->tags_cap) {
		dp->tags_cap = ntags;
		dp->tags = xreallocarray(dp->tags, ntags, sizeof(*dp->tags));
	}
	w = dp->store.p;
	memcpy(w, metric, metric_len);
	dp->metric = w;
	dp->metric_len = metric_len;
	w += metric_len;
	memcpy(w, value, value_len);
	dp->value = w;
	dp->value_len = value_len;
	w += value_len;
	for (i = 0; i < ntags; i++) {
		memcpy(w, t[i].key, t[i].key_len);
		dp->tags[i].key = w;
		dp->tags[i].key_len = t[i].key_len;
		w += t[i].key_len;
		memcpy(w, t[i].val, t[i].val_len);
		dp->tags[i].val = w;
		dp->tags[i].val_len = t[i].val_len;
		w += t[i].val_len;
	}
	n = (size_t)(w - dp->store.p);
	dp->store.len = n;
	dp->store.p[n] = '\0';
	dp->ntags = ntags;
	dp->timestamp_ms = ts;
	dp->canonical = 1;
	return 1;
}

int
datapoint_decode(struct datapoint *dp, const char *line, size_t len,
    struct error *err)
{
	if (decode_canonical(dp, line, len))
		return 0;
	return datapoint_decode_json(dp, line, len, err);
}

int
datapoint_decode_json(struct datapoint *dp, const char *line, size_t len,
    struct error *err)
{
	struct json *j = &dp->json;
	int km[4], tm, tt, tv, tg;
	struct span ms, vs;

	/* what the store gets (texts unescaped, the value) is never longer
	 * than the line: reserved at once, it does not move, so pointers
	 * into it can be taken as it fills */
	buf_reset(&dp->store);
	buf_reserve(&dp->store, len + 1);
	dp->ntags = 0;
	dp->canonical = 0;
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		/* editors on some systems start a file with one */
		error_set(err, "the line starts with a UTF-8 byte-order mark "
		    "(U+FEFF); remove it");
		return -1;
	}
	if (json_parse(j, line, len, err) < 0)
		return -1;
	if (json_type(j, 0) != JSON_OBJECT) {
		error_set(err, "line is not a JSON object");
		return -1;
	}
	if (known_members(j, 0, km, err) < 0)
		return -1;
	tm = km[0];
	tt = km[1];
	tv = km[2];
	tg = km[3];
	if (tm < 0) {
		error_set(err, "metric is missing");
		return -1;
	}
	if (json_type(j, tm) != JSON_STRING) {
		error_set(err, "metric is not a string");
		return -1;
	}
	ms = store_string(dp, tm);
	if (ms.len == 0) {
		error_set(err, "metric is empty");
		return -1;
	}
	if (tt < 0) {
		error_set(err, "timestamp is missing");
		return -1;
	}
	if (decode_timestamp(dp, tt, err) < 0)
		return -1;
	if (tv < 0) {
		error_set(err, "value is missing");
		return -1;
	}
	if (decode_value(dp, tv, &vs, err) < 0)
		return -1;
	if (tg >= 0 && decode_tags(dp, tg, err) < 0)
		return -1;
	dp->metric = dp->store.p + ms.off;
	dp->metric_len = ms.len;
	dp->value = dp->store.p + vs.off;
	dp->value_len = vs.len;
	return datapoint_sort_tags(dp, err);
}

int
datapoint_equal(const struct datapoint *a, const struct datapoint *b)
{
	size_t i;

	if (a->metric_len != b->metric_len || memcmp(a->metric, b->metric,
	    a->metric_len) != 0 || a->timestamp_ms != b->timestamp_ms ||
	    a->value_len != b->value_len || memcmp(a->value, b->value,
	    a->value_len) != 0 || a->ntags != b->ntags)
		return 0;
	for (i = 0; i < a->ntags; i++)
		if (a->tags[i].key_len != b->tags[i].key_len ||
		    a->tags[i].val_len != b->tags[i].val_len ||
		    memcmp(a->tags[i].key, b->tags[i].key,
		    a->tags[i].key_len) != 0 ||
		    memcmp(a->tags[i].val, b->tags[i].val,
		    a->tags[i].val_len) != 0)
			return 0;
	return 1;
}

int
datapoint_sort_tags(struct datapoint *dp, struct error *err)
{
	size_t i;

	if (dp->ntags > 16)
		qsort(dp->tags, dp->ntags, sizeof(*dp->tags), tag_cmp);
	else {
		/* a few tags (8 at most in OpenTSDB): insertion sort, which
		 * unlike glibc's qsort allocates nothing */
		for (i = 1; i < dp->ntags; i++) {
			struct dp_tag t = dp->tags[i];
			size_t k = i;

			for (; k > 0 && tag_cmp(&dp->tags[k - 1], &t) > 0; k--)
				dp->tags[k] = dp->tags[k - 1];
			dp->tags[k] = t;
		}
	}
	for (i = 1; i < dp->ntags; i++) {
		if (tag_cmp(&dp->tags[i - 1], &dp->tags[i]) == 0) {
			error_set(err, "duplicate tag key %.*s",
			    (int)(dp->tags[i].key_len > 64 ? 64 :
			    dp->tags[i].key_len), dp->tags[i].key);
			dp->ntags = 0;
			return -1;
		}
	}
	return 0;
}

void
datapoint_encode_head(const struct datapoint *dp, struct buf *out)
{
	buf_puts(out, "{\"metric\":");
	json_put_string(out, dp->metric, dp->metric_len);
	buf_puts(out, ",\"timestamp\":");
}

void
datapoint_encode_tail(const struct datapoint *dp, struct buf *out)
{
	buf_puts(out, ",\"tags\":{");
	datapoint_encode_tags(dp, out, 0);
	buf_puts(out, "}}");
}

void
datapoint_encode_tags(const struct datapoint *dp, struct buf *out,
    int lead)
{
	size_t i;

	for (i = 0; i < dp->ntags; i++) {
		if (i > 0 || lead)
			buf_putc(out, ',');
		json_put_string(out, dp->tags[i].key, dp->tags[i].key_len);
		buf_putc(out, ':');
		json_put_string(out, dp->tags[i].val, dp->tags[i].val_len);
	}
}

/* Milliseconds, or seconds for a time that would read as seconds. */
static void
put_timestamp(struct buf *out, int64_t ms)
{
	buf_put_int64(out, (long long)(ms <= DP_MAX_SECONDS ? ms / 1000 : ms));
}

const char *
datapoint_timestamp_problem(int64_t ms)
{
	if (ms <= 0)
		return "a time of 0 cannot be written (times must be positive)";
	if (ms > DP_MAX_MS)
		return "a time of more than 13 digits in milliseconds cannot be "
		    "written";
	if (ms <= DP_MAX_SECONDS && ms % 1000 != 0)
		return "a time before 1970-02-19 with milliseconds cannot be "
		    "written (readers take 4294967295 or less as seconds)";
	return NULL;
}

size_t
datapoint_json_tags(struct datapoint *dp, const struct json *j, int tt,
    struct buf *strs)
{
	size_t n, x, odd = 0;
	int k;

	n = tt >= 0 && json_type(j, tt) == JSON_OBJECT ?
	    (size_t)json_count(j, tt) : 0;
	if (n > dp->tags_cap) {
		dp->tags_cap = n;
		dp->tags = xreallocarray(dp->tags, n, sizeof(*dp->tags));
	}
	/* offsets first: the buffer may move while it fills */
	for (x = 0, k = tt + 1; x < n; x++, k = json_next(j, k + 1)) {
		size_t a = strs->len, b;

		json_unescape(j, k, strs);
		b = strs->len;
		if (json_type(j, k + 1) == JSON_STRING)
			json_unescape(j, k + 1, strs);
		else
			odd++;
		dp->tags[x].key = (const char *)(uintptr_t)a;
		dp->tags[x].key_len = b - a;
		dp->tags[x].val = (const char *)(uintptr_t)b;
		dp->tags[x].val_len = strs->len - b;
	}
	for (x = 0; x < n; x++) {
		dp->tags[x].key = strs->p + (uintptr_t)dp->tags[x].key;
		dp->tags[x].val = strs->p + (uintptr_t)dp->tags[x].val;
	}
	dp->ntags = n;
	return odd;
}

void
datapoint_encode_point(struct buf *out, const char *head, size_t head_len,
    int64_t timestamp_ms, const char *ts_text, size_t ts_len,
    const char *value, size_t value_len, const char *tail, size_t tail_len)
{
	char *p;

	if (ts_text == NULL || timestamp_ms <= DP_MAX_SECONDS) {
		buf_append(out, head, head_len);
		put_timestamp(out, timestamp_ms);
		buf_append(out, ",\"value\":", 9);
		buf_append(out, value, value_len);
		buf_append(out, tail, tail_len);
		return;
	}
	/* the time's own digits: one reservation, copies only */
	buf_reserve(out, head_len + ts_len + 9 + value_len + tail_len);
	p = out->p + out->len;
	memcpy(p, head, head_len);
	p += head_len;
	memcpy(p, ts_text, ts_len);
	p += ts_len;
	memcpy(p, ",\"value\":", 9);
	p += 9;
	memcpy(p, value, value_len);
	p += value_len;
	memcpy(p, tail, tail_len);
	p += tail_len;
	*p = '\0';
	out->len = (size_t)(p - out->p);
}

void
datapoint_encode(const struct datapoint *dp, struct buf *out)
{
	datapoint_encode_head(dp, out);
	put_timestamp(out, dp->timestamp_ms);
	buf_append(out, ",\"value\":", 9);
	buf_append(out, dp->value, dp->value_len);
	datapoint_encode_tail(dp, out);
}

int
datapoint_mark_format(char *out, size_t n, int64_t ms)
{
	return snprintf(out, n, DATAPOINT_MARK_PREFIX "%lld}\n",
	    (long long)ms);
}

int
datapoint_mark_parse(const char *line, size_t len, int64_t *ms)
{
	size_t plen = sizeof(DATAPOINT_MARK_PREFIX) - 1, i;
	int64_t v = 0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len < plen + 2 || memcmp(line, DATAPOINT_MARK_PREFIX, plen) != 0 ||
	    line[len - 1] != '}' || len - plen - 1 > 18)
		return 0;
	for (i = plen; i < len - 1; i++) {
		if (line[i] < '0' || line[i] > '9')
			return 0;
		v = v * 10 + (line[i] - '0');
	}
	*ms = v;
	return 1;
}
