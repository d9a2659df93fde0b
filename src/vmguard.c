/* vmguard.c - otsdb-restore --target-api: a VictoriaMetrics' settings
 * refuse the points it would drop or cut without an error before they
 * are sent; its drop counters, read before the first put and after the
 * last, are the ledger of what it dropped anyway */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "datapoint.h"
#include "error.h"
#include "http.h"
#include "otsdb.h"
#include "probe.h"
#include "restorerun.h"
#include "vmguard.h"
#include "xalloc.h"
#include "url.h"

/* A VictoriaMetrics one day short of its retention: the check is made
 * when a point is read, VictoriaMetrics' when it arrives. */
#define VM_RETENTION_MARGIN_MS 86400000LL
/* The ledger's reads of the drop counters after the last put: until
 * two of them this far apart agree, at most this many. */
#define VM_LEDGER_STEP_MS 1000
#define VM_LEDGER_READS 10

static const char *
vm_refuse(void *ctx, const struct datapoint *dp)
{
	struct vm_guard *g = ctx;
	const struct vm_settings *v = &g->before;
	size_t i;

	if (dp->timestamp_ms < g->min_ms)
		return g->why_old;
	if (dp->timestamp_ms > g->max_ms)
		return g->why_new;
	if (v->max_labels > 0 && (long)dp->ntags + 1 > v->max_labels)
		return g->why_labels;
	if (v->max_label_len > 0) {
		if ((long)dp->metric_len > v->max_label_len)
			return g->why_len;
		for (i = 0; i < dp->ntags; i++)
			if ((long)dp->tags[i].val_len > v->max_label_len)
				return g->why_len;
	}
	return NULL;
}

/* GET api/metrics into *v; -1 with err set. */
static int
vm_read(struct vm_guard *g, struct http *http, struct vm_settings *v,
    struct error *err)
{
	return probe_vm_settings(http, g->api, g->shown, g->named ?
	    "--target-api" : NULL, v, err);
}

int
vm_guard_start(struct vm_guard *g, const char *api, int named,
    int allow_dedup, struct http *http, const struct notes *notes,
    struct restore_config *cfg, struct fatal *f)
{
	struct vm_settings *v = &g->before;
	struct error err;
	int64_t now = clock_wall_ms();
	char old[200];

	g->api = url_base(api);
	g->shown = url_mask(g->api);
	g->named = named;
	if (vm_read(g, http, v, &err) < 0) {
		if (named) {
			fatal_set(f, "%s", err.msg);
			return -1;
		}
		/* the write URL itself: its settings are a bonus */
		note(notes, NOTE_WARN, "%s: the target's settings and drop "
		    "counters cannot be read, so points it drops without an "
		    "error would go unnoticed but by --check", err.msg);
		return 0;
	}
	g->active = 1;
	if (v->dedup_ms > 1 && !allow_dedup) {
		fatal_set(f, "%s merges the points of a series closer than "
		    "-dedup.minScrapeInterval=%s into one, without an error: "
		    "restart it with -dedup.minScrapeInterval=1ms (or none), or "
		    "give --allow-dedup to accept the merge", g->shown,
		    v->dedup);
		return -1;
	}
	if (v->dedup_ms == 0)
		note(notes, NOTE_WARN, "%s keeps every copy of a point sent "
		    "twice (no -dedup.minScrapeInterval): a rerun, or a "
		    "request sent again after its answer was lost, stores "
		    "those points twice (otsdb-restore --check counts them); "
		    "-dedup.minScrapeInterval=1ms makes resends harmless",
		    g->shown);
	if (v->dedup_ms > 1)
		cfg->dedup_ms = v->dedup_ms; /* --allow-dedup: counted */
	vm_window(v, now, VM_RETENTION_MARGIN_MS, &g->min_ms, &g->max_ms,
	    old, sizeof(old));
	if (v->retention_ms >= 0)
		snprintf(g->why_old, sizeof(g->why_old), "%s: VictoriaMetrics "
		    "would drop it silently; a longer -retentionPeriod (e.g. "
		    "100y) keeps it", old);
	else
		note(notes, NOTE_WARN, "%s/metrics: -retentionPeriod %s%s%s "
		    "cannot be read: points older than it would be dropped unnoticed but by "
		    "the ledger", g->shown, v->retention[0] ? "'" : "",
		    v->retention, v->retention[0] ? "'" : "");
	if (g->min_ms < 0)
		g->min_ms = 0;  /* it keeps no time before 1970 */
	snprintf(g->why_new, sizeof(g->why_new), VM_AHEAD_TEXT " of "
	    "now: VictoriaMetrics would drop it silently; check the "
	    "source's timestamps and clock");
	snprintf(g->why_labels, sizeof(g->why_labels), "more labels (tags and "
	    "the name) than the target's -maxLabelsPerTimeseries=%ld: "
	    "VictoriaMetrics would cut them silently; a larger "
	    "-maxLabelsPerTimeseries keeps them", v->max_labels);
	snprintf(g->why_len, sizeof(g->why_len), "a tag value or name longer "
	    "than the target's -maxLabelValueLen=%ld bytes: VictoriaMetrics "
	    "would cut it silently; a larger -maxLabelValueLen keeps it",
	    v->max_label_len);
	if (v->max_labels < 0 || v->max_label_len < 0)
		note(notes, NOTE_WARN, "%s/metrics: %s cannot be read", g->shown,
		    v->max_labels < 0 ? "-maxLabelsPerTimeseries" :
		    "-maxLabelValueLen");
	if (v->max_hourly_series > 0 || v->max_daily_series > 0)
		note(notes, NOTE_WARN, "%s limits the series it takes "
		    "(-storage.maxHourlySeries=%ld, -storage.maxDailySeries="
		    "%ld; 0: none): the points of series beyond them are "
		    "dropped after a 2xx answer, and counted after the run",
		    g->shown, v->max_hourly_series, v->max_daily_series);
	else if (v->max_hourly_series < 0 || v->max_daily_series < 0)
		note(notes, NOTE_VERBOSE, "%s/metrics: its series limits "
		    "(-storage.maxHourlySeries, -storage.maxDailySeries) "
		    "cannot be read", g->shown);
	note(notes, NOTE_VERBOSE, "%s: -retentionPeriod=%s, "
	    "-dedup.minScrapeInterval=%s, -maxLabelsPerTimeseries=%ld, "
	    "-maxLabelValueLen=%ld, -storage.maxHourlySeries=%ld, "
	    "-storage.maxDailySeries=%ld", g->shown, v->retention,
	    v->dedup[0] ? v->dedup : "0s", v->max_labels,
	    v->max_label_len, v->max_hourly_series, v->max_daily_series);
	cfg->refuse = vm_refuse;
	cfg->refuse_ctx = g;
	return 0;
}

