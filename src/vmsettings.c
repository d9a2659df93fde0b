/* vmsettings.c - VictoriaMetrics' settings and drop counters from the
 * Prometheus text of its /metrics */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmsettings.h"

/* The counters of points dropped or changed after a 2xx answer. */
static const char *const drop_prefixes[] = {
	"vm_rows_ignored_total",
	"vm_too_long_label_values_total",
	"vm_too_long_label_names_total",
	"vm_metrics_with_dropped_labels_total",
	"vm_rows_invalid_total{type=\"opentsdbhttp\"}",
	"vm_rows_invalid_total{type=\"vmimport\"}",
	"vm_concurrent_addrows_dropped_rows_total",
	"vm_hourly_series_limit_rows_dropped_total",
	"vm_daily_series_limit_rows_dropped_total",
	NULL
};

static int
is_drop(const char *name, size_t n)
{
	size_t i, k;

	for (i = 0; drop_prefixes[i] != NULL; i++) {
		k = strlen(drop_prefixes[i]);
		if (n >= k && memcmp(name, drop_prefixes[i], k) == 0 &&
		    (n == k || name[k] == '{'))
			return 1;
	}
	return 0;
}

/* The value of label `label` in the n bytes of labels at s, into out. */
static int
label(const char *s, size_t n, const char *label, char *out, size_t cap)
{
	char pat[64];
	const char *p, *end = s + n, *q;
	size_t k;

	snprintf(pat, sizeof(pat), "%s=\"", label);
	k = strlen(pat);
	for (p = s; p + k <= end; p++)
		if (memcmp(p, pat, k) == 0 && (p == s || p[-1] == '{' ||
		    p[-1] == ' ' || p[-1] == ',')) {
			p += k;
			for (q = p; q < end && *q != '"'; q++)
				;
			if (q >= end || (size_t)(q - p) >= cap)
				return -1;
			memcpy(out, p, (size_t)(q - p));
			out[q - p] = '\0';
			return 0;
		}
	return -1;
}

int64_t
vm_retention_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	const double day = 86400000.0;

	if (end == s || v < 0)
		return -1;
	if (*end == '\0')
		return (int64_t)(v * 31 * day);
	if (strcmp(end, "h") == 0)
		return (int64_t)(v * 3600000.0);
	if (strcmp(end, "d") == 0)
		return (int64_t)(v * day);
	if (strcmp(end, "w") == 0)
		return (int64_t)(v * 7 * day);
	if (strcmp(end, "y") == 0)
		return (int64_t)(v * 365 * day);
	return -1;
}

int64_t
vm_go_duration_ms(const char *s)
{
	static const struct { const char *u; double ms; } units[] = {
		{ "ms", 1 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 },
		{ "ns", 1e-6 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 },
		{ NULL, 0 }
	};
	double total = 0, v;
	char *end;
	size_t i;

	if (strcmp(s, "0") == 0)
		return 0;
	while (*s != '\0') {
		v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		for (i = 0; units[i].u != NULL; i++)
			if (strncmp(end, units[i].u, strlen(units[i].u)) == 0)
				break;
		if (units[i].u == NULL)
			return -1;
		total += v * units[i].ms;
		s = end + strlen(units[i].u);
	}
	return (int64_t)(total + 0.5);
}

static void
flag_line(const char *labels, size_t n, struct vm_settings *s)
{
	char name[64], value[64];

	if (label(labels, n, "name", name, sizeof(name)) < 0 ||
	    label(labels, n, "value", value, sizeof(value)) < 0)
		return;
	if (strcmp(name, "retentionPeriod") == 0) {
		snprintf(s->retention, sizeof(s->retention), "%s", value);
		s->retention_ms = vm_retention_ms(value);
	} else if (strcmp(name, "dedup.minScrapeInterval") == 0) {
		snprintf(s->dedup, sizeof(s->dedup), "%s", value);
		s->dedup_ms = vm_go_duration_ms(value);
	} else if (strcmp(name, "maxLabelsPerTimeseries") == 0)
		s->max_labels = strtol(value, NULL, 10);
	else if (strcmp(name, "maxLabelValueLen") == 0)
		s->max_label_len = strtol(value, NULL, 10);
	else if (strcmp(name, "storage.maxHourlySeries") == 0)
		s->max_hourly_series = strtol(value, NULL, 10);
	else if (strcmp(name, "storage.maxDailySeries") == 0)
		s->max_daily_series = strtol(value, NULL, 10);
}

