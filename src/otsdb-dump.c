/* otsdb-dump.c - main of otsdb-dump: every raw datapoint of a time range
 * options -> metrics (discover.c) -> the dump engine (dumprun.c) into
 * stdout, --output or --dump-dir (output.c) -> summary and exit status. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "datapoint.h"
#include "discover.h"
#include "dumpopts.h"
#include "dumprun.h"
#include "error.h"
#include "exitcode.h"
#include "follow.h"
#include "frames.h"
#include "http.h"
#include "log.h"
#include "otsdb.h"
#include "output.h"
#include "plan.h"
#include "planest.h"
#include "progress.h"
#include "strvec.h"
#include "timeparse.h"
#include "xalloc.h"
#include "url.h"


/* Notes of the engine and of discovery go to the log. */
static const struct notes dump_notes = { log_note_fn, NULL };

static void
on_tick(void *ctx, const struct dump_counters *c)
{
	progress_dump(ctx, c);
}

/* The engine's configuration from the options (no output yet). */
static void
fill_config(const struct dump_opts *o, const char *base, const char *shown,
    struct dump_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base = base;
	cfg->shown = shown;
	cfg->start_ms = o->start_ms;
	cfg->stop_ms = o->stop_ms;
	cfg->frame_ms = o->frame_ms;
	cfg->concurrent = o->c.concurrent;
	cfg->max_series = (size_t)o->max_series;
	cfg->max_response = (size_t)o->max_response;
	cfg->resumable = o->dump_dir != NULL;
	cfg->stop = &cli_stop_signal;
}

static void dump(const struct dump_opts *o, struct http *http,
    const char *base, const char *shown, const struct strvec *names,
    struct dump_counters *c, struct fatal *f, int *broken_pipe,
    struct progress *pr, struct dump_memory *mem);

/* --follow's rounds: --query-frame-size, or with auto frames 180 s. */
static int64_t
follow_frame_ms(const struct dump_opts *o)
{
	return o->frame_ms > 0 ? o->frame_ms : FOLLOW_FRAME_MS;
}

/* What --follow's callbacks need. */
struct follower {
	const struct dump_opts *o;
	const struct discover_config *dc;
	struct http *http;
	const char *base, *shown;
	struct dump_counters *c;
	struct fatal *f;
	int *broken_pipe;
	struct progress *pr;
	struct dump_memory mem;  /* what a round learns, for the next */
};

static int64_t
follow_wall(void *ctx)
{
	(void)ctx;
	return clock_wall_ms();
}

static int64_t
follow_mono(void *ctx)
{
	(void)ctx;
	return clock_mono_ms();
}

static void
follow_wait(void *ctx, int64_t ms)
{
	struct follower *fw = ctx;

	on_tick(fw->pr, fw->c);
	usleep((useconds_t)ms * 1000);
}

/* Flushes stdout: 0, or -1 with the reader gone (quiet, 141) or a
 * write error said. */
static int
flush_stdout(struct follower *fw)
{
	if (fflush(stdout) == 0)
		return 0;
	if (errno == EPIPE)
		*fw->broken_pipe = 1;
	else
		fatal_set(fw->f, "stdout: write error: %s", strerror(errno));
	return -1;
}

/* One round: names[from..) over [lo, stop) (a --dump-dir dump starts at
 * TIME_START and resumes each metric where it stopped), then stdout
 * flushed, so the round reaches the reader. */
static int
follow_dump(void *ctx, const struct strvec *names, size_t from, int64_t lo,
    int64_t stop)
{
	struct follower *fw = ctx;
	struct dump_opts r = *fw->o;
	struct strvec part;

	if (stop <= lo || from >= names->n)
		return 0;
	/* a view of names[from..), not a copy: dump() only reads it */
	part.v = names->v + from;
	part.n = names->n - from;
	part.cap = 0;
	uint64_t done = fw->c->metrics_done;

	/* a catch-up from TIME_START is planned as a dump is; later rounds
	 * take the follow frames */
	if (lo != fw->o->start_ms)
		r.frame_ms = follow_frame_ms(fw->o);
	r.start_ms = fw->o->dump_dir ? fw->o->start_ms : lo;
	r.stop_ms = stop;
	dump(&r, fw->http, fw->base, fw->shown, &part, fw->c, fw->f,
	    fw->broken_pipe, fw->pr, &fw->mem);
	/* the metrics followed, none of them ever complete */
	fw->c->metrics = names->n;
	fw->c->metrics_done = done;
	if (fw->f->set || *fw->broken_pipe || cli_stop_signal)
		return -1;
	return flush_stdout(fw);
}

static int
follow_discover(void *ctx, struct strvec *found)
{
	struct follower *fw = ctx;

	return discover_metrics(fw->dc, fw->http, found, &fw->c->requests,
	    &fw->c->retries, fw->f);
}

