/* plan.c - otsdb-dump --plan: what a dump would do, without a data query
 * Per metric: its series (from /api/search/lookup, one request each),
 * its frames, and the queries they take: one a frame, or, for a metric
 * of more series than a query may hold (or every metric on a server
 * without 'none'), one a group of series a frame. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "frames.h"
#include "http.h"
#include "otsdb.h"
#include "plan.h"
#include "planest.h"
#include "query.h"
#include "probe.h"
#include "strvec.h"
#include "xalloc.h"

/* Whether the server has 'none' (2.3 and later, or unknown). */
static int
has_none(const struct dump_config *cfg, struct http *http,
    struct plan_counts *pc)
{
	struct probe_counts c = { &pc->requests, &pc->retries };
	struct otsdb_version v;
	struct error err;

	return probe_version(http, cfg->base, cfg->shown, &v, &c, &err) !=
	    PROBE_VERSION_FOUND || otsdb_version_has_none(&v);
}

/* The metric's TSUIDs, sorted as the dump sorts them; -1 after setting
 * f when they cannot be listed. */
static int
series_of(const struct dump_config *cfg, struct http *http,
    const char *metric, struct strvec *tsuids, struct plan_counts *pc,
    struct fatal *f)
{
	struct probe_counts c = { &pc->requests, &pc->retries };
	struct error err;

