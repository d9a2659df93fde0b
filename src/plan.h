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
};

/* Asks /api/version, then each metric's series from /api/search/lookup
 * (cfg: the dump's, its output unused),
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
    char *const *metrics, size_t n, FILE *out, struct plan_counts *pc,
    struct fatal *f);

#endif
