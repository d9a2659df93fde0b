/* dumprun.h - the dump engine: metrics x frames -> /api/query requests in
 * flight -> ordered canonical lines -> output; retries, splits, TSUIDs */
#ifndef OTSDB_DUMPRUN_H
#define OTSDB_DUMPRUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#include "strmap.h"
#include "strvec.h"

struct http;
struct output;

/* What one run learns that the next over the same metrics (--follow's
 * rounds) keeps: whether the server has 'none', and per metric whether
 * it is read by series and its series, listed at most refresh_ms ago
 * (older lists are asked again, so new series are found). */
struct dump_metric_memory {
	int by_series;
	int listed;
	int64_t listed_ms;       /* clock_mono_ms() of the list */
	struct strvec tsuids;
};

struct dump_memory {
	int version_known;
	int fallback;            /* no 'none': every metric by TSUID */
	int64_t refresh_ms;
	struct strmap names;
	struct dump_metric_memory *m;
	size_t cap;
};

void dump_memory_init(struct dump_memory *mem, int64_t refresh_ms);
void dump_memory_free(struct dump_memory *mem);

/* Frames planned by the data aim at answers of --max-response-size
 * divided by this: they double while twice the span would answer at
 * most half of it and halve when they reach 3/4 of it. */
#define DUMP_TARGET_SHARE 4

struct dump_config {
	const char *base;       /* endpoint without trailing / */
	const char *shown;      /* the same for messages, credentials masked */
	int64_t start_ms;       /* [start, stop) */
	int64_t stop_ms;
	int64_t frame_ms;       /* fixed frames' span; 0: planned by the data
				 * (hour edges, DUMP_TARGET_SHARE) */
	int concurrent;         /* queries on the wire */
	size_t max_series;      /* series per query, 0 = no limit */
	size_t max_response;    /* bytes of one answer (the http bound) */
	int resumable;          /* a rerun resumes (--dump-dir): say so */
	struct output *out;     /* where finished frames go */
	struct dump_memory *memory; /* kept from run to run, or NULL */
	volatile sig_atomic_t *stop; /* non-zero: start no new frame */
};

/* One run's figures, read by progress and the summary. */
struct dump_counters {
	uint64_t metrics;       /* selected */
	uint64_t metrics_done;
	uint64_t frames;        /* written */
	uint64_t frames_total;  /* planned (fixed frames: all, ahead) */
	uint64_t points;        /* written */
	uint64_t requests;      /* HTTP attempts */
	uint64_t retries;
	uint64_t splits;        /* ranges split because they were too big */
	uint64_t grown;         /* frames planned larger than the one before */
	uint64_t shrunk;        /* ... and smaller */
	uint64_t span_ms;       /* of the metrics' time ranges, in all */
	uint64_t span_done_ms;  /* of that, in frames written */
	uint64_t bad_values;    /* points whose value could not be dumped */
	uint64_t dropped;       /* points outside their frame, not written */
	int64_t start_ms;       /* clock_mono_ms() at the start */
};

struct dump_events {
	struct notes notes;
	/* called often while the run waits; rate-limit it */
	void (*tick)(void *ctx, const struct dump_counters *c);
	void *ctx;
};

/* Dumps the n metrics (sorted names) in order.  Asks the server's version
 * first (servers without 'none' are dumped by TSUID), plans each
 * metric's frames (resuming where the output says), then keeps up to
 * `concurrent` frames in flight and writes them in order.  Fills c, and
 * f on a fatal error (a closed output pipe sets *broken_pipe and f with
 * an empty message).  Returns 0, or -1 when f is set. */
int dump_run(const struct dump_config *cfg, const struct dump_events *ev,
    struct http *http, char *const *metrics, size_t n,
    struct dump_counters *c, struct fatal *f, int *broken_pipe);

#endif
