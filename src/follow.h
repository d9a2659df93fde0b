/* follow.h - otsdb-dump --follow: rounds of frames as they become LAG
 * old, new metrics caught up from TIME_START, until a stop; driven by
 * callbacks, so it runs without a real clock or server */
#ifndef OTSDB_FOLLOW_H
#define OTSDB_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

struct strvec;

/* The rounds' frames when the dump plans its own (--query-frame-size
 * auto): a round's frames end on this grid from TIME_START. */
#define FOLLOW_FRAME_MS 180000

struct follow_config {
	int64_t start_ms;   /* TIME_START */
	int64_t frame_ms;   /* frames of this size from start_ms */
	int64_t lag_ms;     /* a frame is dumped once its end is this old */
};

/* What the scheduler asks of its caller (ctx is each call's first
 * argument). */
struct follow_ops {
	int64_t (*wall_ms)(void *ctx);   /* Unix time, ms */
	int64_t (*mono_ms)(void *ctx);   /* a monotonic clock, ms */
	/* waits about ms (progress may be shown meanwhile) */
	void (*wait)(void *ctx, int64_t ms);
	/* dumps names[from..n) over [lo, stop): 0 when the round ran to
	 * its end, -1 when it stopped (a signal, a fatal error, a closed
	 * output) */
	int (*dump)(void *ctx, const struct strvec *names, size_t from,
	    int64_t lo, int64_t stop);
	/* the metrics selected now, into found: 0, or -1 (fatal) */
	int (*discover)(void *ctx, struct strvec *found);
	/* non-zero: end the run */
	int (*stopped)(void *ctx);
	/* n new metrics were found (before their catch-up) */
	void (*found)(void *ctx, size_t n);
	/* every point before before_ms of the metrics in names is now in
	 * the output (may be NULL): after each round, and TIME_START again
	 * before new metrics are caught up (until then they are not) */
	void (*mark)(void *ctx, int64_t before_ms);
	void *ctx;
};

/* While following, waits are in steps of this many ms. */
#define FOLLOW_STEP_MS 200

/* Follows names (sorted; new metrics are appended) until a round or a
 * discovery fails or ops->stopped says so.  *done_ms is then an instant
 * before which the output is complete for every metric in names (a
 * catch-up that stopped makes it TIME_START). */
void follow_run(const struct follow_config *cfg,
    const struct follow_ops *ops, struct strvec *names, int64_t *done_ms);

#endif