static int
follow_stopped(void *ctx)
{
	struct follower *fw = ctx;

	return fw->f->set || *fw->broken_pipe || cli_stop_signal;
}

static void
follow_found(void *ctx, size_t n)
{
	(void)ctx;
	log_verbose("--follow: %zu new metrics", n);
}

/* A mark line in the stream (otsdb-ndjson(5)): every point before
 * before_ms is in the lines above it.  otsdb-restore says which mark it
 * stored everything before; a dump directory keeps its own metadata. */
static void
follow_mark(void *ctx, int64_t before_ms)
{
	struct follower *fw = ctx;
	char line[64];

	if (fw->o->dump_dir != NULL || *fw->broken_pipe)
		return;
	datapoint_mark_format(line, sizeof(line), before_ms);
	if (fputs(line, stdout) == EOF) {
		if (errno == EPIPE)
			*fw->broken_pipe = 1;
		else
			fatal_set(fw->f, "stdout: write error: %s",
			    strerror(errno));
		return;
	}
	flush_stdout(fw);
}

/* --follow LAG (follow.c) wired to the dump, discovery and the clock. */
static void
follow(const struct dump_opts *o, const struct discover_config *dc,
    struct http *http, const char *base, const char *shown,
    struct strvec *names, struct dump_counters *c, struct fatal *f,
    int *broken_pipe, struct progress *pr, int64_t *done_ms)
{
	struct follower fw = { o, dc, http, base, shown, c, f, broken_pipe,
	    pr, { 0 } };
	struct follow_config cfg = { o->start_ms, follow_frame_ms(o),
	    o->follow_ms };
	struct follow_ops ops = { follow_wall, follow_mono, follow_wait,
	    follow_dump, follow_discover, follow_stopped, follow_found,
	    follow_mark, &fw };

	/* series lists are asked again as often as metrics are looked for */
	dump_memory_init(&fw.mem, frames_rediscover_ms(cfg.frame_ms));
	follow_run(&cfg, &ops, names, done_ms);
	dump_memory_free(&fw.mem);
}

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
static void
plan(const struct dump_opts *o, struct http *http, const char *base,
    const char *shown, const struct strvec *names, struct dump_counters *c,
    struct fatal *f)
{
	struct dump_config cfg;
	struct plan_counts n;
	char frames[200], data[64] = "no data query";

	memset(&n, 0, sizeof(n));
	fill_config(o, base, shown, &cfg);
	dump_plan(&cfg, http, names->v, names->n, (size_t)o->plan_sample,
	    stdout, &n, f);
	c->requests += n.requests;
	c->retries += n.retries;
	if (f->set || cli_stop_signal)
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

/* Prints the selected names, one a line. */
static void
list_metrics(const struct strvec *names, int *broken_pipe)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (printf("%s\n", names->v[i]) < 0) {
			*broken_pipe = errno == EPIPE;
			break;
		}
}

/* Dumps the selected metrics into the output the options name. */
static void
dump(const struct dump_opts *o, struct http *http, const char *base,
    const char *shown, const struct strvec *names, struct dump_counters *c,
    struct fatal *f, int *broken_pipe, struct progress *pr,
    struct dump_memory *mem)
{
	struct dump_config cfg;
	struct dump_events ev;
	struct output *out;
	struct error err;
	FILE *stream = stdout;
	enum output_status st;

