/* dumpopts.c - otsdb-dump's command line: the option table, --help, and
 * the checks of ranges and combinations before any work starts */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "dumpopts.h"
#include "timeparse.h"
#include "xalloc.h"


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
	{ 'o', "output", "FILE", "write to FILE instead of stdout (- is stdout)" },
	{ 0, "plan", NULL, "print the metrics, series, frames and queries a "
	  "dump would take, and an estimate from a sample, and exit" },
	{ 0, "plan-sample", "N", "--plan samples 3 hours of the N metrics of "
	  "most series (default 5, 0 = no data query)" },
	{ 0, "progress", NULL, "show progress on stderr even when it is not a "
	  "terminal" },
	{ 'q', "quiet", NULL, "print errors only" },
	{ 0, "query-frame-size", "SECONDS", "fixed frames of SECONDS a query; "
	  "default auto: frames on whole hours, sized by the answers" },
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
	OPT_PLAN_SAMPLE,
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
	{ "plan-sample", required_argument, NULL, OPT_PLAN_SAMPLE },
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
usage(FILE *f, const char *prog)
{
	cli_help(f, prog, "[OPTIONS] OPENTSDB_ENDPOINT TIME_START",
	    "Write every raw datapoint of the selected metrics whose time lies\n"
	    "in [TIME_START, TIME_STOP) to stdout as otsdb NDJSON (see\n"
	    "otsdb-ndjson(5)).\n"
	    "\n"
	    "TIME: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.mmm]] or\n"
	    "'YYYY-MM-DD HH:MM[:SS[.mmm]]' (local time; a trailing Z, or an\n"
	    "offset +HH:MM, +HHMM or +HH, makes it absolute), epoch seconds,\n"
	    "epoch milliseconds, or now.\n"
	    "\n"
	    "Exit status: 0 complete (with --follow: also when stopped by\n"
	    "SIGTERM or SIGINT), 1 complete but some values could not be\n"
	    "dumped, 2 usage error, 3 fatal error, 4 no metric selected (or\n"
	    "a metric named does not exist).",
	    "Called kilda-otsdb-dump, the old tool's defaults hold:\n"
	    "--dump-dir . (unless -o, --list-metrics or --plan) and\n"
	    "-m kilda. (unless --metric or --metrics-file); called\n"
	    "otsdb-dump, it writes to stdout and takes every metric.",
	    help_rows);
}

void
dumpopts_parse(int argc, char **argv, const char *prog, struct dump_opts *o)
{
	const char *stop_text = NULL;
	int sample_given = 0;
	int64_t now = clock_wall_ms();
	long ms;
	int c;

	memset(o, 0, sizeof(*o));
	o->follow_ms = -1;
	o->frame_ms = 0;        /* auto */
	o->max_response = (uint64_t)16 << 20;
	o->max_series = 10000;
	o->plan_sample = 5;
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
			usage(stdout, prog);
			exit(cli_close_stdout(prog, 0));
		case OPT_LIST_METRICS:
			o->list_metrics = 1;
			break;
		case OPT_PLAN:
			o->plan = 1;
			break;
		case OPT_PLAN_SAMPLE:
			if (cli_parse_size(optarg, 0, 1000000,
			    &o->plan_sample) < 0)
				cli_usage_error(prog, "invalid --plan-sample "
				    "'%s' (a number of metrics)", optarg);
			sample_given = 1;
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
			/* "-" is standard output, as everywhere */
			o->output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			o->to_stdout = o->output == NULL;
			break;
		case OPT_FRAME:
			if (strcmp(optarg, "auto") == 0)
				ms = 0;
			else if (cli_parse_seconds(optarg, 1000, &ms) < 0)
				cli_usage_error(prog, "invalid --query-frame-size "
				    "'%s' (auto, or seconds, at least 1)", optarg);
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
			cli_usage_error(prog, "invalid TIME_START '%s': "
			    "give " TIMEPARSE_FORMS, argv[optind]);
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
		cli_usage_error(prog, "invalid --time-stop '%s': give "
		    TIMEPARSE_FORMS, stop_text);
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
	if (sample_given && !o->plan)
		cli_usage_error(prog, "--plan-sample needs --plan");
	if (strncmp(prog, "kilda-", 6) == 0) {
		o->seed_defaults = 1;
		if (!o->dump_dir && !o->output && !o->to_stdout &&
		    !o->list_metrics && !o->plan)
			o->dump_dir = ".";
		if (!o->prefix && !o->nmetrics && !o->metrics_file)
			o->prefix = "kilda.";
	}
	if ((o->output || o->to_stdout) && o->dump_dir)
		cli_usage_error(prog, "--output and --dump-dir cannot be "
		    "combined");
	/* the metadata is what --follow resumes each round from */
	if (o->remove_metadata && o->follow_ms >= 0)
		cli_usage_error(prog, "--follow keeps each metric's metadata to "
		    "resume from: it cannot be combined with --remove-metadata");
	if (o->remove_metadata && !o->dump_dir)
		cli_usage_error(prog, "--remove-metadata needs --dump-dir");
	if (o->prefix && (o->nmetrics || o->metrics_file))
		cli_usage_error(prog, "--metrics-prefix cannot be combined with "
		    "--metric or --metrics-file");
}

