/* otsdb.c - OpenTSDB's HTTP API: requests built, answers read and
 * classified; pure functions over buffers, no I/O
 * See the project's notes on OpenTSDB's HTTP API for why each is so. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "error.h"
#include "http.h"
#include "json.h"
#include "otsdb.h"
#include "strvec.h"
#include "xalloc.h"

void
otsdb_url_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_append(b, e, 3);
		}
	}
}

/* ------------------------------------------------------------ suggest */

void
otsdb_suggest_url(struct buf *url, const char *base, const char *prefix,
    int max)
{
	buf_puts(url, base);
	buf_puts(url, "/api/suggest?type=metrics&max=");
	buf_put_int64(url, max);
	buf_puts(url, "&q=");
	otsdb_url_escape(url, prefix, strlen(prefix));
}

int
otsdb_suggest_parse(const char *body, size_t len, const char *prefix,
    struct strvec *names, int *cut, struct error *err)
{
	struct json j;
	struct buf b;
	size_t plen = strlen(prefix);
	int t, i, count;

	*cut = 0;
	json_init(&j);
	if (json_parse(&j, body ? body : "", len, err) < 0 ||
	    json_type(&j, 0) != JSON_ARRAY) {
		error_set(err, "not a JSON array of names");
		json_free(&j);
		return -1;
	}
	count = json_count(&j, 0);
	buf_init(&b);
	for (i = 0, t = 1; i < count; i++, t = json_next(&j, t)) {
		if (json_type(&j, t) != JSON_STRING)
			continue;
		buf_reset(&b);
		json_unescape(&j, t, &b);
		if (b.len >= plen && memcmp(b.p, prefix, plen) == 0)
			strvec_add(names, b.p, b.len);
	}
	buf_free(&b);
	json_free(&j);
	*cut = count >= OTSDB_SUGGEST_MAX || count == OTSDB_SUGGEST_SERVER_CAP;
	return 0;
}

unsigned
otsdb_codepoint_at(const char *s, size_t at)
{
	const unsigned char *p = (const unsigned char *)s + at;

	if (p[0] < 0x80)
		return p[0];
	if ((p[0] & 0xE0) == 0xC0 && p[1])
		return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
	if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2])
		return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) |
		    (p[2] & 0x3Fu);
	return 0x10000;
}

/* ------------------------------------------------------------ version */

void
otsdb_version_url(struct buf *url, const char *base)
{
	buf_puts(url, base);
	buf_puts(url, "/api/version");
}

int
otsdb_version_parse(const char *body, size_t len, struct otsdb_version *v)
{
	struct json j;
	struct error err;
	struct buf b;
	int t, rc = -1;

	memset(v, 0, sizeof(*v));
	json_init(&j);
	buf_init(&b);
	if (json_parse(&j, body ? body : "", len, &err) == 0 &&
	    json_type(&j, 0) == JSON_OBJECT &&
	    (t = json_member(&j, 0, "version")) >= 0 &&
	    json_type(&j, t) == JSON_STRING) {
		json_unescape(&j, t, &b);
		snprintf(v->text, sizeof(v->text), "%s", b.p ? b.p : "");
		if (sscanf(v->text, "%d.%d", &v->major, &v->minor) == 2)
			rc = 0;
		else
			v->major = v->minor = 0;
	}
	buf_free(&b);
	json_free(&j);
	return rc;
}

/* The boolean or number text of member key of object 0 into *out
 * (booleans 0/1); unchanged when absent or unreadable. */