	if (o->output && (stream = fopen(o->output, "w")) == NULL) {
		fatal_set(f, "%s: %s", o->output, strerror(errno));
		return;
	}
	out = output_new(stream, o->output ? o->output : "stdout",
	    o->dump_dir, o->remove_metadata, &dump_notes, &err);
	if (out == NULL)
		fatal_set(f, "%s", err.msg);
	fill_config(o, base, shown, &cfg);
	cfg.out = out;
	cfg.memory = mem;
	memset(&ev, 0, sizeof(ev));
	ev.notes = dump_notes;
	ev.tick = on_tick;
	ev.ctx = pr;
	if (out != NULL)
		dump_run(&cfg, &ev, http, names->v, names->n, c, f,
		    broken_pipe);
	st = output_free(out, &err);
	if (st == OUTPUT_BROKEN_PIPE)
		*broken_pipe = 1;
	else if (st != OUTPUT_OK)
		fatal_set(f, "%s", err.msg);
	if (stream != stdout && fclose(stream) != 0)
		fatal_set(f, "%s: write error: %s", o->output,
		    strerror(errno));
}

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	struct dump_opts o;
	struct dump_counters c;
	struct discover_config dc;
	struct fatal f = { 0, { "" } };
	struct strvec names;
	struct http *http;
	struct progress pr = { 0 };
	char *base, *shown;
	int status, broken_pipe = 0, found;
	int64_t followed = -1;

	dumpopts_parse(argc, argv, prog, &o);
	/* in dump | restore on one terminal, the restore's line shows */
	o.c.progress_yields_to_pipe = 1;
	o.c.finish_writes = 1;
	if (cli_start(prog, &o.c) < 0)
		return EXIT_FATAL;
	memset(&c, 0, sizeof(c));
	c.start_ms = clock_mono_ms();
	base = url_base(o.endpoint);
	shown = url_mask(base);
	http = cli_http_new("otsdb-dump/" PACKAGE_VERSION, &o.c,
	    (size_t)o.max_response, otsdb_query_retryable, shown);
	if (http == NULL)
		return EXIT_FATAL;
	progress_start(&pr, o.c.stats_file, http,
	    o.c.max_rate > 0 || o.c.limit_rate > 0);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	memset(&dc, 0, sizeof(dc));
	dc.base = base;
	dc.shown = shown;
	dc.prefix = o.prefix;
	dc.metrics = o.metrics;
	dc.nmetrics = o.nmetrics;
	dc.metrics_file = o.metrics_file;
	dc.shard = o.shard;
	dc.nshards = o.nshards;
	dc.notes = &dump_notes;
	/* a selection by prefix that is empty ends the run, but for a
	 * cut-over, which waits for its metrics to appear */
	dc.require = o.follow_ms < 0 || o.nmetrics > 0 || o.metrics_file;
	strvec_init(&names);
	found = discover_metrics(&dc, http, &names, &c.requests, &c.retries,
	    &f);
	dc.require = 0; /* --follow's later rounds */
	if (found == 0 && o.follow_ms >= 0 && names.n == 0)
		log_warn("--follow: no metric %s%s%s yet: waiting for one to "
		    "appear (looked for every %lld s; SIGTERM or SIGINT ends "
		    "the wait)", o.prefix && *o.prefix ? "starting with '" :
		    "at all", o.prefix && *o.prefix ? o.prefix : "",
		    o.prefix && *o.prefix ? "'" : "", (long long)
		    frames_rediscover_ms(follow_frame_ms(&o)) / 1000);
	if (found == 0) {
		if (o.list_metrics)
			list_metrics(&names, &broken_pipe);
		else if (o.plan)
			plan(&o, http, base, shown, &names, &c, &f);
		else if (o.follow_ms >= 0)
			follow(&o, &dc, http, base, shown, &names, &c, &f,
			    &broken_pipe, &pr, &followed);
		else
			dump(&o, http, base, shown, &names, &c, &f,
			    &broken_pipe, &pr, NULL);
	}
	if (!broken_pipe && fflush(stdout) != 0) {
		if (errno == EPIPE)
			broken_pipe = 1;
		else
			fatal_set(&f, "stdout: write error: %s",
			    strerror(errno));
	}
	if (f.set && !broken_pipe && f.err.msg[0] != '\0')
		log_error("%s", f.err.msg);
	if (!o.list_metrics && !o.plan && !broken_pipe && found != -2) {
		summary_dump(&c, f.set || cli_stop_signal, f.set, &pr);
		if ((f.set || cli_stop_signal) && o.follow_ms < 0)
			log_warn("to resume: run the same command again; %s",
			    o.dump_dir ? "each metric goes on after the last "
			    "frame it completed" : "it dumps from TIME_START "
			    "again (with --dump-dir DIR a rerun goes on where "
			    "it stopped)");
	}
	if (followed >= 0 && !broken_pipe) {
		char when[64];

		timeparse_format(followed, when, sizeof(when));
		if (o.dump_dir)
			log_error("followed: the dump directory is complete "
			    "before %lld (%s)", (long long)followed, when);
		else
			log_error("followed: written to stdout before %lld "
			    "(%s): every point before it left this tool, "
			    "which says nothing of what a reader stored; "
			    "otsdb-restore reading the stream says what the "
			    "target holds (\"stored everything before\"): "
			    "resume from that instant", (long long)followed,
			    when);
	}
	/* --follow ends normally on a signal, whatever it interrupted */
	status = cli_run_status(broken_pipe, f.set && (o.follow_ms < 0 ||
	    !cli_stop_signal), o.follow_ms < 0 ? cli_stop_signal : 0,
	    c.bad_values > 0);
	if (found == -2 && !cli_stop_signal)
		status = EXIT_NO_METRIC;
	if (!broken_pipe)
		status = exit_status(status, cli_close_stdout(prog, f.set));
	stats_dump(&pr.stats, &c, 1, status);
	http_free(http);
	strvec_free(&names);
	free(o.metrics);
	free(base);
	free(shown);
	cli_finish();
	return status;
}
