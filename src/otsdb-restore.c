/* otsdb-restore.c - main of otsdb-restore: otsdb NDJSON into /api/put
 * options -> inputs -> the restore engine (restorerun.c) -> summary and
 * exit status. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "clock.h"
#include "dumpdir.h"
#include "error.h"
#include "exitcode.h"
#include "http.h"
#include "log.h"
#include "otsdb.h"
#include "progress.h"
#include "reject.h"
#include "restorerun.h"
#include "buf.h"
#include "strvec.h"
#include "xalloc.h"

struct restore_opts {
	const char *endpoint;
	char **files;           /* FILE arguments (or NULL: stdin) */
	int nfiles;
	const char *dump_dir;
	uint64_t size_limit;    /* -s: hard cap on a request body */
	uint64_t max_points;    /* --max-points, 0 = no limit */
	uint64_t max_line;      /* --max-line-length */
	const char *reject_file;
	int dry_run;
	int remove_metadata;
	int sync;               /* --sync */
	int compress;           /* --compress */
	long sync_timeout_ms;   /* --sync-timeout */
	int check;              /* --check: compare, do not write */
	enum check_target target; /* --target-type */
	const char *mismatches; /* --mismatches FILE */
	int batching;           /* -s or --max-points given */
	struct cli_common c;     /* shared HTTP and output options */
};

static const struct cli_help_row help_rows[] = {
	{ 'c', "concurrent", "N", "requests in flight at once (default 1)" },
	{ 0, "cacert", "FILE", "CA certificates to verify the server with" },
	{ 0, "check", NULL, "write nothing: read every point back from the "
	  "target (OpenTSDB or VictoriaMetrics) and compare" },
	{ 0, "compress", NULL, "gzip request bodies; the size cap then counts "
	  "the compressed bytes" },
	{ 0, "dump-dir", "DIR", "read every *.ndjson file in DIR, in name "
	  "order, and resume with FILE.rmeta.json" },
	{ 'n', "dry-run", NULL, "read, validate and batch, but send nothing" },
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
	  "(default 4096)" },
	{ 0, "stats-file", "FILE", "write the run's counters to FILE every "
	  "5 s and at the end (Prometheus text format)" },
	{ 0, "sync", NULL, "ask OpenTSDB to answer only once the points are "
	  "written, and check every answer" },
	{ 0, "sync-timeout", "MS", "with --sync, how long OpenTSDB may wait "
	  "for the writes (default: no limit)" },
	{ 0, "retries", "N", "retries of a failed request (default 5)" },
	{ 0, "retry-time", "SECONDS", "go on retrying a failed request for at "
	  "least this long (default 120)" },
	{ 0, "target-type", "TYPE", "with --check, the target is 'opentsdb' "
	  "or 'victoriametrics' (default: ask it)" },
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
	OPT_DUMP_DIR,
	OPT_MAX_LINE,
	OPT_MAX_POINTS,
	OPT_REJECT_FILE,
	OPT_REMOVE_METADATA,
	OPT_SYNC,
	OPT_SYNC_TIMEOUT,
};

static const struct option long_options[] = {
	{ "cacert", required_argument, NULL, CLI_OPT_CACERT },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "concurrent", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "compress", no_argument, NULL, OPT_COMPRESS },
	{ "dump-dir", required_argument, NULL, OPT_DUMP_DIR },
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
	{ "target-type", required_argument, NULL, OPT_TARGET_TYPE },
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	cli_help(f, "otsdb-restore [OPTIONS] OPENTSDB_ENDPOINT [FILE...]",
	    "Read otsdb NDJSON datapoints (see otsdb-ndjson(5)) from the FILEs,\n"
	    "from standard input when there are none or a FILE is -, or from\n"
	    "--dump-dir, and store them with size-capped POST requests to\n"
	    "OPENTSDB_ENDPOINT/api/put.  With --check, write nothing: read\n"
	    "the points back from the target (OpenTSDB or VictoriaMetrics'\n"
	    "HTTP port) and print per metric how many were found, missing\n"
	    "or different.\n"
	    "\n"
	    "Exit status: 0 every datapoint stored (--check: found), 1 some\n"
	    "were rejected (see --reject-file; --check: some missing or\n"
	    "different), 2 usage error, 3 fatal error.",
	    help_rows);
}

static void
parse_options(int argc, char **argv, const char *prog,
    struct restore_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->size_limit = 4096;
	o->max_line = 1 << 20;
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
		case OPT_TARGET_TYPE:
			if (strcmp(optarg, "opentsdb") == 0)
				o->target = CHECK_TARGET_OPENTSDB;
			else if (strcmp(optarg, "victoriametrics") == 0)
				o->target = CHECK_TARGET_VM;
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
		case 'n':
			o->dry_run = 1;
			break;
		case 'h':
			usage(stdout);
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
	if ((o->mismatches || o->target) && !o->check)
		cli_usage_error(prog, "%s needs --check", o->mismatches ?
		    "--mismatches" : "--target-type");
	if (o->check && (o->dry_run || o->sync || o->compress ||
	    o->remove_metadata || o->batching || o->c.stats_file))
		cli_usage_error(prog, "--check writes nothing: it does not "
		    "combine with --dry-run, --sync, --compress, "
		    "--remove-metadata, -s, --max-points or --stats-file");
}

