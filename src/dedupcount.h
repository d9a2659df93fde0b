/* dedupcount.h - how many points of a stream VictoriaMetrics'
 * -dedup.minScrapeInterval merges away: a point whose series already had
 * a point in its interval.  One entry a series (a 64-bit hash of its
 * name and tags and the last interval seen), so memory follows the
 * series, not the points; exact for a stream in time order within each
 * series, as otsdb-dump writes it (barring a hash collision) */
#ifndef OTSDB_DEDUPCOUNT_H
#define OTSDB_DEDUPCOUNT_H

#include <stddef.h>
#include <stdint.h>

struct datapoint;

struct dedup_count {
	int64_t interval_ms;    /* 0: off */
	struct dedup_slot *slots;
	size_t cap, used;
};

void dedup_count_init(struct dedup_count *d, int64_t interval_ms);
void dedup_count_free(struct dedup_count *d);
/* Notes dp: 1 when it shares an interval with the previous point of its
 * series (the target merges it into another), else 0. */
int dedup_count_add(struct dedup_count *d, const struct datapoint *dp);

#endif
