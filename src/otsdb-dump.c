/* otsdb-dump.c - main of otsdb-dump: every raw datapoint of a time range
 * options -> metrics (discover.c) -> the dump engine (dumprun.c) into
 * stdout, --output or --dump-dir (output.c) -> summary and exit status. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "discover.h"
#include "dumprun.h"
#include "error.h"
#include "exitcode.h"
#include "frames.h"
#include "http.h"
#include "log.h"
#include "otsdb.h"
#include "output.h"
#include "plan.h"
#include "progress.h"
#include "strvec.h"
#include "timeparse.h"
#include "xalloc.h"

struct dump_opts {
	const char *endpoint;
	int64_t start_ms;
	int64_t stop_ms;
	int64_t frame_ms;
	const char *prefix;
	char **metrics;         /* --metric names */
	size_t nmetrics;
	const char *metrics_file;
	const char *output;
	const char *dump_dir;
	int remove_metadata;
	struct cli_common c;     /* shared HTTP and output options */
	int list_metrics;
	int plan;               /* --plan */
	long follow_ms;         /* --follow LAG, -1: off */
	unsigned shard;         /* --shard I/N: this is shard I of N */
	unsigned nshards;       /* 0 = no sharding */
	int seed_defaults;      /* invoked as kilda-otsdb-dump */
	uint64_t max_response;  /* --max-response-size */
	uint64_t max_series;    /* --max-series-per-query, 0 = no limit */
};

static const struct cli_help_row help_rows[] = {
	{ 'c', "concurrent", "N", "queries on the wire at once; one waiting "
	  "for a retry does not count (default 1)" },
	{ 0, "cacert", "FILE", "CA certificates to verify the server with" },
	{ 0, "dump-dir", "DIR", "write METRIC.ndjson files and resume "
	  "metadata into DIR instead of stdout" },
	{ 'h', "help", NULL, "print this help and exit" },
	{ 0, "follow", "LAG", "keep dumping, each frame once its end is LAG "
	  "seconds old, until SIGTERM or SIGINT" },
	{ 0, "idle-timeout", "SECONDS", "abandon and retry a query that gets "
	  "no byte for this long (default 60, 0 = off)" },
	{ 'k', "insecure", NULL, "do not verify the server's TLS certificate" },
	{ 0, "list-metrics", NULL, "print the selected metric names, one a "
	  "line, and exit" },
	{ 0, "limit-rate", "BYTES", "at most BYTES a second over the wire, all "
	  "queries together (k, M, G: powers of 1024)" },
	{ 0, "max-rate", "N", "at most N queries a second, evenly spaced, "
	  "retries included" },
	{ 0, "max-response-size", "BYTES", "longest answer read; a longer one "
	  "is split (default 16M)" },
	{ 0, "max-series-per-query", "N", "read a metric with more series in "
	  "groups of TSUIDs (default 10000, 0 = never)" },
	{ 0, "metric", "NAME", "dump this metric (repeatable)" },
	{ 'm', "metrics-prefix", "PREFIX", "dump every metric whose name "
	  "starts with PREFIX (default: every metric)" },
	{ 0, "metrics-file", "FILE", "dump the metrics named in FILE, one a "
	  "line (- = stdin)" },
	{ 0, "netrc", NULL, "take credentials from ~/.netrc" },
	{ 'o', "output", "FILE", "write to FILE instead of stdout" },
	{ 0, "plan", NULL, "print the metrics, series, frames and queries a "
	  "dump would take, and exit, without a data query" },
	{ 0, "progress", NULL, "show progress on stderr even when it is not a "
	  "terminal" },
	{ 'q', "quiet", NULL, "print errors only" },
	{ 0, "query-frame-size", "SECONDS", "time span of one query "
	  "(default 180)" },
	{ 0, "remove-metadata", NULL, "with --dump-dir, delete "
	  "METRIC.dmeta.json once METRIC is complete" },
	{ 0, "retries", "N", "retries of a failed query (default 5)" },
	{ 0, "retry-time", "SECONDS", "go on retrying a failed query for at "
	  "least this long (default 120)" },
	{ 0, "shard", "I/N", "dump only shard I (0 to N-1) of N: the metrics "
	  "whose name hashes to I" },
	{ 'e', "time-stop", "TIME", "end of the range, excluded (default now)" },
	{ 0, "stats-file", "FILE", "write the run's counters to FILE every "
	  "5 s and at the end (Prometheus text format)" },
	{ 0, "timeout", "SECONDS", "time limit of one query (default 120)" },
	{ 'u', "user", "USER:PASS", "HTTP basic authentication" },
	{ 'v', "verbose", NULL, "report retries and frame splits" },
	{ 'V', "version", NULL, "print the version and exit" },
	{ 0, NULL, NULL, NULL }
};

