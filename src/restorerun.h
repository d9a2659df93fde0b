/* restorerun.h - the restore engine: lines -> datapoints -> size-capped
 * batches -> /api/put through the HTTP queue; acks, rejects, resume */
#ifndef OTSDB_RESTORERUN_H
#define OTSDB_RESTORERUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct http;
struct reject_file;

struct restore_config {
	const char *url;        /* the put URL (otsdb_put_url) */
	const char *shown_url;  /* the same for messages, credentials masked */
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
	int remove_metadata;    /* delete FILE.rmeta.json once FILE is done */
	struct reject_file *reject; /* or NULL */
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
	uint64_t requests;        /* HTTP attempts (dry run: batches) */
	uint64_t retries;
	uint64_t bytes_sent;
	int64_t start_ms;         /* clock_mono_ms() at the start */
};

struct restore_events {
	struct notes notes;
	/* called often while the run waits or reads; rate-limit it */
	void (*progress)(void *ctx, const struct restore_counters *c);
	void *ctx;
};

/* One input: a path ("-" = stdin) and, with --dump-dir, the path of its
 * resume metadata (NULL without). */
struct restore_input {
	const char *path;
	const char *rmeta;
};

/* Restores the n inputs in order, then waits for every request.  Fills
 * c and, on a fatal error, f (then it stops early).  Returns 0, or -1
 * when f is set. */
int restore_run(const struct restore_config *cfg,
    const struct restore_events *ev, struct http *http,
    const struct restore_input *inputs, size_t n,
    struct restore_counters *c, struct fatal *f);

struct datapoint;
struct lineio;

enum input_result {
	INPUT_POINT,  /* a datapoint, in dp */
	INPUT_BLANK,  /* a line of spaces and tabs only, or empty */
	INPUT_BAD,    /* a line that is not one (err says why) */
	INPUT_LONG,   /* a line over the reader's limit (err says so) */
	INPUT_EOF,
	INPUT_ERROR   /* the input cannot be read (err) */
};

/* The next line of r as a datapoint: an otsdb NDJSON line or a row of
 * the old tool's files.  *line and *len are the line read (the start of
 * it for INPUT_LONG; r->lineno is its number). */
enum input_result restore_next_point(struct lineio *r,
    struct datapoint *dp, const char **line, size_t *len,
    struct error *err);

#endif
