/* frames.c - the query frames of a dump: tiling, halving, TSUID groups */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "xalloc.h"

/* Bytes of a TSUID query body besides its TSUIDs. */
#define GROUP_BODY_BASE 200

int64_t
frames_count(int64_t start, int64_t stop, int64_t size)
{
	if (stop <= start || size <= 0)
		return 0;
	return (stop - start + size - 1) / size;
}

int64_t
frames_fixed_end(int64_t lo, int64_t stop, int64_t size)
{
	return lo + size < stop ? lo + size : stop;
}

int
frames_can_split(const struct frame_range *r)
{
	return r->to - r->from > 1 || r->hi - r->lo > 1000;
}

void
frames_halve(const struct frame_range *r, struct frame_range *first,
    struct frame_range *second)
{
	*first = *second = *r;
	if (r->to - r->from > 1)
		first->to = second->from = r->from + (r->to - r->from) / 2;
	else
		first->hi = second->lo = r->lo + (r->hi - r->lo) / 2;
}

int
frames_push(struct frame_todo *t, const struct frame_range *r)
{
	if (t->n >= FRAMES_MAX_DEPTH)
		return -1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 2;
		t->v = xreallocarray(t->v, (size_t)t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = *r;
	return 0;
}

void
frames_todo_free(struct frame_todo *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int
frames_pop(struct frame_todo *t, struct frame_range *r)
{
	if (t->n == 0)
		return 0;
	*r = t->v[--t->n];
	return 1;
}

size_t
frames_tsuid_group_end(char *const *tsuids, size_t n, size_t from,
    size_t max_bytes, size_t per_tsuid, size_t max_count)
{
	size_t i, bytes = GROUP_BODY_BASE;

	for (i = from; i < n; i++) {
		size_t one = strlen(tsuids[i]) + per_tsuid;

		if (i > from && (bytes + one > max_bytes ||
		    (max_count > 0 && i - from >= max_count)))
			break;
		bytes += one;
	}
	return i;
}

int64_t
frames_hour_floor(int64_t t)
{
	int64_t r = t % FRAMES_HOUR_MS;

	return r < 0 ? t - r - FRAMES_HOUR_MS : t - r;
}

int64_t
frames_auto_end(int64_t lo, int64_t stop, int64_t size)
{
	int64_t hi;

	if (size < FRAMES_HOUR_MS)
		size = FRAMES_HOUR_MS;
	hi = frames_hour_floor(lo) + size;
	return hi > stop ? stop : hi;
}

/* The answer of `size` ms at the rate [lo, hi) answered `bytes`. */
static double
projected(uint64_t bytes, int64_t lo, int64_t hi, int64_t size)
{
	return (double)bytes * (double)size / (double)(hi > lo ? hi - lo : 1);
}

int64_t
frames_auto_adapt(int64_t size, int64_t lo, int64_t hi, uint64_t bytes,
    uint64_t target, int *change)
{
	*change = 0;
	if (size < FRAMES_HOUR_MS)
		size = FRAMES_HOUR_MS;
	if (size < FRAMES_AUTO_MAX_MS &&
	    projected(bytes, lo, hi, size * 2) <= (double)target / 2) {
		*change = 1;
		size *= 2;
		return size > FRAMES_AUTO_MAX_MS ? FRAMES_AUTO_MAX_MS : size;
	}
	while (size > FRAMES_HOUR_MS &&
	    projected(bytes, lo, hi, size) >= (double)target * 3 / 4) {
		*change = -1;
		size = frames_hour_floor(size / 2);
		if (size < FRAMES_HOUR_MS)
			size = FRAMES_HOUR_MS;
	}
	return size;
}

int
frames_halve_hours(const struct frame_range *r, struct frame_range *first,
    struct frame_range *second)
{
	int64_t mid = frames_hour_floor(r->lo + (r->hi - r->lo) / 2);

	if (mid <= r->lo)
		mid += FRAMES_HOUR_MS;
	if (mid >= r->hi)
		return 0;
	*first = *second = *r;
	first->hi = second->lo = mid;
	return 1;
}

int64_t
frames_complete_before(int64_t start, int64_t size, int64_t until)
{
	if (until <= start)
		return start;
	return start + (until - start) / size * size;
}

int64_t
frames_rediscover_ms(int64_t size)
{
	int64_t ms = size * 10;

	return ms < 10000 ? 10000 : ms > 600000 ? 600000 : ms;
}
