/* stats.h - the --stats-file of both tools: the counters of the summary
 * in Prometheus' text format (main layer) */
#ifndef OTSDB_STATS_H
#define OTSDB_STATS_H

#include <stdint.h>

struct dump_counters;
struct restore_counters;
struct http;

struct stats {
	const char *file;        /* or NULL: no stats */
	struct http *http;       /* its wire bytes, or NULL */
	int64_t next_ms;         /* the next write, on the monotonic clock */
	long long start_time;    /* Unix time of the start */
	long long last_progress; /* Unix time a point last moved */
	uint64_t last_points;
	int failed;              /* a write failed: said once */
};

/* The start of a run: the wall clock, and where to write. */
void stats_start(struct stats *s, const char *file, struct http *http);
/* Whether the next periodic write is due (every 5 s). */
int stats_due(struct stats *s);
/* Writes the file now (atomicfile_write): the counters of the summary;
 * `final` adds the exit status.  Nothing without a file. */
void stats_dump(struct stats *s, const struct dump_counters *c, int final,
    int exit_status);
void stats_restore(struct stats *s, const struct restore_counters *c,
    int final, int exit_status);

#endif
