/* otsdb.h - OpenTSDB's HTTP API: every /api/ request the tools make is
 * built here, and every answer is read and classified here; no I/O */
#ifndef OTSDB_OTSDB_H
#define OTSDB_OTSDB_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct datapoint;
struct error;
struct http_req;
struct strvec;

/* Names one /api/suggest call asks for; OpenTSDB caps an answer at this
 * `max`, or at 25 when its configuration ignores max. */
#define OTSDB_SUGGEST_MAX 5000
#define OTSDB_SUGGEST_SERVER_CAP 25
/* OpenTSDB without chunking takes request bodies up to 8 KiB; TSUID
 * group queries stay well below. */
#define OTSDB_TSUID_BODY_MAX 7000

/* Appends the URL-encoded bytes (RFC 3986 unreserved kept). */
void otsdb_url_escape(struct buf *out, const char *s, size_t n);

/* ---- metric discovery: /api/suggest */

/* The URL of a suggest call for at most max metric names starting with
 * prefix (OpenTSDB answers them in byte order, so with max 1 a name
 * that exists is its own answer). */
void otsdb_suggest_url(struct buf *url, const char *base,
    const char *prefix, int max);
/* Reads a suggest answer: adds the names that start with prefix to names
 * and sets *cut when the answer may have been cut off by a cap (then the
 * caller narrows the prefix).  0, or -1 when it is not an array of
 * names. */
int otsdb_suggest_parse(const char *body, size_t len, const char *prefix,
    struct strvec *names, int *cut, struct error *err);
/* The code point at byte `at` of a UTF-8 name (0 at its end, 0x10000
 * for one OpenTSDB cannot store): where narrowing goes on. */
unsigned otsdb_codepoint_at(const char *name, size_t at);
/* Highest code point of a metric name in OpenTSDB 2.x (ISO-8859-1). */
#define OTSDB_NAME_CP_MAX 0xFFu

/* ---- version: /api/version */

struct otsdb_version {
	int major, minor;  /* 0.0 when unknown */
	char text[64];
};

void otsdb_version_url(struct buf *url, const char *base);
/* 0 when the answer names a version, else -1 (v is then 0.0). */
int otsdb_version_parse(const char *body, size_t len,
    struct otsdb_version *v);
/* Whether the server has the 'none' aggregator (2.3 and later); an
 * unknown version is assumed to have it. */
int otsdb_version_has_none(const struct otsdb_version *v);

/* ---- settings: /api/config (a JSON object of strings) */

/* What a restore needs of a TSD's settings; -1: not in the answer. */
struct otsdb_config {
	int chunked;            /* tsd.http.request.enable_chunked */
	long max_chunk;         /* tsd.http.request.max_chunk */
	int auto_metrics;       /* tsd.core.auto_create_metrics */
	long max_tags;          /* tsd.storage.max_tags (absent: 8) */
};

/* Netty's HttpMessageDecoder: a body of more bytes is "chunked". */
#define OTSDB_UNCHUNKED_MAX 8192
/* The most a request size drawn from a server's max_chunk may be: more
 * only buys fewer, larger requests and memory (-s goes up to 1G). */
#define OTSDB_CHUNK_CAP ((size_t)1 << 20)
/* A request body OpenTSDB never refuses, whatever its settings. */
#define OTSDB_SAFE_BODY 4096

/* Reads an /api/config answer; -1 when it is not a JSON object. */
int otsdb_config_parse(const char *body, size_t len, struct otsdb_config *c);
/* The largest body the TSD takes: 8192 bytes (sent with Content-Length
 * and no Expect: never chunked), more with chunked requests on and a
 * larger max_chunk; 0 when the settings are unknown. */
size_t otsdb_config_body_max(const struct otsdb_config *c);

/* ---- series of a metric: /api/search/lookup (pre-2.3 servers) */

/* The POST that lists every series of metric from the data table
 * (useMeta false: the meta table is often empty). */
void otsdb_lookup_request(struct buf *url, struct buf *body,
    const char *base, const char *metric);
/* Adds the answer's TSUIDs to tsuids, once each, in the order of their
 * series' canonical tags (the order of the dump's lines).  -1 when the
 * answer is not a lookup answer or lists fewer series than its
 * totalResults. */
int otsdb_lookup_parse(const char *body, size_t len, struct strvec *tsuids,
    struct error *err);

/* Calls fn for each series a lookup answer lists: its TSUID and the
 * tail of its canonical lines (,"tags":{...}}; empty when its tags
 * cannot make a datapoint).  -1 as otsdb_lookup_parse. */
