/* query.h - one /api/query answer -> canonical otsdb NDJSON lines */
#ifndef OTSDB_QUERY_H
#define OTSDB_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "datapoint.h"
#include "json.h"

struct error;

/* What rendering an answer found. */
struct query_counts {
	uint64_t points;     /* lines written */
	uint64_t dropped;    /* points outside the frame, not written */
	uint64_t bad_values; /* points that cannot be dumped as sent: a value
			      * not a number or out of range, a series with
			      * a non-string tag value or no metric name */
	uint64_t aggregated; /* results with a non-empty aggregateTags */
	uint64_t series;     /* results rendered */
};

/* A point whose value cannot be dumped (a string, null, ...): the
 * series' tags as canonical JSON, and the value's raw JSON text. */
struct query_bad_value {
	const char *tags;
	size_t tags_len;
	const char *value;   /* a string's text without its quotes */
	size_t value_len;
	int quoted;          /* the value is a JSON string */
	int64_t timestamp_ms;
	/* NULL: the value is not a number; else why the point (or, with
	 * points > 1, the whole series: value, tags then raw answer text)
	 * cannot be dumped as the server sent it */
	const char *reason;
	uint64_t points;     /* points this report stands for */
};

typedef void query_bad_fn(void *ctx, const struct query_bad_value *bad);

/* Reusable state (token array, scratch buffers) for rendering answers. */
struct query {
	struct json json;
	struct datapoint dp;
	struct buf strs;
	struct buf scratch;
	void *series;       /* per-series bookkeeping, grown as needed */
	size_t series_cap;
};

/* One result of an answer, as query_walk hands it over. */
struct query_series {
	const struct datapoint *dp; /* metric and sorted tags, or NULL */
	const char *why;      /* NULL, or why the result cannot be a series
			       * as sent (then dp is NULL) */
	int aggregated;       /* a non-empty aggregateTags */
	const char *tags_raw; /* without dp: the tags member's JSON text */
	size_t tags_raw_len;
	uint64_t npoints;     /* members of its dps */
};

/* One point of a result: a time key of 1 to 18 digits (object dps) or an
 * integer (array dps), and the value's raw JSON text. */
struct query_point {
	int64_t ts;
	const char *ts_text;  /* the time as sent */
	size_t ts_len;
	const char *value;    /* a string's text without its quotes */
	size_t value_len;
	int number;           /* the value is a JSON number */
	int quoted;           /* the value is a JSON string */
	const char *json;     /* the value's JSON text (quotes kept) */
	size_t json_len;
};

/* What query_walk calls: series() for each result with dps (0: read its
 * points, else skip them), point() for each of its points with a time
 * (0, or -1 with err to end the walk), series_end() after them. */
struct query_walker {
	int (*series)(void *ctx, const struct query_series *s);
	int (*point)(void *ctx, const struct query_point *p,
	    struct error *err);
	void (*series_end)(void *ctx);
	void *ctx;
};

void query_init(struct query *q);
void query_free(struct query *q);

/* Appends to out the canonical line of every point of the answer (JSON
 * text of len bytes) whose time lies in [lo, hi), series by series in
 * the order of their canonical tags, each series in time order (sorted
 * when the answer's keys are not; equal times keep the answer's order).
 * A time up to 4294967295 ms is written in seconds (every reader takes
 * such a number as seconds); one that is not a whole second cannot be
 * written and is passed to bad.  Results without a metric name take
 * `metric`.  Points outside the frame are counted as dropped; values
 * that are not numbers are counted and passed to bad (when set).
 * Returns 0, or -1 with err when
 * the answer is not a query answer or is in seconds although
 * milliseconds were asked for; out is then as it was. */
int query_render(struct query *q, const char *body, size_t len,
    const char *metric, int64_t lo, int64_t hi, struct buf *out,
    struct query_counts *counts, query_bad_fn *bad, void *bad_ctx,
    struct error *err);

/* Puts the lines of one frame that came in several answers (split in
 * time or read in groups of series) in the order one answer would have
 * had: per series in the byte order of its tail (,"tags":{...}} or }),
 * then in time order; equal keys keep their order.  The lines are
 * out's bytes from `from`; scratch is work space. */
void query_sort_frame(struct buf *out, size_t from, struct buf *scratch);

/* The one reader of /api/query answers (the dump's and --check's): walks
 * the answer's results in order.  A result without a metric name takes
 * `metric`.  Returns 0, or -1 with err when the answer is not a JSON
 * array or a callback ended the walk. */
int query_walk(struct query *q, const char *body, size_t len,
    const char *metric, const struct query_walker *w, struct error *err);

#endif
