/* progress.c - the progress line and the final summary of both tools */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dumprun.h"
#include "http.h"
#include "log.h"
#include "check.h"
#include "progress.h"
#include "stats.h"
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

/* "; retrying: WHY for N s" while a request has been failing for a
 * second or more, else "".  Returns how long it has (ms), or -1. */
static int64_t
retrying(const struct progress *p, char *out, size_t n)
{
	char why[200];
	int64_t ms = p->http != NULL ? http_failing(p->http, why,
	    sizeof(why)) : -1;

	out[0] = '\0';
	if (ms < 1000)
		return -1;
	snprintf(out, n, "; retrying: %s for %lld s", why,
	    (long long)(ms / 1000));
	return ms;
}

void
progress_start(struct progress *p, const char *stats_file, struct http *http,
    int show_rates)
{
	p->http = http;
	p->show_rates = show_rates;
	stats_start(&p->stats, stats_file, http);
}

void
progress_set_http(struct progress *p, struct http *http)
{
	p->http = http;
	p->stats.http = http;
}

void
progress_dump(struct progress *p, const struct dump_counters *c)
{
	double secs;
	char eta[32] = "?", retry[300];
	int64_t last = p->next_ms - 1000, failing; /* the last line's time */

	if (stats_due(&p->stats))
		stats_dump(&p->stats, c, 0, 0);
	if (!due(p, &secs, c->start_ms))
		return;
	/* by time covered (frames planned by the data differ in size), at
	 * the pace of the time the source answered: while it does not,
	 * no estimate, and the time since the last line counts as waited */
	if ((failing = retrying(p, retry, sizeof(retry))) >= 0) {
		int64_t since = p->next_ms - 1000 - last;

		if (last > 0)
			p->waited_ms += failing < since ? failing : since;
		snprintf(eta, sizeof(eta), "? (waiting for the source)");
	} else if (c->span_done_ms > 0 && c->span_ms > c->span_done_ms)
		snprintf(eta, sizeof(eta), "%.0f s", (secs - (double)
		    p->waited_ms / 1000.0) * (double)(c->span_ms -
		    c->span_done_ms) / (double)c->span_done_ms);
	log_progress("metrics %llu/%llu, frames %llu/%llu, %.0f %% of the "
	    "time, %llu points, %.0f points/s, ETA %s%s",
	    (unsigned long long)c->metrics_done,
	    (unsigned long long)c->metrics, (unsigned long long)c->frames,
	    (unsigned long long)c->frames_total, c->span_ms > 0 ?
	    100.0 * (double)c->span_done_ms / (double)c->span_ms : 0.0,
	    (unsigned long long)c->points, secs > 0 ? c->points / secs : 0.0,
	    eta, retry);
}

void
progress_restore(struct progress *p, const struct restore_counters *c)
{
	double secs;
	char retry[300];

	if (stats_due(&p->stats))
		stats_restore(&p->stats, c, 0, 0);
	if (!due(p, &secs, c->start_ms))
		return;
	retrying(p, retry, sizeof(retry));
	log_progress("%llu lines, %llu stored, %llu rejected, %.0f "
	    "points/s%s", (unsigned long long)c->lines,
	    (unsigned long long)c->stored,
	    (unsigned long long)(c->rejected_lines + c->rejected_points),
	    secs > 0 ? c->stored / secs : 0.0, retry);
}