int
vm_settings_parse(const char *text, size_t len, struct vm_settings *s)
{
	const char *p = text, *end = text + len, *nl, *sp;
	int flags = 0;

	memset(s, 0, sizeof(*s));
	s->retention_ms = s->dedup_ms = -1;
	s->max_labels = s->max_label_len = -1;
	s->max_hourly_series = s->max_daily_series = -1;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (p == nl || *p == '#')
			continue;
		/* the sample's name (labels included) ends at the last space */
		for (sp = nl; sp > p && sp[-1] != ' '; sp--)
			;
		if (sp <= p)
			continue;
		if (nl - p > 5 && memcmp(p, "flag{", 5) == 0) {
			flags++;
			flag_line(p + 4, (size_t)(sp - 1 - (p + 4)), s);
		} else if (is_drop(p, (size_t)(sp - 1 - p)) &&
		    s->ndrops < VM_DROP_COUNTERS &&
		    (size_t)(sp - 1 - p) < sizeof(s->drops[0].name)) {
			struct vm_drop *d = &s->drops[s->ndrops++];

			memcpy(d->name, p, (size_t)(sp - 1 - p));
			d->name[sp - 1 - p] = '\0';
			d->value = strtoull(sp, NULL, 10);
		}
	}
	return flags > 0 ? 0 : -1;
}

int
vm_drops_equal(const struct vm_settings *a, const struct vm_settings *b)
{
	size_t i;

	if (a->ndrops != b->ndrops)
		return 0;
	for (i = 0; i < a->ndrops; i++)
		if (strcmp(a->drops[i].name, b->drops[i].name) != 0 ||
		    a->drops[i].value != b->drops[i].value)
			return 0;
	return 1;
}

uint64_t
vm_drops_grown(const struct vm_settings *before,
    const struct vm_settings *after, char *out, size_t n)
{
	uint64_t total = 0, was, grew;
	size_t i, j, at = 0;

	if (n > 0)
		out[0] = '\0';
	for (i = 0; i < after->ndrops; i++) {
		was = 0;
		for (j = 0; j < before->ndrops; j++)
			if (strcmp(before->drops[j].name, after->drops[i].name)
			    == 0)
				was = before->drops[j].value;
		if (after->drops[i].value <= was)
			continue;
		grew = after->drops[i].value - was;
		total += grew;
		if (at < n)
			at += (size_t)snprintf(out + at, n - at, "%s%s %llu",
			    at > 0 ? ", " : "", after->drops[i].name,
			    (unsigned long long)grew);
	}
	return total;
}

void
vm_window(const struct vm_settings *v, int64_t now_ms, int64_t margin_ms,
    int64_t *lo, int64_t *hi, char *why_old, size_t n)
{
	*hi = now_ms + VM_AHEAD_MS;
	*lo = INT64_MIN;
	if (n > 0)
		why_old[0] = '\0';
	if (v->retention_ms < 0)
		return;
	*lo = now_ms - v->retention_ms + margin_ms;
	if (*lo < 0)
		*lo = 0;
	snprintf(why_old, n, "older than the target's retention "
	    "(-retentionPeriod=%s: %lld days%s)", v->retention,
	    (long long)(v->retention_ms / 86400000), margin_ms > 0 ?
	    ", less a day's margin" : "");
}
