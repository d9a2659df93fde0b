/* check.h - otsdb-restore --check: read the target back and compare it
 * with the stream, chunk by chunk, series by series */
#ifndef OTSDB_CHECK_H
#define OTSDB_CHECK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "strmap.h"

struct http;
struct reject_file;
struct restore_input;

enum check_target {
	CHECK_TARGET_GUESS = 0,  /* ask the server (check_detect) */
	CHECK_TARGET_OPENTSDB,   /* /api/query, 'none', ms */
	CHECK_TARGET_VM          /* VictoriaMetrics: /api/v1/export */
};

/* Points read before their series are looked up; the stored text of a
 * chunk stays under CHECK_CHUNK_BYTES as well. */
#define CHECK_CHUNK_POINTS 100000
#define CHECK_CHUNK_BYTES ((size_t)32 << 20)
/* The largest answer read; a larger one is asked again in halves. */
#define CHECK_MAX_ANSWER ((size_t)16 << 20)

struct check_config {
	const char *base;        /* the target's base URL */
	const char *shown_base;  /* the same, credentials masked */
	enum check_target target; /* OPENTSDB or VM */
	int by_tsuid;            /* OpenTSDB before 2.3, without 'none':
				  * each series by its TSUID (lookup) */
	size_t max_line;
	struct reject_file *reject; /* bad input lines, or NULL */
	FILE *mismatches;        /* missing and different points, or NULL */
	const char *mismatches_name;
	volatile sig_atomic_t *stop;
};

struct check_counters {
	uint64_t lines;
	uint64_t points;          /* valid datapoints read */
	uint64_t found;           /* in the target, with an equal value */
	uint64_t missing;         /* no point at that time */
	uint64_t different;       /* a point at that time, another value */
	uint64_t rejected_lines;  /* bad input */
	uint64_t series;          /* series looked up (once a chunk each) */
	uint64_t requests;
	uint64_t retries;
	int64_t start_ms;
};

/* Per metric: the same four figures, metric i of `names`. */
struct check_metric {
	uint64_t points, found, missing, different;
};

struct check_summary {
	struct strmap names;      /* the metric names, as read */
	struct check_metric *m;
	size_t cap;
};

struct check_events {
	struct notes notes;
	void (*progress)(void *ctx, const struct check_counters *c);
	void *ctx;
};

/* Finds out what answers at base: OpenTSDB when /api/version names a
 * version, VictoriaMetrics when /health says OK.  With *target already
 * set, only asks an OpenTSDB whether it has 'none' (*by_tsuid set when
 * it has not).  Fills what (e.g. "OpenTSDB 2.4.1").  Returns 0, or -1
 * with err. */
int check_detect(struct http *http, const char *base, const char *shown,
    enum check_target *target, int *by_tsuid, char *what, size_t n,
    struct error *err);

/* Whether two value texts (JSON numbers) are equal as the target keeps
 * them: OpenTSDB integers exactly, other OpenTSDB values as doubles or
 * as 32-bit floats (what OpenTSDB before 2.3 stores); VictoriaMetrics
 * values within 1e-11 of each other, relatively (it keeps 12 digits). */
int check_values_equal(enum check_target t, const char *a, size_t an,
    const char *b, size_t bn);

void check_summary_init(struct check_summary *s);
void check_summary_free(struct check_summary *s);
/* The summary as a tab-separated table: a header line "metric points
 * found missing different", then a line a metric in bytewise order of
 * the names (a name with a control character is written as a JSON
 * string). */
void check_summary_write(const struct check_summary *s, FILE *out);

/* Reads the n inputs, looks every point up in the target and counts it
 * found, missing or different, in c and per metric in s; writes the
 * missing and different points to cfg->mismatches.  Returns 0, or -1
 * with f set (a read error, or a target that fails). */
int check_run(const struct check_config *cfg, const struct check_events *ev,
    struct http *http, const struct restore_input *inputs, size_t n,
    struct check_counters *c, struct check_summary *s, struct fatal *f);

#endif
