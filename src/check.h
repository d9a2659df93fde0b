/* check.h - otsdb-restore --check: read the target back and compare it
 * with the stream, chunk by chunk, series by series */
#ifndef OTSDB_CHECK_H
#define OTSDB_CHECK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checkreport.h"
#include "error.h"

struct target_limits;

struct http;
struct input_source;
struct reject_file;
struct target;

/* Points read before their series are looked up; the stored text of a
 * chunk stays under CHECK_CHUNK_BYTES as well. */
#define CHECK_CHUNK_POINTS 100000
#define CHECK_CHUNK_BYTES ((size_t)32 << 20)
/* Against a target whose new writes may show late, how many times the
 * series with missing points are asked again (after 1, 2, 4, 8 s). */
#define CHECK_SETTLE_TRIES 4
/* The largest answer read; a larger one is asked again in halves. */
#define CHECK_MAX_ANSWER ((size_t)16 << 20)

struct check_config {
	const struct target *target; /* what to read back from (detected) */
	size_t max_line;
	struct reject_file *reject; /* bad input lines, or NULL */
	FILE *mismatches;        /* missing and different points, or NULL */
	const char *mismatches_name;
	/* what the target drops without an error, or NULL: explains the
	 * missing points outside [lo, hi] */
	const struct target_limits *limits;
	volatile sig_atomic_t *stop;
};

struct check_counters {
	uint64_t lines;
	uint64_t points;          /* valid datapoints read */
	uint64_t found;           /* in the target, with an equal value */
	uint64_t missing;         /* no point at that time */
	uint64_t different;       /* a point at that time, another value */
	uint64_t duplicates;      /* points held beyond the input's at a
				   * series and time (stored twice) */
	uint64_t missing_old;     /* of missing: older than the target keeps */
	uint64_t missing_ahead;   /* of missing: too far ahead for it */
	uint64_t rejected_lines;  /* bad input */
	uint64_t series;          /* series looked up (once a chunk each) */
	uint64_t requests;
	uint64_t retries;
	int64_t start_ms;
};

struct check_events {
	struct notes notes;
	void (*tick)(void *ctx, const struct check_counters *c);
	void *ctx;
};

/* Reads the n inputs, looks every point up in the target and counts it
 * found, missing or different, in c and per metric in s; writes the
 * missing and different points to cfg->mismatches.  Returns 0, or -1
 * with f set (a read error, or a target that fails). */
int check_run(const struct check_config *cfg, const struct check_events *ev,
    struct http *http, const struct input_source *inputs, size_t n,
    struct check_counters *c, struct check_summary *s, struct fatal *f);

#endif
