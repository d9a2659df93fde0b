/* otsdb.c - OpenTSDB's HTTP API: requests built, answers read and
 * classified; pure functions over buffers, no I/O
 * See the project's notes on OpenTSDB's HTTP API for why each is so. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "http.h"
#include "json.h"
#include "otsdb.h"
#include "strvec.h"

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
otsdb_suggest_url(struct buf *url, const char *base, const char *prefix)
{
	buf_puts(url, base);
	buf_puts(url, "/api/suggest?type=metrics&max=");
	buf_put_int64(url, OTSDB_SUGGEST_MAX);
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

int
otsdb_lookup_parse(const char *body, size_t len, struct strvec *tsuids,
    struct error *err)
{
	struct json j;
	struct buf b;
	int tr, tt, i, n, t, tid;
	int64_t total = -1;
	size_t before = tsuids->n;

	json_init(&j);
	if (json_parse(&j, body ? body : "", len, err) < 0 ||
	    json_type(&j, 0) != JSON_OBJECT ||
	    (tr = json_member(&j, 0, "results")) < 0 ||
	    json_type(&j, tr) != JSON_ARRAY) {
		error_set(err, "unexpected answer");
		json_free(&j);
		return -1;
	}
	n = json_count(&j, tr);
	buf_init(&b);
	for (i = 0, t = tr + 1; i < n; i++, t = json_next(&j, t)) {
		tid = json_type(&j, t) == JSON_OBJECT ?
		    json_member(&j, t, "tsuid") : -1;
		if (tid < 0 || json_type(&j, tid) != JSON_STRING)
			continue;
		buf_reset(&b);
		json_unescape(&j, tid, &b);
		strvec_add(tsuids, b.p, b.len);
	}
	buf_free(&b);
	tt = json_member(&j, 0, "totalResults");
	if (tt >= 0)
		json_int64(&j, tt, &total);
	json_free(&j);
	if (total > (int64_t)(tsuids->n - before)) {
		error_set(err, "it listed %zu of %lld series",
		    tsuids->n - before, (long long)total);
		return -1;
	}
	strvec_sort_unique(tsuids);
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

/* Characters the GET m= syntax gives a meaning of its own. */
static int
needs_post(const char *metric)
{
	return strpbrk(metric, ":{}=,|*") != NULL;
}

static void
query_body_start(struct buf *body, int64_t lo, int64_t end)
{
	buf_puts(body, "{\"start\":");
	buf_put_int64(body, (long long)lo);
	buf_puts(body, ",\"end\":");
	buf_put_int64(body, (long long)end);
	buf_puts(body, ",\"msResolution\":true,\"noAnnotations\":true,"
	    "\"queries\":[");
}

void
otsdb_query_request(struct buf *url, struct buf *body, const char *base,
    const char *metric, int64_t lo, int64_t hi, char *const *tsuids,
    size_t n)
{
	/* OpenTSDB's end is inclusive and must be after start */
	int64_t end = hi - 1 > lo ? hi - 1 : lo + 1;
	size_t i, mark = url->len;

	buf_puts(url, base);
	if (tsuids != NULL) {
		/* each series its own sub-query: exactly that series */
		buf_puts(url, "/api/query");
		query_body_start(body, lo, end);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(body, ',');
			buf_puts(body, "{\"aggregator\":\"sum\",\"tsuids\":[");
			json_put_string(body, tsuids[i], strlen(tsuids[i]));
			buf_puts(body, "]}");
		}
		buf_puts(body, "]}");
		return;
	}
	if (!needs_post(metric)) {
		buf_puts(url, "/api/query?start=");
		frame_text(url, lo);
		buf_puts(url, "&end=");
		frame_text(url, end);
		buf_puts(url, "&m=none:");
		otsdb_url_escape(url, metric, strlen(metric));
		buf_puts(url, "&ms&no_annotations");
		if (url->len - mark <= OTSDB_GET_URL_MAX)
			return;
		buf_truncate(url, mark);
		buf_puts(url, base);
	}
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

enum otsdb_query_failure
otsdb_query_classify(long status, int timed_out, const char *body,
    size_t len, int truncated)
{
	if (status == 0)
		return timed_out ? OTSDB_QUERY_TOO_LARGE : OTSDB_QUERY_FAILED;
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
	return st == 408 || st == 424 || st == 429 ||
	    (st >= 500 && st <= 599);
}

void
otsdb_failure_text(const struct http_req *r, char *out, size_t n)
{
	char msg[320];

	if (r->outcome == HTTP_GAVE_UP_TRANSPORT) {
		snprintf(out, n, "%s after %d attempts", r->error, r->attempts);
		return;
	}
	otsdb_error_text(r->resp.p, r->resp.len, msg, sizeof(msg));
	if (r->outcome == HTTP_GAVE_UP_STATUS)
		snprintf(out, n, "HTTP %ld after %d attempts: %s", r->status,
		    r->attempts, msg);
	else
		snprintf(out, n, "HTTP %ld: %s", r->status, msg);
}
