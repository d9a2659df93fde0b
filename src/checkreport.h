/* checkreport.h - what otsdb-restore --check writes: the table of
 * figures per metric, and the lines of the mismatches file */
#ifndef OTSDB_CHECKREPORT_H
#define OTSDB_CHECKREPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "strmap.h"

struct buf;

/* Per metric: points read, and found, missing or different. */
struct check_metric {
	uint64_t points, found, missing, different, duplicates;
};

struct check_summary {
	struct strmap names;      /* the metric names, as read */
	struct check_metric *m;   /* metric i of names */
	size_t cap;
};

void checkreport_init(struct check_summary *s);
void checkreport_free(struct check_summary *s);
/* The number of a metric in s, added (all figures 0) when new. */
size_t checkreport_metric(struct check_summary *s, const char *name,
    size_t n);
/* The summary as a tab-separated table: a header line "metric points
 * found missing different duplicates", then a line a metric in bytewise
 * order of the names (a name with a control character is written as a
 * JSON string). */
void checkreport_table(const struct check_summary *s, FILE *out);

/* Appends a line of the mismatches file: the point as read (the series'
 * canonical head and tail, its time and value), then "check":"missing"
 * (and "reason" when the target's settings explain it: reason not
 * NULL), or "check":"different" and the value found. */
void checkreport_mismatch(struct buf *out, const char *head,
    size_t head_len, const char *tail, size_t tail_len, int64_t ts,
    const char *val, size_t val_len, const char *found, size_t found_len,
    int different, const char *reason);

#endif