void
progress_check(struct progress *p, const struct check_counters *c)
{
	double secs;
	char retry[300];

	if (!due(p, &secs, c->start_ms))
		return;
	retrying(p, retry, sizeof(retry));
	log_progress("%llu lines, %llu points checked: %llu found, %llu "
	    "missing, %llu different%s",
	    (unsigned long long)c->lines,
	    (unsigned long long)(c->found + c->missing + c->different),
	    (unsigned long long)c->found, (unsigned long long)c->missing,
	    (unsigned long long)c->different, retry);
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
	char dropped[64] = "", sized[80] = "", rate[80];

	log_progress_end();
	if (log_level() < LOG_NORMAL && !fatal)
		return;
	if (c->dropped > 0)
		snprintf(dropped, sizeof(dropped), ", %llu point%s outside "
		    "their frame dropped", (unsigned long long)c->dropped,
		    PL_S(c->dropped));
	if (c->grown > 0 || c->shrunk > 0)
		snprintf(sized, sizeof(sized), ", frames grown %llu time%s, "
		    "shrunk %llu", (unsigned long long)c->grown, PL_S(c->grown),
		    (unsigned long long)c->shrunk);
	rates(rate, sizeof(rate), p, c->requests, secs);
	log_error("%s%llu metric%s, %llu frame%s, %llu point%s, %llu "
	    "request%s, %llu retr%s, %llu split%s, %llu value%s not "
	    "dumped%s%s, %.1f s, %.0f points/s%s", stopped ? "stopped: " : "",
	    (unsigned long long)c->metrics, PL_S(c->metrics),
	    (unsigned long long)c->frames, PL_S(c->frames),
	    (unsigned long long)c->points, PL_S(c->points),
	    (unsigned long long)c->requests, PL_S(c->requests),
	    (unsigned long long)c->retries, PL_IES(c->retries),
	    (unsigned long long)c->splits, PL_S(c->splits),
	    (unsigned long long)c->bad_values, PL_S(c->bad_values), dropped,
	    sized, secs, secs > 0 ? c->points / secs : 0.0, rate);
}

void
summary_restore(const struct restore_counters *c, int dry_run,
    size_t size_limit, int stopped, int fatal, const struct progress *p)
{
	double secs = (clock_mono_ms() - c->start_ms) / 1000.0;
	uint64_t rejected = c->rejected_lines + c->rejected_points;
	char deferred[160] = "", rate[80];

	log_progress_end();
	if (c->deferred > 0)
		snprintf(deferred, sizeof(deferred), ", %llu point%s refused "
		    "for now and sent again", (unsigned long long)c->deferred,
		    PL_S(c->deferred));
	if (c->ignored > 0)
		snprintf(deferred + strlen(deferred), sizeof(deferred) -
		    strlen(deferred), ", %llu ignored by the target after a 2xx "
		    "answer", (unsigned long long)c->ignored);
	if (log_level() < LOG_NORMAL && !fatal)
		return;
	if (dry_run)
		log_error("%sdry run: %llu line%s read, %llu valid point%s, "
		    "%llu rejected, %llu request%s of at most %zu bytes (%llu "
		    "bytes) not sent", stopped ? "stopped: " : "",
		    (unsigned long long)c->lines, PL_S(c->lines),
		    (unsigned long long)c->points, PL_S(c->points),
		    (unsigned long long)rejected,
		    (unsigned long long)c->requests, PL_S(c->requests),
		    size_limit, (unsigned long long)c->bytes_sent);
	else {
		rates(rate, sizeof(rate), p, c->requests, secs);
		log_error("%s%llu line%s read, %llu point%s stored, %llu "
		    "rejected, %llu request%s, %llu retr%s, %llu byte%s sent, "
		    "%.1f s, %.0f points/s%s%s", stopped ? "stopped: " : "",
		    (unsigned long long)c->lines, PL_S(c->lines),
		    (unsigned long long)c->stored, PL_S(c->stored),
		    (unsigned long long)rejected,
		    (unsigned long long)c->requests, PL_S(c->requests),
		    (unsigned long long)c->retries, PL_IES(c->retries),
		    (unsigned long long)c->bytes_sent, PL_S(c->bytes_sent), secs,
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
	    c->missing + c->different + c->duplicates + c->rejected_lines == 0)
		return;
	rates(rate, sizeof(rate), p, c->requests, secs);
	uint64_t checked = c->found + c->missing + c->different;

	log_error("%schecked %llu point%s of %llu line%s against %s %s: %llu "
	    "found, %llu missing, %llu different, %llu duplicate%s, %llu "
	    "line%s rejected; %llu request%s, %llu retr%s, %.1f s%s",
	    stopped ? "stopped: " : "", (unsigned long long)checked,
	    PL_S(checked), (unsigned long long)c->lines, PL_S(c->lines), what,
	    shown, (unsigned long long)c->found, (unsigned long long)c->missing,
	    (unsigned long long)c->different,
	    (unsigned long long)c->duplicates, PL_S(c->duplicates),
	    (unsigned long long)c->rejected_lines, PL_S(c->rejected_lines),
	    (unsigned long long)c->requests, PL_S(c->requests),
	    (unsigned long long)c->retries, PL_IES(c->retries),
	    secs, rate);
}