enum {
	OPT_DUMP_DIR = CLI_OPT_TOOL,
	OPT_FOLLOW,
	OPT_LIST_METRICS,
	OPT_MAX_RESPONSE,
	OPT_MAX_SERIES,
	OPT_METRIC,
	OPT_PLAN,
	OPT_METRICS_FILE,
	OPT_FRAME,
	OPT_REMOVE_METADATA,
	OPT_SHARD,
};

static const struct option long_options[] = {
	{ "cacert", required_argument, NULL, CLI_OPT_CACERT },
	{ "concurrent", required_argument, NULL, 'c' },
	{ "dump-dir", required_argument, NULL, OPT_DUMP_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "follow", required_argument, NULL, OPT_FOLLOW },
	{ "idle-timeout", required_argument, NULL, CLI_OPT_IDLE_TIMEOUT },
	{ "insecure", no_argument, NULL, 'k' },
	{ "list-metrics", no_argument, NULL, OPT_LIST_METRICS },
	{ "plan", no_argument, NULL, OPT_PLAN },
	{ "limit-rate", required_argument, NULL, CLI_OPT_LIMIT_RATE },
	{ "max-rate", required_argument, NULL, CLI_OPT_MAX_RATE },
	{ "max-response-size", required_argument, NULL, OPT_MAX_RESPONSE },
	{ "max-series-per-query", required_argument, NULL, OPT_MAX_SERIES },
	{ "metric", required_argument, NULL, OPT_METRIC },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "metrics-prefix", required_argument, NULL, 'm' },
	{ "netrc", no_argument, NULL, CLI_OPT_NETRC },
	{ "output", required_argument, NULL, 'o' },
	{ "progress", no_argument, NULL, CLI_OPT_PROGRESS },
	{ "query-frame-size", required_argument, NULL, OPT_FRAME },
	{ "quiet", no_argument, NULL, 'q' },
	{ "remove-metadata", no_argument, NULL, OPT_REMOVE_METADATA },
	{ "retries", required_argument, NULL, CLI_OPT_RETRIES },
	{ "retry-time", required_argument, NULL, CLI_OPT_RETRY_TIME },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "time-stop", required_argument, NULL, 'e' },
	{ "stats-file", required_argument, NULL, CLI_OPT_STATS_FILE },
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	cli_help(f, "otsdb-dump [OPTIONS] OPENTSDB_ENDPOINT TIME_START",
	    "Write every raw datapoint of the selected metrics whose time lies\n"
	    "in [TIME_START, TIME_STOP) to stdout as otsdb NDJSON (see\n"
	    "otsdb-ndjson(5)).\n"
	    "\n"
	    "TIME: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.mmm] or\n"
	    "'YYYY-MM-DD HH:MM:SS[.mmm]' (local time; a trailing Z or +HH:MM\n"
	    "makes it absolute), epoch seconds, epoch milliseconds, or now.\n"
	    "\n"
	    "Exit status: 0 complete (with --follow: also when stopped by\n"
	    "SIGTERM or SIGINT), 1 complete but some values could not be\n"
	    "dumped, 2 usage error, 3 fatal error.",
	    help_rows);
}