static void
config_value(const struct json *j, const char *key, int boolean, long *out)
{
	int t = json_member(j, 0, key);
	size_t n;
	const char *s;
	char text[32], *end;
	long v;

	if (t < 0 || json_type(j, t) != JSON_STRING)
		return;
	s = json_raw(j, t, &n);
	if (n == 0 || n >= sizeof(text))
		return;
	memcpy(text, s, n);
	text[n] = '\0';
	if (boolean) {
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			*out = text[0] == 't';
		return;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (*end == '\0' && v >= 0 && errno == 0)
		*out = v;
}

int
otsdb_config_parse(const char *body, size_t len, struct otsdb_config *c)
{
	struct json j;
	struct error err;
	long chunked = -1, auto_metrics = -1;
	int rc = -1;

	c->chunked = c->auto_metrics = -1;
	c->max_chunk = -1;
	c->max_tags = 8;        /* Const.MAX_NUM_TAGS unless set */
	json_init(&j);
	if (json_parse(&j, body ? body : "", len, &err) == 0 &&
	    json_type(&j, 0) == JSON_OBJECT) {
		config_value(&j, "tsd.http.request.enable_chunked", 1,
		    &chunked);
		config_value(&j, "tsd.http.request.max_chunk", 0,
		    &c->max_chunk);
		config_value(&j, "tsd.core.auto_create_metrics", 1,
		    &auto_metrics);
		config_value(&j, "tsd.storage.max_tags", 0, &c->max_tags);
		c->chunked = (int)chunked;
		c->auto_metrics = (int)auto_metrics;
		rc = 0;
	}
	json_free(&j);
	return rc;
}

size_t
otsdb_config_body_max(const struct otsdb_config *c)
{
	if (c->chunked < 0)
		return 0;
	if (c->chunked && c->max_chunk > OTSDB_UNCHUNKED_MAX)
		return c->max_chunk > (long)OTSDB_CHUNK_CAP ? OTSDB_CHUNK_CAP :
		    (size_t)c->max_chunk;
	return OTSDB_UNCHUNKED_MAX;
}

int
otsdb_version_has_none(const struct otsdb_version *v)
{
	if (v->major == 0 && v->minor == 0)
		return 1;
	return v->major > 2 || (v->major == 2 && v->minor >= 3);
}

/* ------------------------------------------------------------ lookup */

void
otsdb_lookup_request(struct buf *url, struct buf *body, const char *base,
    const char *metric)
{
	buf_puts(url, base);
	buf_puts(url, "/api/search/lookup");
	buf_puts(body, "{\"metric\":");
	json_put_string(body, metric, strlen(metric));
	buf_puts(body, ",\"useMeta\":false,\"limit\":1000000000}");
}

/* One listed series: its TSUID and the tail of its canonical lines. */
struct listed {
	size_t tsuid, key;  /* offsets into the text buffer */
};

static const char *lookup_text; /* the buffer being sorted; one thread */

static int
listed_cmp(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	int c = strcmp(lookup_text + x->key, lookup_text + y->key);

	return c ? c : strcmp(lookup_text + x->tsuid, lookup_text + y->tsuid);
}

/* Appends result t's canonical tags (the tail of its lines) and a NUL;
 * an empty key when they cannot make a datapoint. */
static void
lookup_key(const struct json *j, int t, struct datapoint *dp, struct buf *b)
{
	struct buf strs;
	struct error err;

	buf_init(&strs);
	datapoint_json_tags(dp, j, json_member(j, t, "tags"), &strs);
	if (datapoint_sort_tags(dp, &err) == 0)
		datapoint_encode_tail(dp, b);
	buf_free(&strs);
	buf_putc(b, '\0');
}

int
otsdb_lookup_each(const char *body, size_t len, otsdb_listed_fn *fn,
    void *ctx, struct error *err)
{
	struct json j;
	struct buf text;
	struct datapoint dp;
	int tr, tt, i, n, t, tid;
	int64_t total = -1;
	size_t listed = 0, at;

	json_init(&j);
	if (json_parse(&j, body ? body : "", len, err) < 0 ||
	    json_type(&j, 0) != JSON_OBJECT ||
	    (tr = json_member(&j, 0, "results")) < 0 ||
	    json_type(&j, tr) != JSON_ARRAY) {
		error_set(err, "unexpected answer");
		json_free(&j);
		return -1;
	}
	tt = json_member(&j, 0, "totalResults");
	if (tt >= 0)
		json_int64(&j, tt, &total);
	n = json_count(&j, tr);
	for (i = 0, t = tr + 1; i < n; i++, t = json_next(&j, t))
		listed += json_type(&j, t) == JSON_OBJECT &&
		    (tid = json_member(&j, t, "tsuid")) >= 0 &&
		    json_type(&j, tid) == JSON_STRING;
	if (total > (int64_t)listed) {
		error_set(err, "it listed %zu of %lld series", listed,
		    (long long)total);
		json_free(&j);
		return -1;
	}
	buf_init(&text);
	datapoint_init(&dp);
	for (i = 0, t = tr + 1; i < n; i++, t = json_next(&j, t)) {
		tid = json_type(&j, t) == JSON_OBJECT ?
		    json_member(&j, t, "tsuid") : -1;
		if (tid < 0 || json_type(&j, tid) != JSON_STRING)
			continue;
		buf_reset(&text);
		json_unescape(&j, tid, &text);
		buf_putc(&text, '\0');
		at = text.len;
		lookup_key(&j, t, &dp, &text);
		fn(ctx, text.p, text.p + at, text.len - at - 1);
	}
	datapoint_free(&dp);
	buf_free(&text);
	json_free(&j);
	return 0;
}

struct collect {
	struct buf text;
	struct listed *v;
	size_t n, cap;
};

static void
collect_listed(void *ctx, const char *tsuid, const char *tail,
    size_t tail_len)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n].tsuid = c->text.len;
	buf_puts(&c->text, tsuid);
	buf_putc(&c->text, '\0');
	c->v[c->n].key = c->text.len;
	buf_append(&c->text, tail, tail_len);
	buf_putc(&c->text, '\0');
	c->n++;
}

