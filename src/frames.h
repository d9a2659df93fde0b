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
/* Frame i of that tiling (series range empty). */
struct frame_range frames_nth(int64_t start, int64_t stop, int64_t size,
    int64_t i);
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

/* --follow: the end of the last frame (frames of `size` ms from start)
 * that ends at or before `until` (now - LAG); start when none does. */
int64_t frames_complete_before(int64_t start, int64_t size, int64_t until);
/* --follow: how often to look for new metrics, every 10 frames but
 * between 10 s and 10 min. */
int64_t frames_rediscover_ms(int64_t size);

#endif