static void
parse_options(int argc, char **argv, const char *prog, struct dump_opts *o)
{
	const char *stop_text = NULL;
	int64_t now = clock_wall_ms();
	long ms;
	int c;

	memset(o, 0, sizeof(*o));
	o->follow_ms = -1;
	o->frame_ms = 180000;
	o->max_response = (uint64_t)16 << 20;
	o->max_series = 10000;
	cli_common_init(&o->c, 120000);
	while ((c = getopt_long(argc, argv, "c:e:hkm:o:qu:vV", long_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_DUMP_DIR:
			o->dump_dir = optarg;
			break;
		case 'e':
			stop_text = optarg;
			break;
		case OPT_FOLLOW:
			if (cli_parse_seconds(optarg, 0, &ms) < 0)
				cli_usage_error(prog, "invalid --follow '%s' "
				    "(seconds)", optarg);
			o->follow_ms = ms;
			break;
		case 'h':
			usage(stdout);
			exit(cli_close_stdout(prog, 0));
		case OPT_LIST_METRICS:
			o->list_metrics = 1;
			break;
		case OPT_PLAN:
			o->plan = 1;
			break;
		case OPT_MAX_RESPONSE:
			if (cli_parse_size(optarg, 4096, (uint64_t)1 << 32,
			    &o->max_response) < 0)
				cli_usage_error(prog, "invalid --max-response-size "
				    "'%s' (4K to 4G)", optarg);
			break;
		case OPT_MAX_SERIES:
			if (cli_parse_size(optarg, 0, 100000000,
			    &o->max_series) < 0)
				cli_usage_error(prog, "invalid "
				    "--max-series-per-query '%s'", optarg);
			break;
		case OPT_METRIC:
			if (*optarg == '\0')
				cli_usage_error(prog, "empty --metric");
			o->metrics = xreallocarray(o->metrics, o->nmetrics + 1,
			    sizeof(*o->metrics));
			o->metrics[o->nmetrics++] = optarg;
			break;
		case OPT_METRICS_FILE:
			o->metrics_file = optarg;
			break;
		case 'm':
			o->prefix = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_FRAME:
			if (cli_parse_seconds(optarg, 1000, &ms) < 0)
				cli_usage_error(prog, "invalid --query-frame-size "
				    "'%s' (seconds, at least 1)", optarg);
			o->frame_ms = ms;
			break;
		case OPT_REMOVE_METADATA:
			o->remove_metadata = 1;
			break;
		case OPT_SHARD:
			if (cli_parse_shard(optarg, &o->shard, &o->nshards) < 0)
				cli_usage_error(prog, "invalid --shard '%s' (I/N "
				    "with 0 <= I < N)", optarg);
			break;
		default:
			if (!cli_common_option(prog, c, optarg, &o->c))
				cli_usage_error(prog, "unknown or incomplete "
				    "option '%s'", argv[optind - 1]);
		}
	}
	o->endpoint = cli_common_endpoint(prog, argc, argv, &o->c);
	if (optind >= argc && !o->list_metrics)
		cli_usage_error(prog, "missing TIME_START");
	if (optind < argc) {
		if (timeparse(argv[optind], now, &o->start_ms) < 0)
			cli_usage_error(prog, "invalid TIME_START '%s'",
			    argv[optind]);
		optind++;
	}
	if (optind < argc)
		cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (o->follow_ms >= 0 && (stop_text || o->list_metrics || o->plan ||
	    o->output))
		cli_usage_error(prog, "--follow runs until stopped: it cannot "
		    "be combined with --time-stop, --list-metrics, --plan or "
		    "--output (write to stdout or --dump-dir)");
	if (stop_text == NULL)
		stop_text = "now";
	if (timeparse(stop_text, now, &o->stop_ms) < 0)
		cli_usage_error(prog, "invalid --time-stop '%s'", stop_text);
	if (o->follow_ms >= 0)
		o->stop_ms = INT64_MAX; /* checked round by round */
	if (!o->list_metrics && o->follow_ms < 0 && o->stop_ms <= o->start_ms)
		cli_usage_error(prog, "TIME_STOP '%s' is not after TIME_START "
		    "'%s'", stop_text, argv[optind - 1]);
	/* the old tool's name keeps its defaults: --dump-dir . and
	 * --metrics-prefix kilda. */
	if (o->plan && (o->list_metrics || o->output || o->dump_dir))
		cli_usage_error(prog, "--plan writes its table to stdout: it "
		    "cannot be combined with --list-metrics, --output or "
		    "--dump-dir");
	if (strncmp(prog, "kilda-", 6) == 0) {
		o->seed_defaults = 1;
		if (!o->dump_dir && !o->output && !o->list_metrics && !o->plan)
			o->dump_dir = ".";
		if (!o->prefix && !o->nmetrics && !o->metrics_file)
			o->prefix = "kilda.";
	}
	if (o->output && o->dump_dir)
		cli_usage_error(prog, "--output and --dump-dir cannot be "
		    "combined");
	if (o->remove_metadata && !o->dump_dir)
		cli_usage_error(prog, "--remove-metadata needs --dump-dir");
	if (o->prefix && (o->nmetrics || o->metrics_file))
		cli_usage_error(prog, "--metrics-prefix cannot be combined with "
		    "--metric or --metrics-file");
}


static void
on_progress(void *ctx, const struct dump_counters *c)
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
    struct progress *pr);