typedef void otsdb_listed_fn(void *ctx, const char *tsuid,
    const char *tail, size_t tail_len);
int otsdb_lookup_each(const char *body, size_t len, otsdb_listed_fn *fn,
    void *ctx, struct error *err);

/* ---- data: /api/query */

/* One query of raw points in [lo, hi) ms, a POST of a JSON body
 * (msResolution, noAnnotations).  With tsuids == NULL: the `none`
 * aggregator over every series of metric.  Otherwise the series
 * tsuids[0..n): with `none`, one 'none' sub-query listing them; without
 * (servers before 2.3), one 'sum' sub-query per TSUID. */
void otsdb_query_request(struct buf *url, struct buf *body,
    const char *base, const char *metric, int64_t lo, int64_t hi,
    char *const *tsuids, size_t n, int none);
/* Body bytes a TSUID costs besides its own length, in each form. */
#define OTSDB_TSUID_COST_NONE 4
#define OTSDB_TSUID_COST_SUM 40

/* A sub-query of exactly one series' points for otsdb-restore --check:
 * `none` over dp's metric with its tags (literal values: OpenTSDB's tag
 * values hold no '*' or '|').  The answer may add series with more
 * tags: the caller keeps the exact one. */
void otsdb_series_subquery(struct buf *out, const struct datapoint *dp);
/* The sub-query of one series by its TSUID on a server without 'none':
 * the sum over that TSUID alone, which is exactly the series. */
void otsdb_tsuid_subquery(struct buf *out, const char *tsuid);
/* The POST of comma-separated sub-queries over [lo, hi] ms, both ends
 * included (hi == lo asks for [lo, lo + 1]). */
void otsdb_series_request(struct buf *url, struct buf *body,
    const char *base, int64_t lo, int64_t hi, const char *subqueries,
    size_t len);
/* Whether a failed query names a metric, tag key or value the server
 * does not know (HTTP 400 "No such name for ..."): it holds none of the
 * series' points. */
int otsdb_query_no_such_name(long status, const char *body, size_t len);
/* Whether a failed lookup says the metric is unknown (HTTP 404 "Unable to
 * resolve one or more UIDs", or a 400 "No such name"): no series. */
int otsdb_lookup_unknown(long status, const char *body, size_t len);

/* Why a query failed, from what came back. */
enum otsdb_query_failure {
	OTSDB_QUERY_FAILED,    /* an error to report */
	OTSDB_QUERY_TOO_LARGE, /* the answer is too big: split the query */
	OTSDB_QUERY_NO_NONE,   /* no 'none' aggregator: query by TSUID */
	OTSDB_QUERY_TOO_MANY_SERIES, /* Deferred's callback overflow */
	OTSDB_QUERY_TIMED_OUT  /* no answer before the client's timeout */
};

/* Classifies a failed query: status 0 when no answer came (timed_out
 * tells whether it ran past the timeout); body and truncated are the
 * answer. */
enum otsdb_query_failure otsdb_query_classify(long status, int timed_out,
    const char *body, size_t len, int truncated);

/* ---- writes: /api/put */

/* The put URL (with details, so refusals name their points); with sync
 * the server answers once the points are written, or after
 * sync_timeout_ms when that is not 0. */
void otsdb_put_url(struct buf *url, const char *base, int sync,
    long sync_timeout_ms);
/* Advice for a refused or dropped put of body_len bytes when OpenTSDB's
 * request size limits explain it; NULL otherwise.  status 0 with
 * got_nothing: the connection closed without an answer. */
const char *otsdb_put_size_advice(long status, const char *msg,
    size_t body_len, int got_nothing);

/* ---- any answer */

/* The server's message: an OpenTSDB error body's "message", else the
 * start of the body; control characters blanked, at most 300 bytes. */
void otsdb_error_text(const char *body, size_t len, char *out, size_t n);
/* What went wrong with a failed request, for a message: the transport
 * error, or the status and the server's message, with the attempts
 * when it was retried. */
void otsdb_failure_text(const struct http_req *r, char *out, size_t n);
/* The statuses worth a retry: 408, 429, 5xx and 424 (OpenTSDB's answer
 * to a failed HBase call). */
int otsdb_retryable_status(long status);
/* http_opts.retryable of puts: by status. */
int otsdb_put_retryable(const struct http_req *r);
/* http_opts.retryable of queries: by status, except answers that say
 * the query is too large (a retry would fail the same way). */
int otsdb_query_retryable(const struct http_req *r);

#endif
