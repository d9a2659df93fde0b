/* restorerun.h - the restore engine: lines -> datapoints -> size-capped
 * batches -> /api/put (or VictoriaMetrics' /api/v1/import) through the
 * HTTP queue; acks, rejects, resume */
#ifndef OTSDB_RESTORERUN_H
#define OTSDB_RESTORERUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct datapoint;
struct http;
struct input_source;
struct reject_file;

struct restore_config {
	const char *url;        /* the put URL (otsdb_put_url) */
	const char *shown;  /* the same for messages, credentials masked */
	size_t size_limit;      /* hard cap on a request body */
	size_t max_points;      /* points a request, 0 = no limit */
	size_t max_line;        /* longest line read */
	int concurrent;         /* requests in flight */
	int retries;            /* sends of a transiently refused point after
				 * its first */
	int sync;               /* the server answers once points are
				 * written: read every answer's body */
	int dry_run;            /* batch, count, send nothing */
	int compress;           /* gzip bodies, size_limit on the gzip */
	long max_tags;          /* the most tags a point the target takes
				 * (OpenTSDB's tsd.storage.max_tags), 0:
				 * unknown: more is said once */
	int import;             /* url is VictoriaMetrics' /api/v1/import:
				 * JSON lines, a 2xx stores all */
	int vm_labels;          /* the target is VictoriaMetrics: the points
				 * it stores changed whatever its settings
				 * (vm_label_problem) are refused unsent */
	int remove_metadata;    /* delete FILE.rmeta.json once FILE is done */
	int64_t dedup_ms;       /* the target merges the points of a series
				 * in intervals this long (--allow-dedup):
				 * count them (0: it does not) */
	long flush_after_ms;    /* the first point waited this long: the partial
				 * batch is sent (0: never) */
	struct reject_file *reject; /* or NULL */
	/* a point the target would drop or change without an error: its
	 * reason (kept by ctx), and it is rejected unsent; NULL: sent */
	const char *(*refuse)(void *ctx, const struct datapoint *dp);
	void *refuse_ctx;
	volatile sig_atomic_t *stop; /* non-zero: stop reading */
};

/* One run's figures, read by progress and the summary. */
struct restore_counters {
	uint64_t lines;
	uint64_t points;          /* valid datapoints read */
	uint64_t stored;          /* acknowledged by the server */
	uint64_t rejected_lines;  /* bad input */
	uint64_t rejected_points; /* refused by the server, or too big */
	uint64_t deferred;        /* transient refusals, sent again */
	uint64_t ignored;         /* dropped after a 2xx answer, by the
				   * target's own counters (the ledger) */
	uint64_t requests;        /* HTTP attempts (dry run: batches) */
	uint64_t merged;          /* points the target merges into another
				   * of their series (--allow-dedup) */
	uint64_t resent;          /* sends after one whose answer was lost
				   * (libcurl's resends too): the target
				   * may hold their points twice */
	uint64_t resent_points;   /* the points of those sends */
	uint64_t retries;
	uint64_t bytes_sent;
	uint64_t finished_before; /* inputs whose resume offset is their end */
	uint64_t marks;           /* mark lines read (otsdb-ndjson(5)) */
	uint64_t marks_stored;    /* of them, with every point before them
				   * stored or reported */
	int64_t stored_before_ms; /* the instant of the last such mark
				   * (several inputs: the earliest of
				   * theirs); valid when marks_stored */
	int input_broken;         /* an input could not be read to its
				   * end (damaged, unreadable): its lines
				   * before that were sent */
	int stored_before_exact;  /* every point before it stored: none
				   * refused by the server or before */
	int64_t start_ms;         /* clock_mono_ms() at the start */
};

struct restore_events {
	struct notes notes;
	/* called often while the run waits or reads; rate-limit it */
	void (*tick)(void *ctx, const struct restore_counters *c);
	void *ctx;
};

/* Restores the n inputs in order, then waits for every request.  Fills
 * c and, on a fatal error, f (then it stops early).  Returns 0, or -1
 * when f is set. */
int restore_run(const struct restore_config *cfg,
    const struct restore_events *ev, struct http *http,
    const struct input_source *inputs, size_t n,
    struct restore_counters *c, struct fatal *f);

#endif