/* While following, waits are in steps of 0.2 s. */
#define FOLLOW_STEP_MS 200

/* One round of --follow: names[from..) from `lo` (a --dump-dir dump
 * starts at TIME_START and resumes each metric where it stopped) up to
 * stop.  0 when the round ran to its end. */
static int
follow_round(const struct dump_opts *o, struct http *http, const char *base,
    const char *shown, const struct strvec *names, size_t from, int64_t lo,
    int64_t stop, struct dump_counters *c, struct fatal *f,
    int *broken_pipe, struct progress *pr)
{
	struct dump_opts r = *o;
	struct strvec part;

	if (stop <= lo || from >= names->n)
		return 0;
	/* a view of names[from..), not a copy: dump() only reads it */
	part.v = names->v + from;
	part.n = names->n - from;
	part.cap = 0;
	r.start_ms = o->dump_dir ? o->start_ms : lo;
	r.stop_ms = stop;
	dump(&r, http, base, shown, &part, c, f, broken_pipe, pr);
	return f->set || *broken_pipe || cli_stop_signal ? -1 : 0;
}

/* --follow LAG: rounds of frames as they become LAG old, new metrics
 * from TIME_START, until a signal; *done_ms: the output is complete
 * before it for every metric. */
static void
follow(const struct dump_opts *o, const struct discover_config *dc,
    struct http *http, const char *base, const char *shown,
    struct strvec *names, struct dump_counters *c, struct fatal *f,
    int *broken_pipe, struct progress *pr, int64_t *done_ms)
{
	int64_t done = o->start_ms, stop, looked = clock_mono_ms();
	size_t known = names->n, sorted = names->n;

	*done_ms = done;
	while (!f->set && !*broken_pipe && !cli_stop_signal) {
		stop = frames_complete_before(o->start_ms, o->frame_ms,
		    clock_wall_ms() - o->follow_ms);
		if (stop > done) {
			/* the metrics known, then any found since, from the
			 * start: each is a gap-free prefix of time */
			if (follow_round(o, http, base, shown, names, 0, done,
			    stop, c, f, broken_pipe, pr) < 0)
				break;
			done = stop;
			*done_ms = done;
			if (fflush(stdout) != 0)
				break;
			continue;
		}
		if (clock_mono_ms() - looked >=
		    frames_rediscover_ms(o->frame_ms)) {
			struct strvec found;
			size_t i;

			looked = clock_mono_ms();
			strvec_init(&found);
			if (discover_metrics(dc, http, &found, &c->requests,
			    &c->retries, f) < 0) {
				strvec_free(&found);
				break;
			}
			for (i = 0; i < found.n; i++)
				if (!strvec_has(names, sorted, found.v[i]))
					strvec_add(names, found.v[i],
					    strlen(found.v[i]));
			strvec_free(&found);
			if (names->n > known) {
				log_verbose("--follow: %zu new metrics",
				    names->n - known);
				if (follow_round(o, http, base, shown, names,
				    known, o->start_ms, done, c, f,
				    broken_pipe, pr) < 0)
					break;
				known = names->n;
			}
			continue;
		}
		on_progress(pr, c);
		usleep(FOLLOW_STEP_MS * 1000);
	}
}

