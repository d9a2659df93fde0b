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

int
dump_plan(const struct dump_config *cfg, struct http *http,
    char *const *metrics, size_t n, FILE *out, struct plan_counts *pc,
    struct fatal *f)
{
	int none = n > 0 ? has_none(cfg, http, pc) : 1;
	size_t i, at, groups, least;
	int64_t frames, most = 0;
	int autof = cfg->frame_ms == 0;

	fputs(autof ? "metric\tseries\tframes_min\tframes_max\tqueries_min"
	    "\tqueries_max\n" : "metric\tseries\tframes\tqueries\n", out);
	for (i = 0; i < n && !f->set && !(cfg->stop && *cfg->stop); i++) {
		struct strvec tsuids;

		strvec_init(&tsuids);
		if (series_of(cfg, http, metrics[i], &tsuids, pc, f) < 0) {
			strvec_free(&tsuids);
			break;
		}
		if (autof)
			auto_bounds(cfg->start_ms, cfg->stop_ms, &frames,
			    &most);
		else
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
		/* with 'none' a metric of more series than
		 * --max-series-per-query is read whole until an answer
		 * holds more (series without data in a frame are not in its
		 * answer): the least is a query a frame */
		least = none ? 1 : groups;
		if (autof)
			fprintf(out, "%s\t%zu\t%" PRId64 "\t%" PRId64 "\t%"
			    PRIu64 "\t%" PRIu64 "\n", metrics[i], tsuids.n,
			    frames, most, (uint64_t)frames * least,
			    (uint64_t)most * groups);
		else
			fprintf(out, "%s\t%zu\t%" PRId64 "\t%" PRIu64 "\n",
			    metrics[i], tsuids.n, frames,
			    (uint64_t)frames * groups);
		pc->frames_max += (uint64_t)most;
		pc->queries_max += (uint64_t)most * groups;
		pc->metrics++;
		pc->series += tsuids.n;
		pc->frames += (uint64_t)frames;
		pc->queries += (uint64_t)frames * (autof ? least : groups);
		if (groups > 1 || !none)
			pc->by_series++;
		strvec_free(&tsuids);
	}
	return f->set ? -1 : 0;
}
