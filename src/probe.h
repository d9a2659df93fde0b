/* probe.h - the synchronous calls made before a run loop: OpenTSDB's
 * /api/version and /api/search/lookup, each asked and read in one place
 * with one error text and one rule for an unknown metric */
#ifndef OTSDB_PROBE_H
#define OTSDB_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "otsdb.h"

struct buf;
struct error;
struct http;
struct http_req;
struct strvec;

/* Requests and retries of a run, counted by each call. */
struct probe_counts {
	uint64_t *requests;
	uint64_t *retries;
};

enum probe_version {
	PROBE_VERSION_FOUND,   /* the answer names a version (in *v) */
	PROBE_VERSION_NONE,    /* an answer that names none */
	PROBE_VERSION_FAILED,  /* no usable answer after retries (err) */
	PROBE_VERSION_REFUSED  /* HTTP 401 or 403: credentials (err) */
};

/* A synchronous GET of url, its answer read up to 64 KiB (a probe's
 * answers are small); the caller frees it. */
struct http_req *probe_get(struct http *http, const struct buf *url);
/* Whether r, a request of shown (credentials masked) and path, is a 401
 * or 403: then err says that the server refused the credentials (or
 * asks for some), and what to give. */
int probe_refused(const struct http_req *r, const char *shown,
    const char *path, struct error *err);

struct vm_settings;

/* GET base/metrics of a VictoriaMetrics' HTTP API into v.  0, or -1 with
 * err ("SHOWN/metrics: ..."; `who` names the option that gave base, or
 * NULL). */
int probe_vm_settings(struct http *http, const char *base, const char *shown,
    const char *who, struct vm_settings *v, struct error *err);

/* GET base/api/version. */
enum probe_version probe_version(struct http *http, const char *base,
    const char *shown, struct otsdb_version *v,
    const struct probe_counts *pc, struct error *err);

/* The request that lists every series of metric (a request of the
 * queue for a caller that does not wait for it), its answer read up to
 * max_resp bytes. */
struct http_req *probe_lookup_request(const char *base, const char *metric,
    size_t max_resp);

/* The request of one /api/query (otsdb_query_request's arguments). */
struct http_req *probe_query_request(const char *base, const char *metric,
    int64_t lo, int64_t hi, char *const *tsuids, size_t n, int none);

/* Reads a finished lookup of metric: its series into tsuids (sorted as
 * the dump's lines) when tsuids is not NULL, else each to fn.  A metric
 * the server does not know lists no series.  Returns 0, or -1 with err
 * ("SHOWN: series lookup of METRIC: ..."; `bound` names what sets the
 * answer's limit, or NULL). */
int probe_lookup_answer(const struct http_req *r, const char *shown,
    const char *metric, const char *bound, struct strvec *tsuids,
    otsdb_listed_fn *fn, void *ctx, struct error *err);

/* The lookup asked and read in one call. */
int probe_lookup(struct http *http, const char *base, const char *shown,
    const char *metric, size_t max_resp, const char *bound,
    struct strvec *tsuids, otsdb_listed_fn *fn, void *ctx,
    const struct probe_counts *pc, struct error *err);

#endif
