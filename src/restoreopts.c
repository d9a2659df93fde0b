/* restoreopts.c - otsdb-restore's command line: the option table,
 * --help, and the checks of ranges and combinations before any work */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "restoreopts.h"
#include "url.h"


static const struct cli_help_row help_rows[] = {
	{ 0, "allow-dedup", NULL, "restore into a VictoriaMetrics that "
	  "merges points (-dedup.minScrapeInterval over 1ms)" },
	{ 'c', "concurrent", "N", "requests in flight at once (default 1)" },
	{ 0, "cacert", "FILE", "CA certificates to verify the server with" },
	{ 0, "check", NULL, "write nothing: read every point back from the "
	  "target (OpenTSDB or VictoriaMetrics) and compare" },
	{ 0, "compress", NULL, "gzip request bodies; the size cap then counts "
	  "the compressed bytes" },
	{ 0, "dump-dir", "DIR", "read every *.ndjson file in DIR, in name "
	  "order, and resume with FILE.rmeta.json" },
	{ 'n', "dry-run", NULL, "read, validate and batch, but send nothing" },
	{ 0, "flush-after", "SECONDS", "send what was read once its first "
	  "point has waited this long (default 1; 0: only full requests)" },
	{ 'h', "help", NULL, "print this help and exit" },
	{ 0, "idle-timeout", "SECONDS", "abandon and retry a request that gets "
	  "no byte for this long (default 60, 0 = off)" },
	{ 'k', "insecure", NULL, "do not verify the server's TLS certificate" },
	{ 0, "limit-rate", "BYTES", "at most BYTES a second over the wire, all "
	  "requests together (k, M, G: powers of 1024)" },
	{ 0, "max-line-length", "BYTES", "longest input line accepted "
	  "(default 1M)" },
	{ 0, "max-rate", "N", "at most N requests a second, evenly spaced, "
	  "retries included" },
	{ 0, "max-points", "N", "at most N datapoints a request (default: no "
	  "limit)" },
	{ 0, "mismatches", "FILE", "with --check, write the missing and "
	  "different points to FILE as NDJSON (- for stdout)" },
	{ 0, "netrc", NULL, "take credentials from ~/.netrc" },
	{ 0, "progress", NULL, "show progress on stderr even when it is not a "
	  "terminal" },
	{ 'q', "quiet", NULL, "print errors only" },
	{ 0, "reject-file", "FILE", "write rejected lines and points to FILE "
	  "as NDJSON" },
	{ 0, "remove-metadata", NULL, "with --dump-dir, delete FILE.rmeta.json "
	  "once FILE is done" },
	{ 's', "request-size-limit", "BYTES", "hard cap on a request body "
	  "(default: what OpenTSDB's /api/config allows, else 4096; 1M into "
	  "VictoriaMetrics' import)" },
	{ 0, "stats-file", "FILE", "write the run's counters to FILE every "
	  "5 s and at the end (Prometheus text format)" },
	{ 0, "sync", NULL, "ask OpenTSDB to answer only once the points are "
	  "written, and check every answer" },
	{ 0, "sync-timeout", "MS", "with --sync, how long OpenTSDB may wait "
	  "for the writes (default: no limit)" },
	{ 0, "retries", "N", "retries of a failed request (default 5)" },
	{ 0, "retry-time", "SECONDS", "go on retrying a failed request for at "
	  "least this long (default 120)" },
	{ 0, "target-api", "URL", "the HTTP API of the VictoriaMetrics whose "
	  "OpenTSDB listener is the target: its settings and drop counters" },
	{ 0, "target-type", "TYPE", "the target is 'opentsdb' (/api/put) or "
	  "'victoriametrics' (/api/v1/import) (default: ask it)" },
	{ 0, "timeout", "SECONDS", "time limit of one request (default 30)" },
	{ 'u', "user", "USER:PASS", "HTTP basic authentication" },
	{ 'v', "verbose", NULL, "report every retry and refused point" },
	{ 'V', "version", NULL, "print the version and exit" },
	{ 0, NULL, NULL, NULL }
};