/* Waits ms, or less when stop is set. */
static void
pause_ms(long ms, volatile sig_atomic_t *stop)
{
	int64_t until = clock_mono_ms() + ms;

	while (clock_mono_ms() < until && !(stop != NULL && *stop))
		usleep(20000);
}

void
vm_guard_end(struct vm_guard *g, struct http *http,
    const struct notes *notes, struct restore_counters *c, struct fatal *f,
    volatile sig_atomic_t *stop)
{
	struct vm_settings after, again;
	struct error err;
	struct buf url;
	char grew[1024];
	int reads = 1;

	if (!g->active)
		return;
	buf_init(&url);
	buf_puts(&url, g->api);
	buf_puts(&url, "/internal/force_flush");
	http_req_free(probe_get(http, &url));
	buf_free(&url);
	if (vm_read(g, http, &after, &err) < 0) {
		fatal_set(f, "%s", err.msg);
		return;
	}
	/* VictoriaMetrics counts a drop a while after its answer (1.79:
	 * about a second): read until two reads VM_LEDGER_STEP_MS apart
	 * agree */
	while (reads < VM_LEDGER_READS && !(stop != NULL && *stop)) {
		pause_ms(VM_LEDGER_STEP_MS, stop);
		if (vm_read(g, http, &again, &err) < 0) {
			fatal_set(f, "%s", err.msg);
			return;
		}
		reads++;
		if (vm_drops_equal(&after, &again))
			break;
		after = again;
	}
	if (reads == VM_LEDGER_READS)
		note(notes, NOTE_WARN, "%s: its drop counters still moved "
		    "after %d reads %d ms apart (other writers?): the count "
		    "below is of the last read", g->shown, reads,
		    VM_LEDGER_STEP_MS);
	c->ignored = vm_drops_grown(&g->before, &after, grew, sizeof(grew));
	if (c->ignored > 0)
		note(notes, NOTE_ERROR, "%s: the target's own counters say it "
		    "dropped or changed %llu point%s after answering 2xx: %s; "
		    "other writers to the same VictoriaMetrics count there "
		    "too, and 'otsdb-restore --check %s' proves what is "
		    "stored", g->shown, (unsigned long long)c->ignored,
		    c->ignored == 1 ? "" : "s", grew, g->shown);
	else
		note(notes, NOTE_VERBOSE, "%s: its drop counters did not "
		    "grow", g->shown);
}

void
vm_guard_free(struct vm_guard *g)
{
	free(g->api);
	free(g->shown);
}
