/* test-vm.c - unit tests of vm.c's reader of /api/v1/export answers: a
 * table of answers and the series and points read from them */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "tap.h"
#include "vm.h"
#include "vmsettings.h"

static struct buf got;

static int
on_series(void *ctx, const struct datapoint *dp)
{
	size_t i;

	(void)ctx;
	buf_putc(&got, '<');
	buf_append(&got, dp->metric, dp->metric_len);
	for (i = 0; i < dp->ntags; i++) {
		buf_putc(&got, ' ');
		buf_append(&got, dp->tags[i].key, dp->tags[i].key_len);
		buf_putc(&got, '=');
		buf_append(&got, dp->tags[i].val, dp->tags[i].val_len);
	}
	buf_putc(&got, '>');
	/* a series named skip is not read */
	return dp->metric_len == 4 && memcmp(dp->metric, "skip", 4) == 0;
}

static void
on_point(void *ctx, int64_t ts, const char *val, size_t len, int number)
{
	char t[32];

	(void)ctx;
	snprintf(t, sizeof(t), " %lld:", (long long)ts);
	buf_puts(&got, t);
	buf_append(&got, val, len);
	if (!number)
		buf_putc(&got, '?');
}

static const struct {
	const char *name, *answer;
	int rc;
	const char *want;   /* what was read, or the error */
} rows[] = {
	{ "empty answer", "", 0, "" },
	{ "one series, labels sorted, value text kept",
	  "{\"metric\":{\"__name__\":\"m\",\"b\":\"2\",\"a\":\"1\"},"
	  "\"values\":[1,2.50],\"timestamps\":[1000,2000]}\n", 0,
	  "<m a=1 b=2> 1000:1 2000:2.50" },
	{ "two lines, no final newline, blank lines skipped",
	  "{\"metric\":{\"__name__\":\"x\"},\"values\":[3],\"timestamps\":[5]}"
	  "\n\n{\"metric\":{\"__name__\":\"y\",\"h\":\"q\"},\"values\":[4],"
	  "\"timestamps\":[6]}", 0, "<x> 5:3<y h=q> 6:4" },
	{ "a series without __name__ is skipped",
	  "{\"metric\":{\"h\":\"a\"},\"values\":[1],\"timestamps\":[1]}\n", 0,
	  "" },
	{ "a series the caller skips",
	  "{\"metric\":{\"__name__\":\"skip\"},\"values\":[1],"
	  "\"timestamps\":[1]}\n", 0, "<skip>" },
	{ "a value that is not a number is passed as such",
	  "{\"metric\":{\"__name__\":\"m\"},\"values\":[null,\"NaN\"],"
	  "\"timestamps\":[1,2]}\n", 0, "<m> 1:null? 2:\"NaN\"?" },
	{ "a time that is not an integer is skipped",
	  "{\"metric\":{\"__name__\":\"m\"},\"values\":[1,2],"
	  "\"timestamps\":[1.5,2]}\n", 0, "<m> 2:2" },
	{ "a label value that is not a string skips the series",
	  "{\"metric\":{\"__name__\":\"m\",\"h\":1},\"values\":[1],"
	  "\"timestamps\":[1]}\n", 0, "" },
	{ "a repeated __name__ skips the series",
	  "{\"metric\":{\"__name__\":\"m\",\"__name__\":\"n\"},"
	  "\"values\":[1],\"timestamps\":[1]}\n", 0, "" },
	{ "not JSON", "{\"metric\":\n", -1, "line 1: not JSON" },
	{ "counts differ",
	  "{\"metric\":{\"__name__\":\"m\"},\"values\":[1,2],"
	  "\"timestamps\":[1]}\n", -1, "line 1: not a series of an export" },
	{ "an array on line 2",
	  "{\"metric\":{\"__name__\":\"m\"},\"values\":[],\"timestamps\":[]}\n"
	  "[1]\n", -1, "line 2: not a series of an export" },
};

