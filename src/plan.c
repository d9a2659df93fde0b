/* plan.c - otsdb-dump --plan: what a dump would do, without a data query
 * Per metric: its series (from /api/search/lookup, one request each),
 * its frames, and the queries they take: one a frame, or, for a metric
 * of more series than a query may hold (or every metric on a server
 * without 'none'), one a group of series a frame. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "error.h"
#include "frames.h"
#include "http.h"
#include "otsdb.h"
#include "plan.h"
#include "strvec.h"
#include "xalloc.h"

/* Runs one GET (body NULL) or POST to its end; the caller frees it. */
static struct http_req *
ask(struct http *http, struct buf *url, struct buf *body, size_t max_resp,
    struct plan_counts *pc)
{
	struct http_req *r = http_req_new(xmemdup0(url->p, url->len),
	    body ? body->p : NULL, body ? body->len : 0);

	if (body != NULL)
		body->p = NULL; /* the request owns it */
	r->max_resp = max_resp;
	r = http_request_sync(http, r);
	http_count(r, &pc->requests, &pc->retries);
	return r;
}

/* Whether the server has 'none' (2.3 and later, or unknown). */
static int
has_none(const struct dump_config *cfg, struct http *http,
    struct plan_counts *pc)
{
	struct buf url;
	struct http_req *r;
	struct otsdb_version v;
	int none = 1;

	buf_init(&url);
	otsdb_version_url(&url, cfg->base);
	r = ask(http, &url, NULL, 0, pc);
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated &&
	    otsdb_version_parse(r->resp.p, r->resp.len, &v) == 0)
		none = otsdb_version_has_none(&v);
	http_req_free(r);
	buf_free(&url);
	return none;
}

/* The metric's TSUIDs, sorted as the dump sorts them; -1 after setting
 * f when they cannot be listed. */
static int
series_of(const struct dump_config *cfg, struct http *http,
    const char *metric, struct strvec *tsuids, struct plan_counts *pc,
    struct fatal *f)
{
	struct buf url, body;
	struct http_req *r;
	struct error err;
	char msg[400];
	int rc = -1;

	buf_init(&url);
	buf_init(&body);
	otsdb_lookup_request(&url, &body, cfg->base, metric);
	r = ask(http, &url, &body, cfg->max_response * 4, pc);
	buf_free(&url);
	buf_free(&body);
	if (r->outcome != HTTP_DONE_2XX) {
		otsdb_failure_text(r, msg, sizeof(msg));
		fatal_set(f, "%s: series lookup of %s: %s", cfg->shown, metric,
		    msg);
	} else if (r->resp_truncated)
		fatal_set(f, "%s: series lookup of %s: the answer is larger "
		    "than %zu bytes (4 x --max-response-size)", cfg->shown,
		    metric, cfg->max_response * 4);
	else if (otsdb_lookup_parse(r->resp.p, r->resp.len, tsuids,
	    &err) < 0)
		fatal_set(f, "%s: series lookup of %s: %s", cfg->shown, metric,
		    err.msg);
	else
		rc = 0;
	http_req_free(r);
	return rc;
}

int
dump_plan(const struct dump_config *cfg, struct http *http,
    char *const *metrics, size_t n, FILE *out, struct plan_counts *pc,
    struct fatal *f)
{
	int none = n > 0 ? has_none(cfg, http, pc) : 1;
	size_t i, at, groups;
	int64_t frames;

	fputs("metric\tseries\tframes\tqueries\n", out);
	for (i = 0; i < n && !f->set && !(cfg->stop && *cfg->stop); i++) {
		struct strvec tsuids;

		strvec_init(&tsuids);
		if (series_of(cfg, http, metrics[i], &tsuids, pc, f) < 0) {
			strvec_free(&tsuids);
			break;
		}
		frames = frames_count(cfg->start_ms, cfg->stop_ms,
		    cfg->frame_ms);
		groups = 1;
		if (!none || (cfg->max_series > 0 &&
		    tsuids.n > cfg->max_series))
			for (groups = 0, at = 0; at < tsuids.n; groups++)
				at = frames_tsuid_group_end(tsuids.v, tsuids.n,
				    at, OTSDB_TSUID_BODY_MAX, none ?
				    OTSDB_TSUID_COST_NONE :
				    OTSDB_TSUID_COST_SUM, cfg->max_series);
		/* a metric without series is still asked once a frame */
		if (groups == 0)
			groups = 1;
		fprintf(out, "%s\t%zu\t%" PRId64 "\t%" PRIu64 "\n", metrics[i],
		    tsuids.n, frames, (uint64_t)frames * groups);
		pc->metrics++;
		pc->series += tsuids.n;
		pc->frames += (uint64_t)frames;
		pc->queries += (uint64_t)frames * groups;
		if (groups > 1 || !none)
			pc->by_series++;
		strvec_free(&tsuids);
	}
	return f->set ? -1 : 0;
}
