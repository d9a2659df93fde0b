/* planest.h - otsdb-dump --plan's estimate: what dumping a metric would
 * cost if its data were spread over the range as evenly as in a sample
 * of a few of its hours.  An estimate, not a bound: data that starts
 * late, stops early or comes in bursts makes it wrong. */
#ifndef OTSDB_PLANEST_H
#define OTSDB_PLANEST_H

#include <stddef.h>
#include <stdint.h>

/* The server cost the time estimate assumes: a query's own cost, and
 * each HBase row (a series' hour) it reads; as many queries at once as
 * the dump's -c. */
#define PLANEST_QUERY_MS 50
#define PLANEST_ROW_MS 1

/* What a metric's sample found, or what it is taken to be. */
struct planest_rate {
	double bytes_ms;    /* answer bytes a millisecond of range */
	double points_ms;   /* points a millisecond of range */
	double series;      /* series with data in an hour: rows an hour */
};

/* How the dump would read it. */
struct planest_params {
	int64_t start_ms, stop_ms;
	int64_t frame_ms;       /* fixed frames; 0: planned by the data */
	size_t max_response;    /* bytes of one answer */
	size_t series;          /* series the lookup lists */
	size_t groups;          /* groups of TSUIDs they make */
	int by_series;          /* read in those groups from the start */
};

struct planest {
	double points;
	double queries;
	double rows;            /* HBase rows read (a row read twice: 2) */
};

/* Hours of rows OpenTSDB scans for a query of [lo, hi): from lo's hour
 * to the hour after the one holding the end second (the end asked is
 * hi - 1 ms, which OpenTSDB rounds up to the next second). */
int64_t planest_scan_hours(int64_t lo, int64_t hi);

/* The dump of one metric at rate r: its points, queries (those that
 * fail for being too large included) and rows read, frames planned as
 * the dump plans them. */
void planest_metric(const struct planest_params *p,
    const struct planest_rate *r, struct planest *e);

/* The server time e costs at PLANEST_QUERY_MS and PLANEST_ROW_MS. */
double planest_cost_ms(const struct planest *e);

#endif