int
otsdb_lookup_parse(const char *body, size_t len, struct strvec *tsuids,
    struct error *err)
{
	struct collect c;
	size_t k;

	memset(&c, 0, sizeof(c));
	buf_init(&c.text);
	if (otsdb_lookup_each(body, len, collect_listed, &c, err) < 0) {
		buf_free(&c.text);
		free(c.v);
		return -1;
	}
	/* in the order their lines are written: by canonical tags */
	lookup_text = c.text.p;
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), listed_cmp);
	for (k = 0; k < c.n; k++)
		if (k == 0 || strcmp(c.text.p + c.v[k].tsuid,
		    c.text.p + c.v[k - 1].tsuid) != 0)
			strvec_add(tsuids, c.text.p + c.v[k].tsuid,
			    strlen(c.text.p + c.v[k].tsuid));
	free(c.v);
	buf_free(&c.text);
	return 0;
}

/* ------------------------------------------------------------ query */

static void
frame_text(struct buf *b, int64_t ms)
{
	/* <= 10 digits would read as seconds: say ms explicitly */
	buf_put_int64(b, (long long)ms);
	if (ms < 10000000000LL)
		buf_puts(b, "ms");
}

/* A time in a POST body: a number, or where <= 10 digits would read as
 * seconds, the string "<ms>ms" (the start is a string to OpenTSDB). */
static void
body_time(struct buf *b, int64_t ms)
{
	if (ms < 10000000000LL)
		buf_putc(b, '"');
	frame_text(b, ms);
	if (ms < 10000000000LL)
		buf_putc(b, '"');
}

static void
query_body_start(struct buf *body, int64_t lo, int64_t end)
{
	buf_puts(body, "{\"start\":");
	body_time(body, lo);
	buf_puts(body, ",\"end\":");
	body_time(body, end);
	buf_puts(body, ",\"msResolution\":true,\"noAnnotations\":true,"
	    "\"queries\":[");
}

void
otsdb_query_request(struct buf *url, struct buf *body, const char *base,
    const char *metric, int64_t lo, int64_t hi, char *const *tsuids,
    size_t n, int none)
{
	/* OpenTSDB's end is inclusive and must be after start */
	int64_t end = hi - 1 > lo ? hi - 1 : lo + 1;
	size_t i;

	buf_puts(url, base);
	if (tsuids != NULL && none) {
		/* 'none' keeps every listed series apart */
		buf_puts(url, "/api/query");
		query_body_start(body, lo, end);
		buf_puts(body, "{\"aggregator\":\"none\",\"tsuids\":[");
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(body, ',');
			json_put_string(body, tsuids[i], strlen(tsuids[i]));
		}
		buf_puts(body, "]}]}");
		return;
	}
	if (tsuids != NULL) {
		/* each series its own sub-query: exactly that series */
		buf_puts(url, "/api/query");
		query_body_start(body, lo, end);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(body, ',');
			otsdb_tsuid_subquery(body, tsuids[i]);
		}
		buf_puts(body, "]}");
		return;
	}
	/* a POST, for any name: libcurl builds a request of a short URL
	 * for a fifth less CPU than one of a long query string */
	buf_puts(url, "/api/query");
	query_body_start(body, lo, end);
	buf_puts(body, "{\"aggregator\":\"none\",\"metric\":");
	json_put_string(body, metric, strlen(metric));
	buf_puts(body, "}]}");
}

static int
has(const char *body, size_t len, const char *text)
{
	return body != NULL && memmem(body, len, text, strlen(text)) != NULL;
}

void
otsdb_series_subquery(struct buf *out, const struct datapoint *dp)
{
	/* a tag filter matches every series that has at least its tags:
	 * explicitTags (2.3+, as 'none') keeps those with exactly them */
	buf_puts(out, "{\"aggregator\":\"none\",\"explicitTags\":true,"
	    "\"metric\":");
	json_put_string(out, dp->metric, dp->metric_len);
	/* ,"tags":{...}} closes the sub-query too */
	datapoint_encode_tail(dp, out);
}

void
otsdb_tsuid_subquery(struct buf *out, const char *tsuid)
{
	buf_puts(out, "{\"aggregator\":\"sum\",\"tsuids\":[");
	json_put_string(out, tsuid, strlen(tsuid));
	buf_puts(out, "]}");
}

void
otsdb_series_request(struct buf *url, struct buf *body, const char *base,
    int64_t lo, int64_t hi, const char *subqueries, size_t len)
{
	buf_puts(url, base);
	buf_puts(url, "/api/query");
	query_body_start(body, lo, hi > lo ? hi : lo + 1);
	buf_append(body, subqueries, len);
	buf_puts(body, "]}");
}