static void
on_progress(void *ctx, const struct restore_counters *c)
{
	progress_restore(ctx, c);
}

/* The inputs: DIR's *.ndjson files with their resume metadata, or the
 * FILE arguments, or stdin. */
static int
list_inputs(const struct restore_opts *o, struct strvec *paths,
    struct strvec *rmetas)
{
	struct error err;
	size_t i;

	if (o->dump_dir == NULL) {
		if (o->nfiles == 0)
			strvec_add(paths, "-", 1);
		for (i = 0; i < (size_t)o->nfiles; i++)
			strvec_add(paths, o->files[i], strlen(o->files[i]));
		return 0;
	}
	if (dumpdir_list(o->dump_dir, paths, &err) < 0) {
		log_error("%s", err.msg);
		return -1;
	}
	if (paths->n == 0)
		log_warn("%s: no *.ndjson files", o->dump_dir);
	for (i = 0; i < paths->n; i++) {
		char *m = dumpdir_rmeta_path(paths->v[i]);

		strvec_add(rmetas, m, strlen(m));
		free(m);
	}
	return 0;
}

static void
on_check_progress(void *ctx, const struct check_counters *c)
{
	progress_check(ctx, c);
}

/* --check: the inputs against what the target holds.  The table goes to
 * stdout, or to stderr when the mismatching points do. */