	if (probe_lookup(http, cfg->base, cfg->shown, metric,
	    cfg->max_response * 4, "4 x --max-response-size", tsuids, NULL,
	    NULL, &c, &err) < 0) {
		fatal_set(f, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* Frames planned by the data over [start, stop): the fewest (each
 * frame twice the one before, up to the largest) and the most (every
 * frame an hour). */
static void
auto_bounds(int64_t start, int64_t stop, int64_t *least, int64_t *most)
{
	int64_t lo, size = FRAMES_AUTO_FIRST_MS;

	*least = *most = 0;
	for (lo = start; lo < stop; lo = frames_auto_end(lo, stop, size)) {
		if (*least > 0 && size < FRAMES_AUTO_MAX_MS)
			size = size * 2 > FRAMES_AUTO_MAX_MS ?
			    FRAMES_AUTO_MAX_MS : size * 2;
		++*least;
	}
	for (lo = start; lo < stop; lo = frames_auto_end(lo, stop,
	    FRAMES_HOUR_MS))
		++*most;
}

/* What the plan knows of one metric. */
struct plan_metric {
	size_t series, groups;
	int64_t frames, most;
	uint64_t least;          /* queries a frame at the least */
	int sampled;             /* its rate comes from its own sample */
	struct planest_rate rate;
};

/* One hour-long (at most) query of a sample: adds what it found to the
 * metric's sums.  0, 1 when it was too large (counted at the bound), -1
 * when it failed. */
static int
sample_frame(const struct dump_config *cfg, struct http *http,
    struct query *q, struct buf *lines, const char *metric, int64_t lo,
    int64_t hi, char *const *tsuids, size_t n, double scale,
    struct planest_rate *sum, struct plan_counts *pc)
{
	struct http_req *r;
	struct query_counts qc;
	struct error err;
	int64_t t0 = clock_mono_ms();
	int rc = -1;

	r = http_request_sync(http, probe_query_request(cfg->base, metric, lo,
	    hi, tsuids, n, tsuids == NULL));
	pc->sample_ms += (uint64_t)(clock_mono_ms() - t0);
	pc->sample_queries++;
	http_count(r, &pc->requests, &pc->retries);
	memset(&qc, 0, sizeof(qc));
	lines->len = 0;
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated &&
	    query_render(q, r->resp.p ? r->resp.p : "[]", r->resp.p ?
	    r->resp.len : 2, metric, lo, hi, lines, &qc, NULL, NULL,
	    &err) == 0) {
		sum->bytes_ms += (double)r->resp.len * scale;
		sum->points_ms += (double)qc.points * scale;
		sum->series += (double)qc.series * scale;
		pc->sample_bytes += r->resp.len;
		pc->sample_empty += qc.points == 0;
		rc = 0;
	} else if (r->resp_truncated || otsdb_query_classify(r->status,
	    r->timed_out, r->resp.p, r->resp.len, r->resp_truncated) ==
	    OTSDB_QUERY_TOO_LARGE) {
		/* larger than an answer may be: counted at the bound */
		sum->bytes_ms += (double)cfg->max_response * scale;
		pc->sample_too_large++;
		rc = 1;
	} else
		pc->sample_failed++;
	http_req_free(r);
	return rc;
}

/* The hours a sample reads of [start, stop): the first, the middle and
 * the last (fewer when the range holds fewer), on hour edges. */
static size_t
sample_hours(int64_t start, int64_t stop, int64_t lo[3], int64_t hi[3])
{
	int64_t at[3], h;
	size_t i, n = 0;

	at[0] = start;
	at[1] = frames_hour_floor(start + (stop - start) / 2);
	at[2] = frames_hour_floor(stop - 1);
	for (i = 0; i < 3; i++) {
		h = at[i] < start ? start : at[i];
		if (n > 0 && h < hi[n - 1])
			continue;
		lo[n] = h;
		hi[n] = frames_auto_end(h, stop, FRAMES_HOUR_MS);
		n++;
	}
	return n;
}

/* Samples metric m: a query of each of its sample hours; its rate is
 * their mean.  Returns the hours answered (too large ones included). */
static size_t
sample_metric(const struct dump_config *cfg, struct http *http, int none,
    const char *metric, struct plan_metric *m, struct query *q,
    struct buf *lines, struct plan_counts *pc)
{
	struct planest_rate sum = { 0, 0, 0 };
	struct strvec tsuids;
	int64_t lo[3], hi[3], ms = 0;
	size_t i, k, got = 0, group = 0;
	double scale = 1;

	strvec_init(&tsuids);
	if (!none) {
		/* before 2.3: the first group of TSUIDs, scaled to all */
		struct probe_counts c = { &pc->requests, &pc->retries };
		struct error err;

		if (probe_lookup(http, cfg->base, cfg->shown, metric,
		    cfg->max_response * 4, NULL, &tsuids, NULL, NULL, &c,
		    &err) < 0 || tsuids.n == 0) {
			strvec_free(&tsuids);
			return 0;
		}
		group = frames_tsuid_group_end(tsuids.v, tsuids.n, 0,
		    OTSDB_TSUID_BODY_MAX, OTSDB_TSUID_COST_SUM,
		    cfg->max_series);
		scale = (double)tsuids.n / (double)group;
	}
	k = sample_hours(cfg->start_ms, cfg->stop_ms, lo, hi);
	for (i = 0; i < k && !(cfg->stop && *cfg->stop); i++)
		if (sample_frame(cfg, http, q, lines, metric, lo[i], hi[i],
		    none ? NULL : tsuids.v, group, scale, &sum, pc) >= 0) {
			ms += hi[i] - lo[i];
			got++;
		}
	strvec_free(&tsuids);
	if (got == 0)
		return 0;
	m->rate.bytes_ms = sum.bytes_ms / (double)ms;
	m->rate.points_ms = sum.points_ms / (double)ms;
	m->rate.series = sum.series / (double)got;
	m->sampled = 1;
	pc->sample_metrics++;
	return got;
}

/* Samples the `sample` metrics of most series (the first in name order
 * among equals), and gives every other metric the rate a series of
 * theirs had.  0 when no sample was answered. */
static int
sample(const struct dump_config *cfg, struct http *http, int none,
    char *const *metrics, struct plan_metric *pm, size_t n, size_t sample,
    struct plan_counts *pc)
{
	struct planest_rate per = { 0, 0, 0 };
	struct query q;
	struct buf lines;
	size_t i, j, best, series = 0, taken = 0;
	char *chosen = xcalloc(n ? n : 1, 1);

	query_init(&q);
	buf_init(&lines);
	for (j = 0; j < sample && j < n && !(cfg->stop && *cfg->stop); j++) {
		for (best = n, i = 0; i < n; i++)
			if (!chosen[i] && (best == n ||
			    pm[i].series > pm[best].series))
				best = i;
		chosen[best] = 1;
		if (sample_metric(cfg, http, none, metrics[best], &pm[best],
		    &q, &lines, pc) == 0)
			continue;
		taken++;
		series += pm[best].series;
		per.bytes_ms += pm[best].rate.bytes_ms;
		per.points_ms += pm[best].rate.points_ms;
		per.series += pm[best].rate.series;
	}
	free(chosen);
	query_free(&q);
	buf_free(&lines);
	if (taken == 0)
		return 0;
	for (i = 0; i < n; i++) {
		double k = series ? (double)pm[i].series / (double)series : 0;

		if (pm[i].sampled)
			continue;
		pm[i].rate.bytes_ms = per.bytes_ms * k;
		pm[i].rate.points_ms = per.points_ms * k;
		pm[i].rate.series = per.series * k;
	}
	return 1;
}

/* Adds metric m's estimate to the totals (and its table columns). */
static void
estimate(const struct dump_config *cfg, int none, const struct plan_metric *m,
    struct planest *e, struct plan_counts *pc)
{
	struct planest_params p;
	double cost;

	p.start_ms = cfg->start_ms;
	p.stop_ms = cfg->stop_ms;
	p.frame_ms = cfg->frame_ms;
	p.max_response = cfg->max_response;
	p.series = m->series;
	p.groups = m->groups;
	/* with 'none', a metric of more series than a query may hold is
	 * read by series once an answer holds more */
	p.by_series = !none || (cfg->max_series > 0 &&
	    m->rate.series > (double)cfg->max_series);
	planest_metric(&p, &m->rate, e);
	cost = planest_cost_ms(e);
	pc->est_points += e->points;
	pc->est_queries += e->queries;
	pc->est_rows += e->rows;
	pc->est_cost_ms += cost;
	if (cost > pc->est_largest_ms)
		pc->est_largest_ms = cost;
}

int
dump_plan(const struct dump_config *cfg, struct http *http,
    char *const *metrics, size_t n, size_t nsample, FILE *out,
    struct plan_counts *pc, struct fatal *f)
{
	int none = n > 0 ? has_none(cfg, http, pc) : 1;
	struct plan_metric *pm = xcalloc(n ? n : 1, sizeof(*pm));
	size_t i, at, done = 0;
	int autof = cfg->frame_ms == 0, est = 0;

	for (i = 0; i < n && !f->set && !(cfg->stop && *cfg->stop); i++) {
		struct plan_metric *m = &pm[i];
		struct strvec tsuids;

		strvec_init(&tsuids);
		if (series_of(cfg, http, metrics[i], &tsuids, pc, f) < 0) {
			strvec_free(&tsuids);
			break;
		}
		m->series = tsuids.n;
		if (autof)
			auto_bounds(cfg->start_ms, cfg->stop_ms, &m->frames,
			    &m->most);
		else
			m->frames = frames_count(cfg->start_ms, cfg->stop_ms,
			    cfg->frame_ms);
		m->groups = 1;
		if (!none || (cfg->max_series > 0 &&
		    tsuids.n > cfg->max_series))
			for (m->groups = 0, at = 0; at < tsuids.n; m->groups++)
				at = frames_tsuid_group_end(tsuids.v, tsuids.n,
				    at, OTSDB_TSUID_BODY_MAX, none ?
				    OTSDB_TSUID_COST_NONE :
				    OTSDB_TSUID_COST_SUM, cfg->max_series);
		/* a metric without series is still asked once a frame */
		if (m->groups == 0)
			m->groups = 1;
		/* with 'none' a metric of more series than
		 * --max-series-per-query is read whole until an answer
		 * holds more (series without data in a frame are not in its
		 * answer): the least is a query a frame */
		m->least = none ? 1 : m->groups;
		strvec_free(&tsuids);
		done++;
	}
	if (!f->set && !(cfg->stop && *cfg->stop) && nsample > 0)
		est = sample(cfg, http, none, metrics, pm, done, nsample, pc);
	pc->estimated = est;
	if (f->set || (cfg->stop && *cfg->stop)) {
		free(pm);
		return f->set ? -1 : 0;
	}
	fputs(autof ? "metric\tseries\tframes_min\tframes_max\tqueries_min"
	    "\tqueries_max" : "metric\tseries\tframes\tqueries", out);
	fputs(nsample > 0 ? "\tpoints_est\tqueries_est\trows_est\test_from\n" :
	    "\n", out);
	for (i = 0; i < done; i++) {
		struct plan_metric *m = &pm[i];
		struct planest e;

		if (autof)
			fprintf(out, "%s\t%zu\t%" PRId64 "\t%" PRId64 "\t%"
			    PRIu64 "\t%" PRIu64, metrics[i], m->series,
			    m->frames, m->most, (uint64_t)m->frames * m->least,
			    (uint64_t)m->most * m->groups);
		else
			fprintf(out, "%s\t%zu\t%" PRId64 "\t%" PRIu64,
			    metrics[i], m->series, m->frames,
			    (uint64_t)m->frames * m->groups);
		if (est) {
			estimate(cfg, none, m, &e, pc);
			fprintf(out, "\t%.0f\t%.0f\t%.0f\t%s\n", e.points,
			    e.queries, e.rows, m->sampled ? "sample" :
			    "series");
		} else
			fputs(nsample > 0 ? "\t-\t-\t-\t-\n" : "\n", out);
		pc->frames_max += (uint64_t)m->most;
		pc->queries_max += (uint64_t)m->most * m->groups;
		pc->metrics++;
		pc->series += m->series;
		pc->frames += (uint64_t)m->frames;
		pc->queries += (uint64_t)m->frames * (autof ? m->least :
		    m->groups);
		if (m->groups > 1 || !none)
			pc->by_series++;
	}
	free(pm);
	return 0;
}
