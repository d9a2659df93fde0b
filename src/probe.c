/* probe.c - OpenTSDB's /api/version and /api/search/lookup, asked
 * before a run loop (or, for the lookup, as one request of its queue) */
#include "config.h"

#include <stdlib.h>

#include "buf.h"
#include "error.h"
#include "http.h"
#include "otsdb.h"
#include "probe.h"
#include "vmsettings.h"
#include "xalloc.h"

static void
counted(const struct http_req *r, const struct probe_counts *pc)
{
	uint64_t requests = 0, retries = 0;

	http_count(r, pc && pc->requests ? pc->requests : &requests,
	    pc && pc->retries ? pc->retries : &retries);
}

struct http_req *
probe_get(struct http *http, const struct buf *url)
{
	struct http_req *r = http_req_new(xmemdup0(url->p, url->len), NULL,
	    0);

	r->max_resp = 65536;
	return http_request_sync(http, r);
}

int
probe_refused(const struct http_req *r, const char *shown,
    const char *path, struct error *err)
{
	if (r->status != 401 && r->status != 403)
		return 0;
	error_set(err, "%s%s: HTTP %ld: the server refused the credentials%s "
	    "(give them with --user, in the URL or in ~/.netrc with --netrc)",
	    shown, path, r->status, r->status == 401 ? " or asks for some" :
	    "");
	return 1;
}

int
probe_vm_settings(struct http *http, const char *base, const char *shown,
    const char *who, struct vm_settings *v, struct error *err)
{
	struct buf url;
	struct http_req *r;
	char msg[400];
	int rc = 0;

	buf_init(&url);
	buf_puts(&url, base);
	buf_puts(&url, "/metrics");
	r = http_req_new(xmemdup0(url.p, url.len), NULL, 0);
	r->max_resp = (size_t)16 << 20;
	r = http_request_sync(http, r);
	if (r->outcome != HTTP_DONE_2XX || r->resp_truncated) {
		otsdb_failure_text(r, msg, sizeof(msg));
		error_set(err, "%s/metrics%s%s%s: %s", shown, who ? " (" : "",
		    who ? who : "", who ? ")" : "", r->resp_truncated ?
		    "the answer is over 16 MiB" : msg);
		rc = -1;
	} else if (vm_settings_parse(r->resp.p, r->resp.len, v) < 0) {
		error_set(err, "%s/metrics%s%s%s: no flag{...} lines: not "
		    "VictoriaMetrics' HTTP API", shown, who ? " (" : "",
		    who ? who : "", who ? ")" : "");
		rc = -1;
	}
	http_req_free(r);
	buf_free(&url);
	return rc;
}

enum probe_version
probe_version(struct http *http, const char *base, const char *shown,
    struct otsdb_version *v, const struct probe_counts *pc,
    struct error *err)
{
	struct buf url;
	struct http_req *r;
	enum probe_version rc = PROBE_VERSION_NONE;
	char msg[400];
	int whole;

	buf_init(&url);
	otsdb_version_url(&url, base);
	r = probe_get(http, &url);
	counted(r, pc);
	whole = r->outcome == HTTP_DONE_2XX && !r->resp_truncated;
	if (otsdb_version_parse(whole ? r->resp.p : "", whole ? r->resp.len :
	    0, v) == 0)
		rc = PROBE_VERSION_FOUND;
	else if (probe_refused(r, shown, "/api/version", err))
		rc = PROBE_VERSION_REFUSED;
	else if (r->outcome == HTTP_GAVE_UP_TRANSPORT ||
	    r->outcome == HTTP_GAVE_UP_STATUS) {
		otsdb_failure_text(r, msg, sizeof(msg));
		error_set(err, "%s/api/version: %s", shown, msg);
		rc = PROBE_VERSION_FAILED;
	}
	http_req_free(r);
	buf_free(&url);
	return rc;
}

struct http_req *
probe_lookup_request(const char *base, const char *metric, size_t max_resp)
{
	struct buf url, body;
	struct http_req *r;

	buf_init(&url);
	buf_init(&body);
	otsdb_lookup_request(&url, &body, base, metric);
	r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
	buf_free(&url);
	r->max_resp = max_resp;
	return r;
}

struct http_req *
probe_query_request(const char *base, const char *metric, int64_t lo,
    int64_t hi, char *const *tsuids, size_t n, int none)
{
	struct buf url, body;
	struct http_req *r;

	buf_init(&url);
	buf_init(&body);
	otsdb_query_request(&url, &body, base, metric, lo, hi, tsuids, n,
	    none);
	r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
	buf_free(&url);
	return r;
}

int
probe_lookup_answer(const struct http_req *r, const char *shown,
    const char *metric, const char *bound, struct strvec *tsuids,
    otsdb_listed_fn *fn, void *ctx, struct error *err)
{
	struct error why;
	char msg[400];

	if (r->outcome == HTTP_DONE_STATUS &&
	    otsdb_lookup_unknown(r->status, r->resp.p, r->resp.len))
		return 0; /* a metric it never had: nothing listed */
	if (r->outcome != HTTP_DONE_2XX) {
		otsdb_failure_text(r, msg, sizeof(msg));
		error_set(err, "%s: series lookup of %s: %s", shown, metric,
		    msg);
		return -1;
	}
	if (r->resp_truncated) {
		error_set(err, "%s: series lookup of %s: the answer is larger "
		    "than %zu bytes%s%s%s", shown, metric, r->max_resp,
		    bound ? " (" : "", bound ? bound : "", bound ? ")" : "");
		return -1;
	}
	if ((tsuids != NULL ? otsdb_lookup_parse(r->resp.p, r->resp.len,
	    tsuids, &why) : otsdb_lookup_each(r->resp.p, r->resp.len, fn, ctx,
	    &why)) < 0) {
		error_set(err, "%s: series lookup of %s: %s", shown, metric,
		    why.msg);
		return -1;
	}
	return 0;
}

int
probe_lookup(struct http *http, const char *base, const char *shown,
    const char *metric, size_t max_resp, const char *bound,
    struct strvec *tsuids, otsdb_listed_fn *fn, void *ctx,
    const struct probe_counts *pc, struct error *err)
{
	struct http_req *r = http_request_sync(http,
	    probe_lookup_request(base, metric, max_resp));
	int rc;

	counted(r, pc);
	rc = probe_lookup_answer(r, shown, metric, bound, tsuids, fn, ctx,
	    err);
	http_req_free(r);
	return rc;
}