enum {
	OPT_CHECK = CLI_OPT_TOOL,
	OPT_COMPRESS,
	OPT_MISMATCHES,
	OPT_TARGET_TYPE,
	OPT_TARGET_API,
	OPT_ALLOW_DEDUP,
	OPT_DUMP_DIR,
	OPT_MAX_LINE,
	OPT_MAX_POINTS,
	OPT_REJECT_FILE,
	OPT_REMOVE_METADATA,
	OPT_SYNC,
	OPT_SYNC_TIMEOUT,
	OPT_FLUSH_AFTER,
};

static const struct option long_options[] = {
	{ "allow-dedup", no_argument, NULL, OPT_ALLOW_DEDUP },
	{ "cacert", required_argument, NULL, CLI_OPT_CACERT },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "concurrent", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "compress", no_argument, NULL, OPT_COMPRESS },
	{ "dump-dir", required_argument, NULL, OPT_DUMP_DIR },
	{ "flush-after", required_argument, NULL, OPT_FLUSH_AFTER },
	{ "help", no_argument, NULL, 'h' },
	{ "idle-timeout", required_argument, NULL, CLI_OPT_IDLE_TIMEOUT },
	{ "insecure", no_argument, NULL, 'k' },
	{ "limit-rate", required_argument, NULL, CLI_OPT_LIMIT_RATE },
	{ "max-line-length", required_argument, NULL, OPT_MAX_LINE },
	{ "max-rate", required_argument, NULL, CLI_OPT_MAX_RATE },
	{ "max-points", required_argument, NULL, OPT_MAX_POINTS },
	{ "mismatches", required_argument, NULL, OPT_MISMATCHES },
	{ "netrc", no_argument, NULL, CLI_OPT_NETRC },
	{ "progress", no_argument, NULL, CLI_OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "reject-file", required_argument, NULL, OPT_REJECT_FILE },
	{ "remove-metadata", no_argument, NULL, OPT_REMOVE_METADATA },
	{ "request-size-limit", required_argument, NULL, 's' },
	{ "retries", required_argument, NULL, CLI_OPT_RETRIES },
	{ "retry-time", required_argument, NULL, CLI_OPT_RETRY_TIME },
	{ "stats-file", required_argument, NULL, CLI_OPT_STATS_FILE },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "sync-timeout", required_argument, NULL, OPT_SYNC_TIMEOUT },
	{ "target-api", required_argument, NULL, OPT_TARGET_API },
	{ "target-type", required_argument, NULL, OPT_TARGET_TYPE },
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f, const char *prog)
{
	cli_help(f, prog, "[OPTIONS] OPENTSDB_ENDPOINT [FILE...]",
	    "Read otsdb NDJSON datapoints (see otsdb-ndjson(5)) from the FILEs,\n"
	    "from standard input when there are none or a FILE is -, or from\n"
	    "--dump-dir, and store them with size-capped POST requests to\n"
	    "OPENTSDB_ENDPOINT/api/put, or to /api/v1/import when it is\n"
	    "VictoriaMetrics' HTTP API.  With --check, write nothing: read\n"
	    "the points back from the target (OpenTSDB or VictoriaMetrics'\n"
	    "HTTP port) and print per metric how many were found, missing\n"
	    "or different.\n"
	    "\n"
	    "Exit status: 0 every datapoint stored (--check: found), 1 some\n"
	    "were rejected (see --reject-file; --check: some missing,\n"
	    "different or held twice), 2 usage error, 3 fatal error.",
	    "Called kilda-otsdb-restore, the old tool's default holds:\n"
	    "--dump-dir . when no FILE is given; called otsdb-restore, it\n"
	    "reads standard input.", help_rows);
}