/* VictoriaMetrics' /metrics: settings and drop counters */
static void
test_settings(void)
{
	static const char before[] =
	    "# HELP x\n"
	    "flag{name=\"dedup.minScrapeInterval\", value=\"1m30s\", "
	    "is_set=\"true\"} 1\n"
	    "flag{name=\"maxLabelValueLen\", value=\"16384\", "
	    "is_set=\"false\"} 1\n"
	    "flag{name=\"maxLabelsPerTimeseries\", value=\"30\", "
	    "is_set=\"false\"} 1\n"
	    "flag{name=\"retentionPeriod\", value=\"1\", is_set=\"false\"} 1\n"
	    "vm_rows_ignored_total{reason=\"big_timestamp\"} 0\n"
	    "vm_rows_ignored_total{reason=\"small_timestamp\"} 7\n"
	    "vm_rows_added_to_storage_total 99\n"
	    "vm_too_long_label_values_total 1\n";
	static const char after[] =
	    "flag{name=\"retentionPeriod\", value=\"1\", is_set=\"false\"} 1\n"
	    "vm_rows_ignored_total{reason=\"big_timestamp\"} 0\n"
	    "vm_rows_ignored_total{reason=\"small_timestamp\"} 10\n"
	    "vm_rows_added_to_storage_total 120\n"
	    "vm_too_long_label_values_total 2\n";
	struct vm_settings a, b;
	char grew[256];

	ok(vm_settings_parse(before, strlen(before), &a) == 0 &&
	    a.retention_ms == 31LL * 86400000 && a.dedup_ms == 90000 &&
	    a.max_labels == 30 && a.max_label_len == 16384 && a.ndrops == 3,
	    "settings: flags and drop counters read (not the rows added)");
	ok(vm_settings_parse(after, strlen(after), &b) == 0 &&
	    vm_drops_grown(&a, &b, grew, sizeof(grew)) == 4 &&
	    strcmp(grew, "vm_rows_ignored_total{reason=\"small_timestamp\"} 3, "
	    "vm_too_long_label_values_total 1") == 0,
	    "settings: what grew, by counter");
	ok(vm_settings_parse("up 1\n", 5, &a) == -1,
	    "settings: no flag line: not VictoriaMetrics");
	ok(vm_retention_ms("100y") == 100LL * 365 * 86400000 &&
	    vm_retention_ms("2w") == 14LL * 86400000 &&
	    vm_retention_ms("12h") == 12LL * 3600000 &&
	    vm_retention_ms("1x") == -1 && vm_retention_ms("") == -1,
	    "settings: retention units (bare: months of 31 days)");
	ok(vm_go_duration_ms("0s") == 0 && vm_go_duration_ms("1ms") == 1 &&
	    vm_go_duration_ms("1h0m0s") == 3600000 &&
	    vm_go_duration_ms("500ms") == 500 && vm_go_duration_ms("1q") == -1,
	    "settings: Go durations");
}

/* The import's URLs and lines. */
/* The window VictoriaMetrics keeps points in: the one computation the
 * guard (with a day's margin) and --check's reasons share. */
