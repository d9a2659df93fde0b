/* planest.c - otsdb-dump --plan's estimate of one metric's dump from the
 * rates a sample found: frames planned as the dump plans them (the
 * planner's own rules, frames.c, run over an even rate), groups of
 * series when an hour is larger than an answer may be, and the HBase rows
 * each query scans (opentsdb-http-api.md 4.10). */
#include "config.h"

#include "dumprun.h"
#include "frames.h"
#include "planest.h"

#define HOUR FRAMES_HOUR_MS

int64_t
planest_scan_hours(int64_t lo, int64_t hi)
{
	int64_t end = hi - 1 > lo ? hi - 1 : lo + 1;
	int64_t end_s = end / 1000 + 1, lo_s = lo / 1000;

	if (hi <= lo)
		return 0;
	return end_s / 3600 + 1 - lo_s / 3600;
}

/* The frames planned by the data over the range at bytes_ms (a group's
 * share): their number, and the hours of rows they scan. */
static void
auto_frames(const struct planest_params *p, double bytes_ms, double *frames,
    double *hours)
{
	uint64_t target = p->max_response / DUMP_TARGET_SHARE;
	int64_t lo = p->start_ms, hi, size = FRAMES_AUTO_FIRST_MS, next, n;
	int change;

	*frames = *hours = 0;
	while (lo < p->stop_ms) {
		hi = frames_auto_end(lo, p->stop_ms, size);
		++*frames;
		*hours += (double)planest_scan_hours(lo, hi);
		next = frames_auto_adapt(size, lo, hi,
		    (uint64_t)(bytes_ms * (double)(hi - lo)), target, &change);
		/* an even rate: once a frame on hour edges keeps its size,
		 * every later one does (the last may be shorter) */
		if (change == 0 && frames_hour_floor(lo) == lo &&
		    hi < p->stop_ms) {
			n = frames_count(hi, p->stop_ms, size);
			*frames += (double)n;
			*hours += (double)(n - 1) * (double)(size / HOUR + 1) +
			    (double)planest_scan_hours(hi + (n - 1) * size,
			    p->stop_ms);
			return;
		}
		size = next;
		lo = hi;
	}
}

/* Pieces a part of `bytes` must be halved into so that each answers
 * within max (at most `most`, the series or 2^20), and the queries that
 * were too large on the way (one a split). */
static double
pieces_for(double bytes, double max, double most, double *too_large)
{
	double n = 1;

	*too_large = 0;
	while (bytes / n > max && n < most) {
		*too_large += n;
		n *= 2;
	}
	return n > most ? most : n;
}

void
planest_metric(const struct planest_params *p, const struct planest_rate *r,
    struct planest *e)
{
	double g = p->by_series && p->groups > 1 ? (double)p->groups : 1;
	double max = (double)p->max_response, frames, hours, k, failed;
	double most = p->series > 1 ? (double)p->series : 1;
	int64_t span = p->stop_ms > p->start_ms ? p->stop_ms - p->start_ms : 0;

	e->points = r->points_ms * (double)span;
	e->queries = e->rows = 0;
	if (span == 0)
		return;
	if (p->frame_ms == 0) {
		/* an hour too large for one answer: the metric is read in
		 * groups of series from then on, halved until an hour of a
		 * group fits */
		k = pieces_for(r->bytes_ms * HOUR / g, max, most / g, &failed);
		g *= k;
		auto_frames(p, r->bytes_ms / g, &frames, &hours);
		e->queries = frames * g + failed;
		/* each group's query scans every row of the metric in its
		 * hours (TSUIDs are a filter); one too large, its two */
		e->rows = (hours * g + failed * 2) * r->series;
		return;
	}
	/* fixed frames, each split in time until a part fits */
	frames = (double)frames_count(p->start_ms, p->stop_ms, p->frame_ms);
	k = pieces_for(r->bytes_ms * (double)p->frame_ms / g, max, 1048576,
	    &failed);
	e->queries = frames * g * (k + failed);
	/* on average a frame of f hours scans f + 1 hours of rows; each
	 * part scans its own */
	e->rows = frames * ((double)p->frame_ms / HOUR + 1) * r->series * g *
	    (k + failed);
}

double
planest_cost_ms(const struct planest *e)
{
	return e->queries * PLANEST_QUERY_MS + e->rows * PLANEST_ROW_MS;
}