void
restoreopts_parse(int argc, char **argv, const char *prog,
    struct restore_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->size_limit = 4096;
	o->max_line = 1 << 20;
	o->flush_after_ms = 1000;
	cli_common_init(&o->c, 30000);
	while ((c = getopt_long(argc, argv, "c:hknqs:u:vV", long_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_CHECK:
			o->check = 1;
			break;
		case OPT_MISMATCHES:
			o->mismatches = optarg;
			break;
		case OPT_TARGET_API:
			if (!url_is_http(optarg))
				cli_usage_error(prog, "invalid --target-api '%s' "
				    "(an http:// or https:// URL)", optarg);
			o->target_api = optarg;
			break;
		case OPT_ALLOW_DEDUP:
			o->allow_dedup = 1;
			break;
		case OPT_TARGET_TYPE:
			if (strcmp(optarg, "opentsdb") == 0)
				o->target = TARGET_OPENTSDB;
			else if (strcmp(optarg, "victoriametrics") == 0)
				o->target = TARGET_VM;
			else
				cli_usage_error(prog, "invalid --target-type "
				    "'%s' (opentsdb or victoriametrics)",
				    optarg);
			break;
		case OPT_COMPRESS:
			o->compress = 1;
			break;
		case OPT_DUMP_DIR:
			o->dump_dir = optarg;
			break;
		case OPT_FLUSH_AFTER:
			if (cli_parse_seconds(optarg, 0, &o->flush_after_ms) < 0
			    || o->flush_after_ms > 3600000)
				cli_usage_error(prog, "invalid --flush-after '%s' "
				    "(seconds, 0 to 3600)", optarg);
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'h':
			usage(stdout, prog);
			exit(cli_close_stdout(prog, 0));
		case OPT_MAX_LINE:
			if (cli_parse_size(optarg, 64, (uint64_t)1 << 30,
			    &o->max_line) < 0)
				cli_usage_error(prog, "invalid --max-line-length "
				    "'%s' (64 to 1G)", optarg);
			break;
		case OPT_MAX_POINTS:
			o->batching = 1;
			if (cli_parse_size(optarg, 1, 100000000,
			    &o->max_points) < 0)
				cli_usage_error(prog, "invalid --max-points '%s'",
				    optarg);
			break;
		case OPT_REJECT_FILE:
			o->reject_file = optarg;
			break;
		case OPT_REMOVE_METADATA:
			o->remove_metadata = 1;
			break;
		case OPT_SYNC:
			o->sync = 1;
			break;
		case OPT_SYNC_TIMEOUT: {
			uint64_t ms;

			if (cli_parse_size(optarg, 1, 3600000, &ms) < 0)
				cli_usage_error(prog, "invalid --sync-timeout "
				    "'%s' (milliseconds, 1 to 3600000)", optarg);
			o->sync_timeout_ms = (long)ms;
			break;
		}
		case 's':
			o->batching = 1;
			o->size_given = 1;
			if (cli_parse_size(optarg, 64, (uint64_t)1 << 30,
			    &o->size_limit) < 0)
				cli_usage_error(prog, "invalid "
				    "--request-size-limit '%s' (64 to 1G bytes)",
				    optarg);
			break;
		default:
			if (!cli_common_option(prog, c, optarg, &o->c))
				cli_usage_error(prog, "unknown or incomplete "
				    "option '%s'", argv[optind - 1]);
		}
	}
	/* a dry run sends nothing: its URL may be left out (then the
	 * batches are /api/put's, or --target-type's) */
	if (o->dry_run && (optind >= argc || !url_is_http(argv[optind])))
		o->endpoint = NULL;
	else
		o->endpoint = cli_common_endpoint(prog, argc, argv, &o->c);
	o->files = argv + optind;
	o->nfiles = argc - optind;
	/* the old tool's name keeps its default: --dump-dir . */
	if (strncmp(prog, "kilda-", 6) == 0 && !o->dump_dir && o->nfiles == 0)
		o->dump_dir = ".";
	if (o->dump_dir && o->nfiles > 0)
		cli_usage_error(prog, "--dump-dir and FILE arguments cannot be "
		    "combined");
	if (o->remove_metadata && !o->dump_dir)
		cli_usage_error(prog, "--remove-metadata needs --dump-dir");
	if (o->sync_timeout_ms && !o->sync)
		cli_usage_error(prog, "--sync-timeout needs --sync");
	if (o->mismatches && !o->check)
		cli_usage_error(prog, "--mismatches needs --check");
	if (o->sync && o->target == TARGET_VM)
		cli_usage_error(prog, "--sync is OpenTSDB's: not with "
		    "--target-type victoriametrics");
	if (o->check && (o->target_api || o->allow_dedup))
		cli_usage_error(prog, "%s is for writing: not with --check "
		    "(which reads the HTTP API it is given)", o->target_api ?
		    "--target-api" : "--allow-dedup");
	if (o->check && (o->dry_run || o->sync || o->compress ||
	    o->remove_metadata || o->batching || o->c.stats_file))
		cli_usage_error(prog, "--check writes nothing: it does not "
		    "combine with --dry-run, --sync, --compress, "
		    "--remove-metadata, -s, --max-points or --stats-file");
}
