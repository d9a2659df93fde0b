/* plan.h - otsdb-dump --plan: the metrics, series, frames and queries a
 * dump would take, asked of the server without a single data query */
#ifndef OTSDB_PLAN_H
#define OTSDB_PLAN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dumprun.h"
#include "error.h"

struct http;


struct plan_counts {
	uint64_t metrics, series, frames, queries;
	/* frames planned by the data: frames and queries above are the
	 * least (every frame grown), these the most (none grown) */
	uint64_t frames_max, queries_max;
	uint64_t by_series;     /* metrics read by groups of series */
	uint64_t requests, retries;
	/* the sample: metrics and queries, those larger than an answer may
	 * be (counted at the bound) and those that failed, the bytes of the
	 * answers and the time the queries took */
	uint64_t sample_metrics, sample_queries, sample_too_large;
	uint64_t sample_failed, sample_bytes, sample_ms;
	uint64_t sample_empty;   /* answered without a point */
	/* the estimate (planest.h), when `estimated`: totals over the
	 * metrics, the server time of them all and of the costliest one */
	int estimated;
	double est_points, est_queries, est_rows;
	double est_cost_ms, est_largest_ms;
};

/* Asks /api/version, then each metric's series from /api/search/lookup
 * (cfg: the dump's, its output unused), then, when nsample > 0, samples
 * the nsample metrics of most series: a query of the first, the middle
 * and the last hour of the range each (planest.h); every other metric is
 * taken to have the rate a series of theirs had.  The table then ends
 * in four more columns: "points_est queries_est rows_est est_from"
 * (est_from: "sample" or "series"; "-" when no sample was answered).
 * Without a sample no data query is sent.
 * and writes a tab-separated table to out: a header line "metric series
 * frames queries", then a line a metric.  With frames planned by the
 * data (cfg->frame_ms 0) the sizes depend on the answers, so the table
 * gives bounds: "metric series frames_min frames_max queries_min
 * queries_max", the least when every frame grows, the most when every
 * frame stays an hour.  The queries are those of a run
 * without splits: one a frame, or one a group of TSUIDs a frame for a
 * metric of more than max_series series (every metric on a server
 * without 'none'); the series are all the metric ever had.  Returns 0,
 * or -1 with f set. */
int dump_plan(const struct dump_config *cfg, struct http *http,
    char *const *metrics, size_t n, size_t nsample, FILE *out,
    struct plan_counts *pc, struct fatal *f);

#endif
