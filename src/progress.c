/* progress.c - the progress line and the final summary of both tools */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dumprun.h"
#include "http.h"
#include "log.h"
#include "check.h"
#include "progress.h"
#include "restorerun.h"

static int
due(struct progress *p, double *secs, int64_t start_ms)
{
	int64_t now = clock_mono_ms();

	if (now < p->next_ms)
		return 0;
	p->next_ms = now + 1000;
	*secs = (now - start_ms) / 1000.0;
	return 1;
}

#define STATS_EVERY_MS 5000

void
progress_start(struct progress *p, const char *stats_file, struct http *http,
    int show_rates)
{
	p->stats_file = stats_file;
	p->http = http;
	p->show_rates = show_rates;
	p->start_time = p->last_progress = (long long)time(NULL);
	p->stats_next_ms = clock_mono_ms() + STATS_EVERY_MS;
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
moved(struct progress *p, uint64_t points)
{
	if (points != p->last_points) {
		p->last_points = points;
		p->last_progress = (long long)time(NULL);
	}
}

/* Writes the tool's rows, then those both tools have: errors, start
 * and last-progress times (`what` was last moved), the exit status. */
static void
stats_write(struct progress *p, const char *prefix,
    const struct stat_row *tool, size_t ntool, const char *what, int final,
    int exit_status)
{
	char tmp[4096], last_help[80];
	struct stat_row rows[24];
	FILE *f;
	size_t i, n = 0;
	int bad;

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

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", p->stats_file,
	    (long)getpid()) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		f = NULL;
	} else
		f = fopen(tmp, "w");
	bad = f == NULL;
	for (i = 0; f != NULL && i < n; i++)
		fprintf(f, "# HELP %s_%s %s\n# TYPE %s_%s %s\n%s_%s %lld\n",
		    prefix, rows[i].name, rows[i].help, prefix, rows[i].name,
		    rows[i].type, prefix, rows[i].name, rows[i].value);
	if (f != NULL && (ferror(f) | fclose(f)))
		bad = 1;
	if (!bad && rename(tmp, p->stats_file) < 0)
		bad = 1;
	if (bad) {
		int e = errno;

		if (f != NULL)
			unlink(tmp);
		if (!p->stats_failed)
			log_error("%s: cannot write the stats file: %s",
			    p->stats_file, strerror(e));
		p->stats_failed = 1;
	}
}

static int
stats_due(struct progress *p)
{
	int64_t now = clock_mono_ms();

	if (p->stats_file == NULL || now < p->stats_next_ms)
		return 0;
	p->stats_next_ms = now + STATS_EVERY_MS;
	return 1;
}

#define ROW(n, t, h, v) { n, t, h, (long long)(v) }

void
stats_dump(struct progress *p, const struct dump_counters *c, int final,
    int exit_status)
{
	uint64_t sent = 0, recv = 0;

	if (p->stats_file == NULL)
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
stats_restore(struct progress *p, const struct restore_counters *c,
    int final, int exit_status)
{
	if (p->stats_file == NULL)
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
			ROW("requests_total", "counter", "HTTP requests, "
			    "retries included.", c->requests),
			ROW("retries_total", "counter", "HTTP requests sent "
			    "again.", c->retries),
			ROW("bytes_sent_total", "counter", "Request body bytes "
			    "sent.", c->bytes_sent),
		};

		stats_write(p, "otsdb_restore", rows, sizeof(rows) /
		    sizeof(rows[0]), "stored", final, exit_status);
	}
}

void
progress_dump(struct progress *p, const struct dump_counters *c)
{
	double secs;
	char eta[32] = "?";

	if (stats_due(p))
		stats_dump(p, c, 0, 0);
	if (!due(p, &secs, c->start_ms))
		return;
	if (c->frames > 0 && c->frames_total > c->frames)
		snprintf(eta, sizeof(eta), "%.0f s", secs *
		    (double)(c->frames_total - c->frames) / (double)c->frames);
	log_progress("metrics %llu/%llu, frames %llu/%llu, %llu points, "
	    "%.0f points/s, ETA %s", (unsigned long long)c->metrics_done,
	    (unsigned long long)c->metrics, (unsigned long long)c->frames,
	    (unsigned long long)c->frames_total,
	    (unsigned long long)c->points, secs > 0 ? c->points / secs : 0.0,
	    eta);
}

void
progress_restore(struct progress *p, const struct restore_counters *c)
{
	double secs;

	if (stats_due(p))
		stats_restore(p, c, 0, 0);
	if (!due(p, &secs, c->start_ms))
		return;
	log_progress("%llu lines, %llu stored, %llu rejected, %.0f points/s",
	    (unsigned long long)c->lines, (unsigned long long)c->stored,
	    (unsigned long long)(c->rejected_lines + c->rejected_points),
	    secs > 0 ? c->stored / secs : 0.0);
}

