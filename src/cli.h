/* cli.h - main-layer helpers: --help, --version, usage errors */
#ifndef OTSDB_CLI_H
#define OTSDB_CLI_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct http;
struct http_opts;
struct http_req;

/* The signal that asked the program to stop (SIGINT or SIGTERM), 0
 * while none did: the tools' one piece of mutable global state. */
extern volatile sig_atomic_t cli_stop_signal;

/* One row of --help: short letter (0 for none), long name, argument name
 * (NULL for none) and the text. */
struct cli_help_row {
	char shortopt;
	const char *longopt;
	const char *arg;
	const char *text;
};

/* Prints "Usage: PROG ARGS", the intro, then the rows to f, in the order
 * of their long names, each text from column 30 on and wrapped within 79
 * columns.  Called by the old tool's name (kilda-...), the intro is
 * followed by old_name, the defaults that name keeps.  `rows` ends with
 * a row whose longopt is NULL. */
void cli_help(FILE *f, const char *prog, const char *args,
    const char *intro, const char *old_name,
    const struct cli_help_row *rows);
/* Prints "PROG VERSION" and the libcurl version to stdout. */
void cli_version(const char *prog);
/* Prints "PROG: MESSAGE" and the "Try 'PROG --help'" line to stderr and
 * exits with EXIT_USAGE. */
void cli_usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Flushes and closes stdout.  Returns EXIT_OK; EXIT_BROKEN_PIPE,
 * silently, when the reader went away; else EXIT_FATAL after printing
 * "PROG: write error: ..." unless `reported` says an error was printed
 * already.  Data must never look complete when it was not all written. */
int cli_close_stdout(const char *prog, int reported);
/* The exit status of a run that ended: EXIT_BROKEN_PIPE when the
 * reader of the output went away, EXIT_FATAL after a fatal error,
 * 128 + stop_signal when a signal stopped it (0: none, or one that ends
 * the run normally), EXIT_PARTIAL when something was not done (partial),
 * else EXIT_OK. */
int cli_run_status(int broken_pipe, int fatal, int stop_signal,
    int partial);
/* Long-only options both tools share; a tool numbers its own from
 * CLI_OPT_TOOL on. */
enum {
	CLI_OPT_CACERT = CHAR_MAX + 1,
	CLI_OPT_NETRC,
	CLI_OPT_PROGRESS,
	CLI_OPT_IDLE_TIMEOUT,
	CLI_OPT_RETRIES,
	CLI_OPT_RETRY_TIME,
	CLI_OPT_TIMEOUT,
	CLI_OPT_MAX_RATE,
	CLI_OPT_LIMIT_RATE,
	CLI_OPT_STATS_FILE,
	CLI_OPT_TOOL
};

/* The HTTP and output options of both tools. */
struct cli_common {
	int concurrent;   /* -c */
	int retries;      /* --retries */
	long retry_time_ms; /* --retry-time */
	long timeout_ms;  /* --timeout */
	long idle_timeout_ms; /* --idle-timeout, 0: off */
	const char *user; /* -u USER:PASS */
	const char *cacert;
	int netrc;
	int insecure;     /* -k */
	int progress;     /* --progress */
	/* otsdb-dump: with stdout a pipe (into otsdb-restore, whose line
	 * shows on the same terminal), no progress line unless --progress */
	int progress_yields_to_pipe;
	/* a stop signal lets a blocked write finish (SA_RESTART): a
	 * writer of a stream never cuts a line in two */
	int finish_writes;
	int verbosity;    /* 0 -q, 1 normal, 2 -v */
	double max_rate;  /* --max-rate: requests a second, 0: no limit */
	uint64_t limit_rate; /* --limit-rate: bytes a second, 0: no limit */
	const char *stats_file; /* --stats-file */
};

/* Defaults: 1 request in flight, 5 retries for at least 120 s, the
 * given timeout, an idle timeout of 60 s. */
void cli_common_init(struct cli_common *c, long timeout_ms);
/* Handles a shared option (-c -k -q -u -v -V --cacert --idle-timeout
 * --limit-rate --max-rate --netrc --progress --retries --retry-time
 * --stats-file --timeout); returns 1 if it was one, 0 otherwise.  Bad
 * values are usage errors; -V prints the version and exits. */
int cli_common_option(const char *prog, int opt, const char *arg,
    struct cli_common *c);
/* Takes OPENTSDB_ENDPOINT, the operand at optind (advancing optind):
 * a usage error if it is missing or not http(s)://, or if --user is not
 * USER:PASS.  Credentials in the URL (up to its last '@', %XX decoded)
 * become c->user unless -u gave one, and leave the URL returned; the
 * passwords are blanked in argv. */
const char *cli_common_endpoint(const char *prog, int argc, char **argv,
    struct cli_common *c);
/* Fills the engine options that come from the shared options. */
void cli_http_opts(const struct cli_common *c, const char *user_agent,
    struct http_opts *ho);

/* Parses a decimal count with an optional K, M or G suffix (powers of
 * 1024) into *out, between min and max.  Returns 0 or -1. */
int cli_parse_size(const char *s, uint64_t min, uint64_t max,
    uint64_t *out);
/* Parses seconds (decimal, fractions allowed) into milliseconds, at
 * least min_ms.  Returns 0 or -1. */
int cli_parse_seconds(const char *s, long min_ms, long *out_ms);
/* Parses I/N (0 <= I < N <= 100000) into *i and *n.  Returns 0 or -1. */
int cli_parse_shard(const char *s, unsigned *i, unsigned *n);
/* Installs handler for sig (no SA_RESTART, so a blocked read returns)
 * unless sig was ignored when the program started: a background job of a
 * script that handles Ctrl-C itself must not die of it. */
void cli_catch_signal(int sig, void (*handler)(int));
/* Keeps freed memory in the process instead of returning it to the
 * kernel after every large request (glibc's mallopt, where there is
 * one): the tools allocate and free buffers of up to the request cap or
 * a query answer all the time, and trimming made page faults the
 * largest cost.  Peak memory is unchanged. */
void cli_tune_malloc(void);
/* The start of both tools once options are parsed: the log level from
 * -q/-v, progress when asked for or stderr is a terminal, SIGPIPE
 * ignored (a closed pipe shows as EPIPE), SIGINT and SIGTERM caught into
 * cli_stop_signal, malloc tuning, libcurl initialised.  0, or -1 after
 * printing why. */
int cli_start(const char *prog, const struct cli_common *c);
/* The end: libcurl's global cleanup. */
void cli_finish(void);
/* The HTTP engine of a tool: its User-Agent (a string that outlives the
 * engine), the shared options, a response cap and the statuses to retry;
 * retries are reported with -v under the name `shown` (kept, not
 * copied).  NULL after printing why. */
struct http *cli_http_new(const char *user_agent, const struct cli_common *c,
    size_t max_response, int (*retryable)(const struct http_req *r),
    const char *shown);
/* The program name to use in messages: basename of argv[0]. */
const char *cli_progname(const char *argv0);

#endif