static void
test_window(void)
{
	static const struct {
		const char *retention;
		long long retention_ms, now, margin, lo, hi;
		const char *why;
	} win[] = {
		{ "1", 31LL * 86400000, 100LL * 86400000, 0,
		  69LL * 86400000, 102LL * 86400000,
		  "older than the target's retention (-retentionPeriod=1: 31 "
		  "days)" },
		{ "1", 31LL * 86400000, 100LL * 86400000, 86400000,
		  70LL * 86400000, 102LL * 86400000,
		  "older than the target's retention (-retentionPeriod=1: 31 "
		  "days, less a day's margin)" },
		/* longer than the time since 1970: from 0 */
		{ "100y", 36500LL * 86400000, 1000LL * 86400000, 0, 0,
		  1002LL * 86400000,
		  "older than the target's retention (-retentionPeriod=100y: "
		  "36500 days)" },
		/* unknown: no lower limit, the upper one holds */
		{ "", -1, 5000, 0, INT64_MIN, 5000 + 2 * 86400000LL, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(win) / sizeof(win[0]); i++) {
		struct vm_settings v;
		int64_t lo, hi;
		char why[200];

		memset(&v, 0, sizeof(v));
		v.retention_ms = win[i].retention_ms;
		snprintf(v.retention, sizeof(v.retention), "%s",
		    win[i].retention);
		vm_window(&v, win[i].now, win[i].margin, &lo, &hi, why,
		    sizeof(why));
		ok(lo == win[i].lo && hi == win[i].hi &&
		    strcmp(why, win[i].why) == 0, "window %zu: [%lld, %lld] "
		    "'%s'", i, (long long)lo, (long long)hi, why);
	}
}

static void
test_import(void)
{
	static const struct {
		const char *base, *import, *health;
	} urls[] = {
		{ "http://v:8428", "http://v:8428/api/v1/import",
		  "http://v:8428/health" },
		{ "http://v:8480/insert/0", "http://v:8480/insert/0/prometheus/"
		  "api/v1/import", "http://v:8480/health" },
		{ "https://u:p@v/insert/12:3/prometheus", "https://u:p@v/insert/"
		  "12:3/prometheus/api/v1/import", "https://u:p@v/health" },
		{ "http://v:8481/select/0/prometheus", NULL,
		  "http://v:8481/health" },
		{ "http://v/insert/x", "http://v/insert/x/api/v1/import",
		  "http://v/insert/x/health" },
		{ "http://v/vm/insert/0", "http://v/vm/insert/0/api/v1/import",
		  "http://v/vm/insert/0/health" },
	};
	struct datapoint dp;
	struct dp_tag tags[2] = { { "h\"x", 3, "a\\b", 3 },
	    { "z", 1, "\xc3\xbc", 2 } };
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		if (urls[i].import != NULL) {
			buf_reset(&b);
			vm_import_url(&b, urls[i].base);
			is_mem(b.p, b.len, urls[i].import, urls[i].base);
		}
		buf_reset(&b);
		vm_health_url(&b, urls[i].base);
		is_mem(b.p, b.len, urls[i].health, urls[i].health);
	}
	memset(&dp, 0, sizeof(dp));
	dp.metric = "sys.cpu/x";
	dp.metric_len = 9;
	dp.tags = tags;
	dp.ntags = 2;
	buf_reset(&b);
	vm_import_head(&b, &dp);
	is_mem(b.p, b.len, "{\"metric\":{\"__name__\":\"sys.cpu/x\","
	    "\"h\\\"x\":\"a\\\\b\",\"z\":\"\xc3\xbc\"},\"values\":[",
	    "import head: names and tags as JSON strings, escaped");
	ok(vm_import_size_advice(413, "") != NULL &&
	    vm_import_size_advice(400, "too big request") != NULL &&
	    vm_import_size_advice(400, "cannot parse") == NULL,
	    "import size advice: for a size refusal only");
	buf_free(&b);
}

int
main(void)
{
	struct vm_export x;
	struct vm_export_walker w = { on_series, on_point, NULL };
	struct error err;
	size_t i;

	test_window();
	test_settings();
	test_import();
	vm_export_init(&x);
	buf_init(&got);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc;

		buf_reset(&got);
		buf_puts(&got, "");
		rc = vm_export_walk(&x, rows[i].answer, strlen(rows[i].answer),
		    &w, &err);
		ok(rc == rows[i].rc, "%s: returns %d", rows[i].name, rows[i].rc);
		if (rc == 0)
			is_mem(got.p ? got.p : "", got.len, rows[i].want,
			    rows[i].name);
		else
			is_str(err.msg, rows[i].want, rows[i].name);
	}
	ok(vm_export_too_large(422, "the number of matching timeseries "
	    "exceeds 300000", 43, 0), "too large: series over the limit");
	ok(!vm_export_too_large(0, NULL, 0, 0), "no answer (a timeout) is no "
	    "sign of size");
	ok(vm_export_too_large(200, "", 0, 1), "too large: cut by the "
	    "client");
	ok(!vm_export_too_large(500, "internal error", 14, 0), "a 500 is "
	    "a failure");
	ok(!vm_export_too_large(200, "exceeds", 7, 0), "a 200 is no "
	    "refusal");
	buf_free(&got);
	vm_export_free(&x);
	return done();
}