void
progress_check(struct progress *p, const struct check_counters *c)
{
	double secs;

	if (!due(p, &secs, c->start_ms))
		return;
	log_progress("%llu lines, %llu points checked: %llu found, %llu "
	    "missing, %llu different",
	    (unsigned long long)c->lines,
	    (unsigned long long)(c->found + c->missing + c->different),
	    (unsigned long long)c->found, (unsigned long long)c->missing,
	    (unsigned long long)c->different);
}

/* ", N requests/s, N bytes/s" (both ways, on the wire), or "". */
static void
rates(char *out, size_t n, const struct progress *p, uint64_t requests,
    double secs)
{
	uint64_t sent = 0, recv = 0;

	out[0] = '\0';
	if (p == NULL || !p->show_rates || p->http == NULL || secs <= 0)
		return;
	http_wire(p->http, &sent, &recv);
	snprintf(out, n, ", %.1f requests/s, %.0f bytes/s",
	    (double)requests / secs, (double)(sent + recv) / secs);
}

void
summary_dump(const struct dump_counters *c, int stopped, int fatal,
    const struct progress *p)
{
	double secs = (clock_mono_ms() - c->start_ms) / 1000.0;
	char dropped[64] = "", rate[80];

	log_progress_end();
	if (log_level() < LOG_NORMAL && !fatal)
		return;
	if (c->dropped > 0)
		snprintf(dropped, sizeof(dropped), ", %llu points outside "
		    "their frame dropped", (unsigned long long)c->dropped);
	rates(rate, sizeof(rate), p, c->requests, secs);
	log_error("%s%llu metrics, %llu frames, %llu points, %llu requests, "
	    "%llu retries, %llu splits, %llu values not dumped%s, %.1f s, "
	    "%.0f points/s%s", stopped ? "stopped: " : "",
	    (unsigned long long)c->metrics, (unsigned long long)c->frames,
	    (unsigned long long)c->points, (unsigned long long)c->requests,
	    (unsigned long long)c->retries, (unsigned long long)c->splits,
	    (unsigned long long)c->bad_values, dropped, secs,
	    secs > 0 ? c->points / secs : 0.0, rate);
}

void
summary_restore(const struct restore_counters *c, int dry_run,
    size_t size_limit, int stopped, int fatal, const struct progress *p)
{
	double secs = (clock_mono_ms() - c->start_ms) / 1000.0;
	uint64_t rejected = c->rejected_lines + c->rejected_points;
	char deferred[80] = "", rate[80];

	log_progress_end();
	if (c->deferred > 0)
		snprintf(deferred, sizeof(deferred), ", %llu points refused for "
		    "now and sent again", (unsigned long long)c->deferred);
	if (log_level() < LOG_NORMAL && !fatal)
		return;
	if (dry_run)
		log_error("%sdry run: %llu lines read, %llu valid points, %llu "
		    "rejected, %llu requests of at most %zu bytes (%llu "
		    "bytes) not sent", stopped ? "stopped: " : "",
		    (unsigned long long)c->lines,
		    (unsigned long long)c->points,
		    (unsigned long long)rejected,
		    (unsigned long long)c->requests, size_limit,
		    (unsigned long long)c->bytes_sent);
	else {
		rates(rate, sizeof(rate), p, c->requests, secs);
		log_error("%s%llu lines read, %llu points stored, %llu "
		    "rejected, %llu requests, %llu retries, %llu bytes sent, "
		    "%.1f s, %.0f points/s%s%s", stopped ? "stopped: " : "",
		    (unsigned long long)c->lines,
		    (unsigned long long)c->stored,
		    (unsigned long long)rejected,
		    (unsigned long long)c->requests,
		    (unsigned long long)c->retries,
		    (unsigned long long)c->bytes_sent, secs,
		    secs > 0 ? c->stored / secs : 0.0, rate, deferred);
	}
}

void
summary_check(const struct check_counters *c, const char *what,
    const char *shown, int stopped, int fatal, const struct progress *p)
{
	double secs = (clock_mono_ms() - c->start_ms) / 1000.0;
	char rate[80];

	log_progress_end();
	if (log_level() < LOG_NORMAL && !fatal &&
	    c->missing + c->different + c->rejected_lines == 0)
		return;
	rates(rate, sizeof(rate), p, c->requests, secs);
	log_error("%schecked %llu points of %llu lines against %s %s: %llu "
	    "found, %llu missing, %llu different, %llu lines rejected; "
	    "%llu requests, %llu retries, %.1f s%s", stopped ? "stopped: " :
	    "", (unsigned long long)(c->found + c->missing + c->different),
	    (unsigned long long)c->lines, what, shown,
	    (unsigned long long)c->found, (unsigned long long)c->missing,
	    (unsigned long long)c->different,
	    (unsigned long long)c->rejected_lines,
	    (unsigned long long)c->requests, (unsigned long long)c->retries,
	    secs, rate);
}
