/* stats.c - the --stats-file: a run's counters in Prometheus' text
 * format, replaced whole every few seconds and at the end */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "buf.h"
#include "clock.h"
#include "dumprun.h"
#include "http.h"
#include "log.h"
#include "restorerun.h"
#include "stats.h"

#define STATS_EVERY_MS 5000

void
stats_start(struct stats *p, const char *file, struct http *http)
{
	p->file = file;
	p->http = http;
	p->start_time = p->last_progress = (long long)time(NULL);
	p->next_ms = clock_mono_ms() + STATS_EVERY_MS;
}

/* One sample of the stats file. */
struct stat_row {
	const char *name;   /* after the tool's prefix */
	const char *type;   /* "counter" or "gauge" */
	const char *help;
	long long value;
};

/* Whether a point moved since the last look: the last progress time. */
static void
moved(struct stats *p, uint64_t points)
{
	if (points != p->last_points) {
		p->last_points = points;
		p->last_progress = (long long)time(NULL);
	}
}

/* Writes the tool's rows, then those both tools have: errors, start
 * and last-progress times (`what` was last moved), the exit status. */
static void
stats_write(struct stats *p, const char *prefix,
    const struct stat_row *tool, size_t ntool, const char *what, int final,
    int exit_status)
{
	char last_help[80];
	struct stat_row rows[24];
	struct buf text;
	size_t i, n = 0;

	for (i = 0; i < ntool && n < sizeof(rows) / sizeof(rows[0]) - 4; i++)
		rows[n++] = tool[i];
	snprintf(last_help, sizeof(last_help), "Unix time a datapoint was "
	    "last %s.", what);
	rows[n++] = (struct stat_row){ "errors_total", "counter",
	    "Errors reported.", (long long)log_errors() +
	    (final && exit_status == 3) };
	rows[n++] = (struct stat_row){ "start_time_seconds", "gauge",
	    "Unix time of the start.", p->start_time };
	rows[n++] = (struct stat_row){ "last_progress_time_seconds", "gauge",
	    last_help, p->last_progress };
	rows[n++] = (struct stat_row){ "exit_status", "gauge", "The exit "
	    "status, once the run ended; -1 while it runs.",
	    final ? exit_status : -1 };

	buf_init(&text);
	for (i = 0; i < n; i++) {
		char line[512];
		int len = snprintf(line, sizeof(line), "# HELP %s_%s %s\n"
		    "# TYPE %s_%s %s\n%s_%s %lld\n", prefix, rows[i].name,
		    rows[i].help, prefix, rows[i].name, rows[i].type, prefix,
		    rows[i].name, rows[i].value);

		buf_append(&text, line, (size_t)len < sizeof(line) ?
		    (size_t)len : sizeof(line) - 1);
	}
	if (atomicfile_write(p->file, text.p, text.len) < 0) {
		if (!p->failed)
			log_error("%s: cannot write the stats file: %s",
			    p->file, strerror(errno));
		p->failed = 1;
	}
	buf_free(&text);
}

int
stats_due(struct stats *p)
{
	int64_t now = clock_mono_ms();

	if (p->file == NULL || now < p->next_ms)
		return 0;
	p->next_ms = now + STATS_EVERY_MS;
	return 1;
}

#define ROW(n, t, h, v) { n, t, h, (long long)(v) }

void
stats_dump(struct stats *p, const struct dump_counters *c, int final,
    int exit_status)
{
	uint64_t sent = 0, recv = 0;

	if (p->file == NULL)
		return;
	moved(p, c->points);
	if (p->http != NULL)
		http_wire(p->http, &sent, &recv);
	{
		const struct stat_row rows[] = {
			ROW("metrics", "gauge", "Metrics selected.",
			    c->metrics),
			ROW("metrics_done_total", "counter", "Metrics dumped "
			    "to their end.", c->metrics_done),
			ROW("frames", "gauge", "Query frames planned.",
			    c->frames_total),
			ROW("frames_written_total", "counter", "Query frames "
			    "written.", c->frames),
			ROW("points_written_total", "counter", "Datapoints "
			    "written.", c->points),
			ROW("requests_total", "counter", "HTTP requests, "
			    "retries included.", c->requests),
			ROW("retries_total", "counter", "HTTP requests sent "
			    "again.", c->retries),
			ROW("splits_total", "counter", "Queries split because "
			    "their answer was too big.", c->splits),
			ROW("frames_grown_total", "counter", "Frames planned "
			    "by the data larger than the one before.",
			    c->grown),
			ROW("frames_shrunk_total", "counter", "Frames planned "
			    "by the data smaller than the one before.",
			    c->shrunk),
			ROW("values_not_dumped_total", "counter", "Datapoints "
			    "the server holds that could not be written.",
			    c->bad_values),
			ROW("points_dropped_total", "counter", "Datapoints "
			    "outside their frame, not written.", c->dropped),
			ROW("bytes_sent_total", "counter", "Bytes sent over the "
			    "wire.", sent),
			ROW("bytes_received_total", "counter", "Bytes received "
			    "over the wire.", recv),
		};

		stats_write(p, "otsdb_dump", rows, sizeof(rows) /
		    sizeof(rows[0]), "written", final, exit_status);
	}
}

void
stats_restore(struct stats *p, const struct restore_counters *c,
    int final, int exit_status)
{
	if (p->file == NULL)
		return;
	moved(p, c->stored);
	{
		const struct stat_row rows[] = {
			ROW("lines_read_total", "counter", "Input lines read.",
			    c->lines),
			ROW("points_read_total", "counter", "Valid datapoints "
			    "read.", c->points),
			ROW("points_stored_total", "counter", "Datapoints the "
			    "server acknowledged.", c->stored),
			ROW("points_rejected_total", "counter", "Bad lines and "
			    "datapoints refused.", c->rejected_lines +
			    c->rejected_points),
			ROW("points_retried_total", "counter", "Datapoints "
			    "refused for now and sent again.", c->deferred),
			ROW("points_ignored_by_target_total", "counter",
			    "Datapoints the target dropped after a 2xx answer, "
			    "by its own counters.", c->ignored),
			ROW("requests_total", "counter", "HTTP requests, "
			    "retries included.", c->requests),
			ROW("retries_total", "counter", "HTTP requests sent "
			    "again.", c->retries),
			ROW("bytes_sent_total", "counter", "Request body bytes "
			    "sent.", c->bytes_sent),
			ROW("points_merged_by_target_total", "counter",
			    "Points the target merges into another of their "
			    "series (-dedup.minScrapeInterval, --allow-dedup).",
			    c->merged),
			ROW("requests_resent_unanswered_total", "counter",
			    "Requests sent again after an answer was lost: "
			    "their points may be stored twice.", c->resent),
			ROW("stored_before_ms", "gauge", "The stream's last "
			    "mark with every point before it stored (ms since "
			    "the epoch; 0: none).", c->marks_stored ?
			    c->stored_before_ms : 0),
		};

		stats_write(p, "otsdb_restore", rows, sizeof(rows) /
		    sizeof(rows[0]), "stored", final, exit_status);
	}
}