int
otsdb_query_no_such_name(long status, const char *body, size_t len)
{
	return status == 400 && has(body, len, "No such name for");
}

int
otsdb_lookup_unknown(long status, const char *body, size_t len)
{
	return (status == 404 && has(body, len, "Unable to resolve")) ||
	    otsdb_query_no_such_name(status, body, len);
}

enum otsdb_query_failure
otsdb_query_classify(long status, int timed_out, const char *body,
    size_t len, int truncated)
{
	if (status == 0)
		return timed_out ? OTSDB_QUERY_TIMED_OUT : OTSDB_QUERY_FAILED;
	/* Deferred's callback chain limit, from the JSON serializer */
	if (has(body, len, "CallbackOverflowError") ||
	    has(body, len, "Too many callbacks in Deferred"))
		return OTSDB_QUERY_TOO_MANY_SERIES;
	if (status == 400 &&
	    has(body, len, "No such aggregation function: none"))
		return OTSDB_QUERY_NO_NONE;
	if (status == 413 || truncated || has(body, len, "data point") ||
	    has(body, len, "timed out"))
		return OTSDB_QUERY_TOO_LARGE;
	return OTSDB_QUERY_FAILED;
}

/* ------------------------------------------------------------ put */

void
otsdb_put_url(struct buf *url, const char *base, int sync,
    long sync_timeout_ms)
{
	buf_puts(url, base);
	buf_puts(url, "/api/put?details");
	if (sync)
		buf_puts(url, "&sync");
	if (sync && sync_timeout_ms > 0) {
		buf_puts(url, "&sync_timeout=");
		buf_put_int64(url, sync_timeout_ms);
	}
}

const char *
otsdb_put_size_advice(long status, const char *msg, size_t body_len,
    int got_nothing)
{
	if (status == 0)
		return got_nothing && body_len > 4096 ? "an OpenTSDB with "
		    "chunked requests closes the connection when a body "
		    "exceeds tsd.http.request.max_chunk, 4096 by default: try "
		    "--request-size-limit 4096" : NULL;
	if (status == 413 || strstr(msg, "Chunked request") != NULL ||
	    strstr(msg, "too big") != NULL ||
	    strstr(msg, "content length exceeded") != NULL)
		return "OpenTSDB takes at most 8192 bytes without chunking, "
		    "4096 with tsd.http.request.enable_chunked: try "
		    "--request-size-limit 4096";
	return NULL;
}

/* ------------------------------------------------------------ errors */

void
otsdb_error_text(const char *body, size_t len, char *out, size_t n)
{
	struct json j;
	struct error err;
	struct buf b;
	int t;
	size_t i;

	json_init(&j);
	buf_init(&b);
	if (len > 0 && json_parse(&j, body, len, &err) == 0 &&
	    json_type(&j, 0) == JSON_OBJECT &&
	    (t = json_member(&j, 0, "error")) >= 0 &&
	    json_type(&j, t) == JSON_OBJECT &&
	    (t = json_member(&j, t, "message")) >= 0 &&
	    json_type(&j, t) == JSON_STRING)
		json_unescape(&j, t, &b);
	else if (len > 0)
		buf_append(&b, body, len);
	snprintf(out, n, "%.*s", (int)(b.len > 300 ? 300 : b.len),
	    b.p ? b.p : "");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
	buf_free(&b);
	json_free(&j);
}

int
otsdb_retryable_status(long st)
{
	/* 501 Not Implemented and 505 (version) never heal: a server or
	 * proxy without that method or path says what it is */
	return st == 408 || st == 424 || st == 429 ||
	    (st >= 500 && st <= 599 && st != 501 && st != 505);
}

int
otsdb_put_retryable(const struct http_req *r)
{
	return otsdb_retryable_status(r->status);
}

int
otsdb_query_retryable(const struct http_req *r)
{
	return otsdb_retryable_status(r->status) &&
	    otsdb_query_classify(r->status, 0, r->resp.p, r->resp.len,
	    r->resp_truncated) == OTSDB_QUERY_FAILED;
}

void
otsdb_failure_text(const struct http_req *r, char *out, size_t n)
{
	char msg[320];

	if (r->outcome == HTTP_GAVE_UP_TRANSPORT) {
		snprintf(out, n, "%s after %d attempt%s", r->error,
		    r->attempts, r->attempts == 1 ? "" : "s");
		return;
	}
	otsdb_error_text(r->resp.p, r->resp.len, msg, sizeof(msg));
	if (r->outcome == HTTP_GAVE_UP_STATUS)
		snprintf(out, n, "HTTP %ld after %d attempt%s: %s", r->status,
		    r->attempts, r->attempts == 1 ? "" : "s", msg);
	else
		snprintf(out, n, "HTTP %ld: %s", r->status, msg);
}
