/* dumpplan.c - otsdb-dump --plan: plan.c's table on stdout, its totals
 * and its estimate on stderr, labelled (main layer) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dumpsession.h"
#include "log.h"
#include "plan.h"
#include "planest.h"

/* A duration for a person: seconds, minutes, hours or days. */
static void
say_duration(double ms, char *out, size_t n)
{
	double s = ms / 1000;

	if (s < 120)
		snprintf(out, n, "%.0f s", s);
	else if (s < 7200)
		snprintf(out, n, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(out, n, "%.1f h", s / 3600);
	else
		snprintf(out, n, "%.1f days", s / 86400);
}

/* --plan's estimate on stderr, labelled as one, with the sample it
 * comes from and the server cost its time assumes. */
static void
plan_estimate(const struct dump_opts *o, const struct plan_counts *n)
{
	char wall[32];
	double at_once = n->est_cost_ms / (o->c.concurrent > 0 ?
	    o->c.concurrent : 1);
	int serial = o->frame_ms == 0 && n->est_largest_ms > at_once;

	if (!n->estimated) {
		log_warn("plan: no estimate: none of the %llu sample quer%s "
		    "was answered (%llu failed)",
		    (unsigned long long)n->sample_queries,
		    PL_IES(n->sample_queries),
		    (unsigned long long)n->sample_failed);
		return;
	}
	say_duration(serial ? n->est_largest_ms : at_once, wall, sizeof(wall));
	log_warn("plan: estimate, not a bound (data spread over the range as "
	    "in the sample): about %.0f points, %.0f queries, %.0f HBase rows "
	    "read; sampled: %llu metric%s of most series, %llu quer%s of an "
	    "hour at most (%llu without a point; %llu bytes, %llu ms each on "
	    "average%s%s), the other metrics taken at the sampled rate a "
	    "series", n->est_points, n->est_queries, n->est_rows,
	    (unsigned long long)n->sample_metrics, PL_S(n->sample_metrics),
	    (unsigned long long)n->sample_queries, PL_IES(n->sample_queries),
	    (unsigned long long)n->sample_empty,
	    (unsigned long long)n->sample_bytes,
	    (unsigned long long)(n->sample_queries ? n->sample_ms /
	    n->sample_queries : 0),
	    n->sample_too_large ? "; some larger than an answer may be, "
	    "counted at --max-response-size: more" : "",
	    n->sample_failed ? "; some failed" : "");
	log_warn("plan: time estimate at a server cost of %d ms a query plus "
	    "%d ms an HBase row read, %d quer%s at once (-c): about %s%s",
	    PLANEST_QUERY_MS, PLANEST_ROW_MS, o->c.concurrent,
	    PL_IES(o->c.concurrent), wall, serial ? " (the costliest metric "
	    "alone: its frames are read one after the other)" : "");
}

/* --plan: the table on stdout, the totals on stderr. */
void
dump_session_plan(struct dump_session *s)
{
	const struct dump_opts *o = s->o;
	struct dump_counters *c = &s->c;
	struct dump_config cfg;
	struct plan_counts n;
	char frames[200], data[64] = "no data query";

	memset(&n, 0, sizeof(n));
	dump_fill_config(o, s->base, s->shown, &cfg);
	dump_plan(&cfg, s->http, s->names.v, s->names.n,
	    (size_t)o->plan_sample, stdout, &n, &s->f);
	c->requests += n.requests;
	c->retries += n.retries;
	if (s->f.set || cli_stop_signal)
		return;
	if (n.sample_queries > 0)
		snprintf(data, sizeof(data), "%llu of them data quer%s (the "
		    "sample)", (unsigned long long)n.sample_queries,
		    PL_IES(n.sample_queries));
	if (o->frame_ms == 0)
		snprintf(frames, sizeof(frames), "frames planned by the data: "
		    "%llu to %llu frame%s, %llu to %llu quer%s without splits "
		    "(bounds: every frame grown, none grown)",
		    (unsigned long long)n.frames,
		    (unsigned long long)n.frames_max, PL_S(n.frames_max),
		    (unsigned long long)n.queries,
		    (unsigned long long)n.queries_max, PL_IES(n.queries_max));
	else
		snprintf(frames, sizeof(frames), "%llu frame%s, %llu quer%s "
		    "without splits", (unsigned long long)n.frames,
		    PL_S(n.frames), (unsigned long long)n.queries,
		    PL_IES(n.queries));
	log_warn("plan: %llu metric%s (%llu read by groups of series), %llu "
	    "series, %s; %llu request%s, %s", (unsigned long long)n.metrics,
	    PL_S(n.metrics), (unsigned long long)n.by_series,
	    (unsigned long long)n.series, frames,
	    (unsigned long long)c->requests, PL_S(c->requests), data);
	if (o->plan_sample > 0)
		plan_estimate(o, &n);
}

