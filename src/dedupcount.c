/* dedupcount.c - the points a deduplicating VictoriaMetrics merges,
 * counted from the stream (one slot a series) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datapoint.h"
#include "dedupcount.h"
#include "fnv.h"
#include "xalloc.h"

struct dedup_slot {
	uint64_t key;           /* 0: empty */
	int64_t interval;       /* the last interval of the series */
};

/* The series of dp as a 64-bit key (never 0); tags are hashed in their
 * order, which the decoder sorts. */
static uint64_t
series_key(const struct datapoint *dp)
{
	uint64_t h = fnv1a(FNV1A_OFFSET, dp->metric,
	    dp->metric_len);
	size_t i;

	for (i = 0; i < dp->ntags; i++) {
		h = fnv1a(h, "\0", 1);
		h = fnv1a(h, dp->tags[i].key, dp->tags[i].key_len);
		h = fnv1a(h, "=", 1);
		h = fnv1a(h, dp->tags[i].val, dp->tags[i].val_len);
	}
	return h ? h : 1;
}

void
dedup_count_init(struct dedup_count *d, int64_t interval_ms)
{
	memset(d, 0, sizeof(*d));
	d->interval_ms = interval_ms;
}

void
dedup_count_free(struct dedup_count *d)
{
	free(d->slots);
	dedup_count_init(d, 0);
}

static struct dedup_slot *
find(struct dedup_slot *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)(key * 0x9E3779B97F4A7C15ULL) & (cap - 1);

	while (slots[i].key != 0 && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void
grow(struct dedup_count *d)
{
	size_t cap = d->cap ? 2 * d->cap : 1024, i;
	struct dedup_slot *n = xcalloc(cap, sizeof(*n));

	for (i = 0; i < d->cap; i++)
		if (d->slots[i].key != 0)
			*find(n, cap, d->slots[i].key) = d->slots[i];
	free(d->slots);
	d->slots = n;
	d->cap = cap;
}

int
dedup_count_add(struct dedup_count *d, const struct datapoint *dp)
{
	uint64_t key;
	int64_t iv;
	struct dedup_slot *s;

	if (d->interval_ms <= 1)
		return 0;
	if (2 * (d->used + 1) > d->cap)
		grow(d);
	key = series_key(dp);
	/* VictoriaMetrics 1.79 (lib/storage DeduplicateSamples) keeps one
	 * point of each interval (k * d, (k + 1) * d]: closed on the right */
	iv = (dp->timestamp_ms + d->interval_ms - 1) / d->interval_ms;
	s = find(d->slots, d->cap, key);
	if (s->key == 0) {
		s->key = key;
		s->interval = iv;
		d->used++;
		return 0;
	}
	if (s->interval == iv)
		return 1;
	s->interval = iv;
	return 0;
}
