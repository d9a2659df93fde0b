/* frames.h - the query frames of a dump: a named range type, the tiling
 * of [start, stop) into frames, halving, and groups of TSUIDs */
#ifndef OTSDB_FRAMES_H
#define OTSDB_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* One query's worth of data: time [lo, hi) in ms and, on servers dumped
 * by TSUID, the series [from, to) of the metric's sorted TSUID list
 * (from == to: every series of the metric). */
struct frame_range {
	int64_t lo, hi;
	size_t from, to;
};

/* How deep one range may be split before the dump gives up on it. */
#define FRAMES_MAX_DEPTH 64

/* Ranges still to fetch, taken last in, first out (zeroed: empty). */
struct frame_todo {
	struct frame_range *v;
	int n, cap;
};

/* Frames of `size` ms that tile [start, stop) exactly, the last one
 * partial: ceil((stop - start) / size), 0 when stop <= start. */
int64_t frames_count(int64_t start, int64_t stop, int64_t size);
/* The end of the fixed frame of `size` ms that starts at lo: lo + size,
 * at most stop. */
int64_t frames_fixed_end(int64_t lo, int64_t stop, int64_t size);
/* Whether r can be halved: several series, or more than a second. */
int frames_can_split(const struct frame_range *r);
/* Halves r: by series when it holds several, else by time.  first comes
 * before second in output order. */
void frames_halve(const struct frame_range *r, struct frame_range *first,
    struct frame_range *second);
/* Pushes r; -1 when the stack holds FRAMES_MAX_DEPTH ranges. */
int frames_push(struct frame_todo *t, const struct frame_range *r);
void frames_todo_free(struct frame_todo *t);
/* Pops the next range into *r; 0 when there is none. */
int frames_pop(struct frame_todo *t, struct frame_range *r);
/* The end of the group of TSUIDs that starts at `from` (< n): as many
 * as keep the query body under max_bytes, each costing its length plus
 * per_tsuid bytes, and at most max_count of them (0: no limit); at
 * least one. */
size_t frames_tsuid_group_end(char *const *tsuids, size_t n, size_t from,
    size_t max_bytes, size_t per_tsuid, size_t max_count);

/* ------------------------------------------------ frames planned by the data
 * (--query-frame-size auto): edges on whole hours of Unix time, a size
 * per metric that doubles while answers stay well under a target and
 * halves when they come near it. */
#define FRAMES_HOUR_MS ((int64_t)3600000)
#define FRAMES_AUTO_FIRST_MS FRAMES_HOUR_MS
#define FRAMES_AUTO_MAX_MS (168 * FRAMES_HOUR_MS)     /* 7 days */

/* The whole hour at or before t. */
int64_t frames_hour_floor(int64_t t);
/* The end of the frame that starts at lo, of `size` ms (whole hours)
 * counted from lo's hour: the next hour edge at the earliest, at most
 * stop. */
int64_t frames_auto_end(int64_t lo, int64_t stop, int64_t size);
/* What a frame's answers say about the next frame's size: the frame
 * [lo, hi) was planned at `size` and answered `bytes` in all.  Doubles
 * it (up to FRAMES_AUTO_MAX_MS) when twice the size would still answer
 * at most target / 2; halves it (down to an hour) while it would answer
 * at least 3/4 of target.  *change: 1 grown, -1 shrunk, 0 kept. */
int64_t frames_auto_adapt(int64_t size, int64_t lo, int64_t hi,
    uint64_t bytes, uint64_t target, int *change);
/* Splits r on the whole hour nearest its middle; 0 when r lies inside
 * one hour (no hour edge strictly between lo and hi). */
int frames_halve_hours(const struct frame_range *r, struct frame_range *first,
    struct frame_range *second);

/* --follow: the end of the last frame (frames of `size` ms from start)
 * that ends at or before `until` (now - LAG); start when none does. */
int64_t frames_complete_before(int64_t start, int64_t size, int64_t until);
/* --follow: how often to look for new metrics, every 10 frames but
 * between 10 s and 10 min. */
int64_t frames_rediscover_ms(int64_t size);

#endif