static int
run_check(const struct restore_opts *o, const char *prog)
{
	struct check_config cfg;
	struct check_events ev;
	struct check_counters c;
	struct check_summary sum;
	struct strvec paths, rmetas;
	struct restore_input *inputs = NULL;
	struct progress pr = { 0 };
	struct fatal f = { 0, { "" } };
	struct error err;
	struct http *http = NULL;
	char *base = cli_base_url(o->endpoint);
	char *shown = cli_mask_url(base);
	char what[96] = "";
	FILE *table = stdout, *mm = NULL;
	int status = EXIT_FATAL, ran = 0;
	int to_stdout = o->mismatches && strcmp(o->mismatches, "-") == 0;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(&cfg, 0, sizeof(cfg));
	c.start_ms = clock_mono_ms();
	progress_start(&pr, NULL, NULL, o->c.max_rate > 0 ||
	    o->c.limit_rate > 0);
	check_summary_init(&sum);
	strvec_init(&paths);
	strvec_init(&rmetas);
	if (list_inputs(o, &paths, &rmetas) < 0)
		goto out;
	if (to_stdout) {
		mm = stdout;
		table = stderr;
	} else if (o->mismatches && (mm = fopen(o->mismatches, "w")) ==
	    NULL) {
		log_error("%s: %s", o->mismatches, strerror(errno));
		goto out;
	}
	if (o->reject_file) {
		cfg.reject = reject_open(o->reject_file, &err);
		if (cfg.reject == NULL) {
			log_error("%s", err.msg);
			goto out;
		}
		log_limit_hint(" (see the reject file)");
	}
	http = cli_http_new("otsdb-restore/" PACKAGE_VERSION, &o->c,
	    CHECK_MAX_ANSWER, otsdb_query_retryable, shown);
	if (http == NULL)
		goto out;
	pr.http = http;
	cfg.target = o->target;
	if (check_detect(http, base, shown, &cfg.target, &cfg.by_tsuid, what,
	    sizeof(what), &err) < 0) {
		log_error("%s", err.msg);
		goto out;
	}
	log_verbose("checking against %s at %s", what, shown);
	/* everything is checked: resume metadata is for writes */
	inputs = xcalloc(paths.n ? paths.n : 1, sizeof(*inputs));
	for (i = 0; i < paths.n; i++)
		inputs[i].path = paths.v[i];
	cfg.base = base;
	cfg.shown_base = shown;
	cfg.max_line = (size_t)o->max_line;
	cfg.mismatches = mm;
	cfg.mismatches_name = to_stdout ? "standard output" : o->mismatches;
	cfg.stop = &cli_stop_signal;
	memset(&ev, 0, sizeof(ev));
	ev.notes.fn = log_note_fn;
	ev.progress = on_check_progress;
	ev.ctx = &pr;
	check_run(&cfg, &ev, http, inputs, paths.n, &c, &sum, &f);
	ran = 1;
	if (mm != NULL && mm != stdout && fclose(mm) != 0 && !f.set)
		fatal_set(&f, "%s: %s", o->mismatches, strerror(errno));
	mm = NULL;
	if (reject_close(cfg.reject, &err) < 0)
		fatal_set(&f, "%s", err.msg);
	cfg.reject = NULL;
	if (f.set)
		log_error("%s", f.err.msg);
	/* a table of a run that did not finish would look like a result */
	if (!f.set && !cli_stop_signal)
		check_summary_write(&sum, table);
	summary_check(&c, what, shown, f.set || cli_stop_signal, f.set, &pr);
	if (f.set)
		status = EXIT_FATAL;
	else if (cli_stop_signal)
		status = 128 + cli_stop_signal;
	else if (c.missing + c.different + c.rejected_lines > 0)
		status = EXIT_PARTIAL;
	else
		status = EXIT_OK;
out:
	if (mm != NULL && mm != stdout)
		fclose(mm);
	reject_close(cfg.reject, &err);
	status = exit_status(status, cli_close_stdout(prog, f.set || !ran));
	http_free(http);
	free(inputs);
	strvec_free(&paths);
	strvec_free(&rmetas);
	check_summary_free(&sum);
	free(base);
	free(shown);
	cli_finish();
	return status;
}

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	struct restore_opts o;
	struct restore_config cfg;
	struct restore_events ev;
	struct restore_counters c;
	struct restore_input *inputs = NULL;
	struct strvec paths, rmetas;
	struct progress pr = { 0 };
	struct fatal f = { 0, { "" } };
	struct error err;
	struct http *http = NULL;
	struct buf url;
	char *base, *shown;
	size_t i;
	int status = EXIT_FATAL;

	parse_options(argc, argv, prog, &o);
	if (cli_start(prog, &o.c) < 0)
		return EXIT_FATAL;
	if (o.check)
		return run_check(&o, prog);
	memset(&c, 0, sizeof(c));
	c.start_ms = clock_mono_ms();
	progress_start(&pr, o.c.stats_file, NULL,
	    o.c.max_rate > 0 || o.c.limit_rate > 0);
	base = cli_base_url(o.endpoint);
	buf_init(&url);
	otsdb_put_url(&url, base, o.sync, o.sync_timeout_ms);
	shown = cli_mask_url(url.p);
	strvec_init(&paths);
	strvec_init(&rmetas);
	memset(&cfg, 0, sizeof(cfg));
	if (list_inputs(&o, &paths, &rmetas) < 0)
		goto out;
	if (o.reject_file) {
		cfg.reject = reject_open(o.reject_file, &err);
		if (cfg.reject == NULL) {
			log_error("%s", err.msg);
			goto out;
		}
		log_limit_hint(" (see the reject file)");
	}
	http = cli_http_new("otsdb-restore/" PACKAGE_VERSION, &o.c,
	    (size_t)o.size_limit * 4 + 65536, otsdb_put_retryable, shown);
	if (http == NULL)
		goto out;
	pr.http = http;
	inputs = xcalloc(paths.n ? paths.n : 1, sizeof(*inputs));
	for (i = 0; i < paths.n; i++) {
		inputs[i].path = paths.v[i];
		inputs[i].rmeta = o.dump_dir ? rmetas.v[i] : NULL;
	}
	cfg.url = url.p;
	cfg.shown_url = shown;
	cfg.size_limit = (size_t)o.size_limit;
	cfg.max_points = (size_t)o.max_points;
	cfg.max_line = (size_t)o.max_line;
	cfg.concurrent = o.c.concurrent;
	cfg.retries = o.c.retries;
	cfg.sync = o.sync;
	cfg.dry_run = o.dry_run;
	cfg.compress = o.compress;
	cfg.remove_metadata = o.remove_metadata;
	cfg.stop = &cli_stop_signal;
	memset(&ev, 0, sizeof(ev));
	ev.notes.fn = log_note_fn;
	ev.progress = on_progress;
	ev.ctx = &pr;
	restore_run(&cfg, &ev, http, inputs, paths.n, &c, &f);
	if (reject_close(cfg.reject, &err) < 0)
		fatal_set(&f, "%s", err.msg);
	cfg.reject = NULL;
	if (f.set)
		log_error("%s", f.err.msg);
	summary_restore(&c, o.dry_run, (size_t)o.size_limit,
	    f.set || cli_stop_signal, f.set, &pr);
	if (f.set)
		status = EXIT_FATAL;
	else if (cli_stop_signal)
		status = 128 + cli_stop_signal;
	else if (c.rejected_lines + c.rejected_points > 0)
		status = EXIT_PARTIAL;
	else
		status = EXIT_OK;
out:
	reject_close(cfg.reject, &err);
	status = exit_status(status, cli_close_stdout(prog, f.set));
	stats_restore(&pr, &c, 1, status);
	http_free(http);
	free(inputs);
	strvec_free(&paths);
	strvec_free(&rmetas);
	buf_free(&url);
	free(base);
	free(shown);
	cli_finish();
	return status;
}
