/* checkchunk.h - the points of one --check chunk: its series, their
 * points in series and time order, and the verdict on each point once
 * the target's points of its series are known (no I/O) */
#ifndef OTSDB_CHECKCHUNK_H
#define OTSDB_CHECKCHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compare.h"
#include "strmap.h"

struct datapoint;

/* What the target holds of a point. */
enum check_state { ST_MISSING = 0, ST_FOUND, ST_DIFFERENT };

struct cpoint {
	int64_t ts;
	uint32_t series;
	uint32_t seq;       /* order read: equal times keep it */
	uint32_t val_off;   /* the value text in the chunk's vals */
	uint32_t val_len;
	uint32_t got_off;   /* ST_DIFFERENT: the target's value text */
	uint32_t got_len;
	uint32_t extra;     /* points the target holds at this series and
			     * time beyond the input's (on the first of
			     * the input's points at that time) */
	uint8_t state;
};

/* A series of the chunk: its key in the chunk's map is the canonical
 * head ({"metric":M,"timestamp":) then tail (,"tags":{...}}). */
struct cseries {
	size_t head_len;
	size_t sel_off, sel_len; /* sub-query or selector, in sels */
	int listed;              /* by TSUID: the lookup named it */
	size_t metric;           /* in the summary */
	size_t first, n;         /* its points, once sorted */
};

/* Points [first, first + n) of one series. */
struct span {
	uint32_t series;
	size_t first, n;
};

/* A point of an answer, of the request's span `span`. */
struct check_got {
	size_t span;
	int64_t ts;
	const char *val;
	size_t len;
};

struct check_chunk {
	struct strmap series_map; /* canonical head and tail -> series */
	struct cseries *series;
	size_t series_cap;
	struct cpoint *pts;
	size_t npts, pts_cap;
	struct buf vals;          /* value texts (and the target's) */
	struct buf sels;          /* the series' selectors */
	struct buf key;           /* scratch */
	struct check_got *got;    /* the answer being compared */
	size_t ngot, got_cap;
};

void checkchunk_init(struct check_chunk *ch);
void checkchunk_free(struct check_chunk *ch);
/* Empties the chunk (its memory is kept). */
void checkchunk_reset(struct check_chunk *ch);
/* Adds the point dp; its series' number, *added set when the series is
 * new (the caller fills its sel_off, sel_len and metric). */
size_t checkchunk_add(struct check_chunk *ch, const struct datapoint *dp,
    int *added);
/* Whether the chunk holds CHECK_CHUNK_POINTS or CHECK_CHUNK_BYTES. */
int checkchunk_full(const struct check_chunk *ch, size_t max_points,
    size_t max_bytes);
/* Sorts the points by series, time and order read, and sets each
 * series' first and n. */
void checkchunk_sort(struct check_chunk *ch);
/* The number of dp's series (metric and sorted tags), or (size_t)-1. */
size_t checkchunk_find(struct check_chunk *ch, const struct datapoint *dp);
/* Forgets the points of the last answer; adds one. */
void checkchunk_got_reset(struct check_chunk *ch);
void checkchunk_got(struct check_chunk *ch, size_t span, int64_t ts,
    const char *val, size_t len);
/* Each point of the spans (points of a series each, in series order)
 * against the answer's points of its series: found (an equal value at
 * its time, by model), different (only other values), or missing; and
 * how many points more than the input has the target holds at a time
 * (extra: a point stored twice). */
void checkchunk_match(struct check_chunk *ch, const struct span *spans,
    size_t nspans, enum compare_model model);
/* Whether a point of series s, or of the chunk, is missing. */
int checkchunk_series_missing(const struct check_chunk *ch,
    const struct cseries *s);
int checkchunk_any_missing(const struct check_chunk *ch);
/* Appends series s for messages, as JSON: {"metric":M,"tags":{...}}. */
void checkchunk_series_text(const struct check_chunk *ch, size_t s,
    struct buf *out);
/* Marks every point of the spans missing. */
void checkchunk_missing(struct check_chunk *ch, const struct span *spans,
    size_t nspans);

#endif
