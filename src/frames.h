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

/* How deep one frame may be split, and how many TSUID groups a frame may
 * need, before the dump gives up on it. */
#define FRAMES_MAX_DEPTH 64
#define FRAMES_MAX_GROUPS (FRAMES_MAX_DEPTH / 2)

/* Ranges still to fetch, taken last in, first out. */
struct frame_todo {
	struct frame_range v[FRAMES_MAX_DEPTH];
	int n;
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
/* Pushes r; -1 when the stack is full. */
int frames_push(struct frame_todo *t, const struct frame_range *r);
/* Pops the next range into *r; 0 when there is none. */
int frames_pop(struct frame_todo *t, struct frame_range *r);
/* Cuts the n TSUIDs into consecutive groups whose query body stays under
 * max_bytes (each group at least one TSUID), as [from, to) pairs.
 * Returns the number of groups, or 0 when more than max_groups are
 * needed (or n is 0). */
size_t frames_tsuid_groups(char *const *tsuids, size_t n, size_t max_bytes,
    size_t (*groups)[2], size_t max_groups);

#endif
