/* vmsettings.h - what a VictoriaMetrics' /metrics says of its settings
 * (the flag{name=...} lines) and of the points it dropped without an
 * error (vm_rows_ignored_total{reason=...} and the other drop counters):
 * the restore's preflight and its ledger */
#ifndef OTSDB_VMSETTINGS_H
#define OTSDB_VMSETTINGS_H

#include <stddef.h>
#include <stdint.h>

#define VM_DROP_COUNTERS 24

struct vm_drop {
	char name[112];         /* the sample's name with its labels */
	uint64_t value;
};

struct vm_settings {
	int64_t retention_ms;   /* -retentionPeriod; -1: unknown */
	char retention[64];     /* its text */
	int64_t dedup_ms;       /* -dedup.minScrapeInterval; -1: unknown */
	char dedup[64];
	long max_labels;        /* -maxLabelsPerTimeseries; -1: unknown */
	long max_label_len;     /* -maxLabelValueLen; -1: unknown */
	long max_hourly_series; /* -storage.maxHourlySeries; 0: none,
				 * -1: unknown */
	long max_daily_series;  /* -storage.maxDailySeries, the same */
	struct vm_drop drops[VM_DROP_COUNTERS];
	size_t ndrops;
};

/* Reads the text of /metrics.  Returns 0, or -1 when it holds no flag
 * line at all (not a VictoriaMetrics). */
int vm_settings_parse(const char *text, size_t len, struct vm_settings *s);

/* -retentionPeriod's text in ms: a bare number counts months (31 days),
 * else h, d, w or y (365 days); -1 when unreadable. */
int64_t vm_retention_ms(const char *s);
/* A Go duration ("1s", "1m0s", "500ms", "0s") in ms; -1 when
 * unreadable. */
int64_t vm_go_duration_ms(const char *s);

/* How far ahead of now VictoriaMetrics takes a point (lib/storage:
 * now + 2 days), and that limit said in words. */
#define VM_AHEAD_MS (2 * 86400000LL)
#define VM_AHEAD_TEXT "more than 2 days ahead"

/* The window of times v keeps points in at now_ms, the one place it is
 * computed: [now - retention + margin_ms, now + VM_AHEAD_MS]; lo is 0
 * (no time before 1970) when that is earlier, INT64_MIN when the
 * retention is unknown.  *why_old (n bytes) says what is before lo:
 * "older than the target's retention (-retentionPeriod=1: 31 days)". */
void vm_window(const struct vm_settings *v, int64_t now_ms,
    int64_t margin_ms, int64_t *lo, int64_t *hi, char *why_old, size_t n);

/* Whether the drop counters of a and b are the same. */
int vm_drops_equal(const struct vm_settings *a, const struct vm_settings *b);
/* The drop counters that grew from before to after, written as
 * "REASON N, REASON N" into out; the total grown. */
uint64_t vm_drops_grown(const struct vm_settings *before,
    const struct vm_settings *after, char *out, size_t n);

#endif