/* --plan: the table on stdout, the totals on stderr. */
static void
plan(const struct dump_opts *o, struct http *http, const char *base,
    const char *shown, const struct strvec *names, struct dump_counters *c,
    struct fatal *f)
{
	struct dump_config cfg;
	struct plan_counts n;

	memset(&n, 0, sizeof(n));
	fill_config(o, base, shown, &cfg);
	dump_plan(&cfg, http, names->v, names->n, stdout, &n, f);
	c->requests += n.requests;
	c->retries += n.retries;
	if (!f->set && !cli_stop_signal)
		log_warn("plan: %llu metrics (%llu read by groups of series), "
		    "%llu series, %llu frames, %llu queries without splits; "
		    "%llu requests, no data query", (unsigned long long)n.metrics,
		    (unsigned long long)n.by_series,
		    (unsigned long long)n.series, (unsigned long long)n.frames,
		    (unsigned long long)n.queries,
		    (unsigned long long)c->requests);
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
    struct fatal *f, int *broken_pipe, struct progress *pr)
{
	static const struct notes notes = { log_note_fn, NULL };
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
	    o->dump_dir, o->remove_metadata, &notes, &err);
	if (out == NULL)
		fatal_set(f, "%s", err.msg);
	if (names->n == 0 && out != NULL)
		log_warn("no metric selected");
	fill_config(o, base, shown, &cfg);
	cfg.out = out;
	memset(&ev, 0, sizeof(ev));
	ev.notes = notes;
	ev.progress = on_progress;
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
	int status, broken_pipe = 0;
	int64_t followed = -1;

	parse_options(argc, argv, prog, &o);
	if (cli_start(prog, &o.c) < 0)
		return EXIT_FATAL;
	memset(&c, 0, sizeof(c));
	c.start_ms = clock_mono_ms();
	base = cli_base_url(o.endpoint);
	shown = cli_mask_url(base);
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
	strvec_init(&names);
	if (discover_metrics(&dc, http, &names, &c.requests, &c.retries,
	    &f) == 0) {
		if (o.list_metrics)
			list_metrics(&names, &broken_pipe);
		else if (o.plan)
			plan(&o, http, base, shown, &names, &c, &f);
		else if (o.follow_ms >= 0)
			follow(&o, &dc, http, base, shown, &names, &c, &f,
			    &broken_pipe, &pr, &followed);
		else
			dump(&o, http, base, shown, &names, &c, &f,
			    &broken_pipe, &pr);
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
	if (!o.list_metrics && !o.plan && !broken_pipe)
		summary_dump(&c, f.set || cli_stop_signal, f.set, &pr);
	if (followed >= 0 && !broken_pipe) {
		char when[64];

		timeparse_format(followed, when, sizeof(when));
		log_error("followed: the output is complete before %lld (%s)%s",
		    (long long)followed, when, o.dump_dir ? "" : "; a rerun "
		    "from there may repeat points of the last round, which "
		    "a put stores once");
	}
	if (broken_pipe)
		status = EXIT_BROKEN_PIPE;
	else if (f.set)
		status = EXIT_FATAL;
	else if (cli_stop_signal && o.follow_ms < 0)
		status = 128 + cli_stop_signal;
	else if (c.bad_values > 0)
		status = EXIT_PARTIAL;
	else
		status = EXIT_OK;
	if (!broken_pipe)
		status = exit_status(status, cli_close_stdout(prog, f.set));
	stats_dump(&pr, &c, 1, status);
	http_free(http);
	strvec_free(&names);
	free(o.metrics);
	free(base);
	free(shown);
	cli_finish();
	return status;
}
