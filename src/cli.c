/* cli.c - main-layer helpers: --help, --version, usage errors
 * The one place below the mains that prints and exits (usage errors). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#ifdef HAVE_MALLOC_H
#include <malloc.h>
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "url.h"
#include "clock.h"
#include "exitcode.h"
#include "http.h"
#include "log.h"
#include "xalloc.h"

/* --help: option texts start at this column; no line is longer */
#define HELP_COLUMN 30
#define HELP_WIDTH 79

volatile sig_atomic_t cli_stop_signal;

/* Rows in the order of their long names, as the man pages list them. */
static int
by_long_name(const void *a, const void *b)
{
	const struct cli_help_row *x = a, *y = b;

	return strcmp(x->longopt, y->longopt);
}

/* Prints text from column col on, wrapped at word boundaries so that no
 * line passes column HELP_WIDTH (a word longer than that stays whole). */
static void
help_text(FILE *f, const char *text, size_t col)
{
	size_t at = col, n;
	const char *p = text, *e;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		n = (size_t)(e - p);
		if (n == 0)
			break;
		if (at > col && at + 1 + n > HELP_WIDTH) {
			fprintf(f, "\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fwrite(p, 1, n, f);
		at += n;
		p = e;
	}
	fputc('\n', f);
}

void
cli_help(FILE *f, const char *prog, const char *args, const char *intro,
    const char *old_name, const struct cli_help_row *rows)
{
	struct cli_help_row *sorted;
	char left[80];
	size_t n = 0, i;
	int len;

	while (rows[n].longopt != NULL)
		n++;
	sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	memcpy(sorted, rows, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_long_name);
	fprintf(f, "Usage: %s %s\n%s\n\n", prog, args, intro);
	if (strncmp(prog, "kilda-", 6) == 0)
		fprintf(f, "%s\n\n", old_name);
	fputs("Options:\n", f);
	for (i = 0; i < n; i++) {
		const struct cli_help_row *r = &sorted[i];

		if (r->shortopt)
			len = snprintf(left, sizeof(left), "  -%c, --%s%s%s",
			    r->shortopt, r->longopt, r->arg ? "=" : "",
			    r->arg ? r->arg : "");
		else
			len = snprintf(left, sizeof(left), "      --%s%s%s",
			    r->longopt, r->arg ? "=" : "", r->arg ? r->arg :
			    "");
		fputs(left, f);
		/* the text at HELP_COLUMN, or on the next line when the
		 * option reaches it */
		if (len + 2 > HELP_COLUMN)
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		else
			fprintf(f, "%*s", HELP_COLUMN - len, "");
		help_text(f, r->text, HELP_COLUMN);
	}
	free(sorted);
}

void
cli_version(const char *prog)
{
	printf("%s %s\n%s\n", prog, PACKAGE_VERSION, curl_version());
}

void
cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(EXIT_USAGE);
}

int
cli_close_stdout(const char *prog, int reported)
{
	int bad = ferror(stdout);

	errno = 0;
	if (fclose(stdout) != 0 || bad) {
		/* the reader went away: end silently, as under SIGPIPE */
		if (errno == EPIPE)
			return EXIT_BROKEN_PIPE;
		if (!reported)
			fprintf(stderr, "%s: write error: %s\n", prog,
			    errno ? strerror(errno) : "unknown error");
		return EXIT_FATAL;
	}
	return EXIT_OK;
}

int
cli_run_status(int broken_pipe, int fatal, int stop_signal, int partial)
{
	if (broken_pipe)
		return EXIT_BROKEN_PIPE;
	/* a stop ends what was under way (its errors say "stopped by a
	 * signal"): the status says the stop */
	if (stop_signal)
		return 128 + stop_signal;
	if (fatal)
		return EXIT_FATAL;
	return partial ? EXIT_PARTIAL : EXIT_OK;
}

const char *
cli_progname(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return "otsdb";
	slash = strrchr(argv0, '/');
	return slash ? slash + 1 : argv0;
}

int
cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	uint64_t mul = 1;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		mul = 1024;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024;
	else if (*end == 'G' || *end == 'g')
		mul = 1024 * 1024 * 1024;
	if (mul != 1)
		end++;
	if (*end != '\0' || v > UINT64_MAX / mul)
		return -1;
	v *= mul;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cli_parse_seconds(const char *s, long min_ms, long *out_ms)
{
	double d;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || d * 1000 < (double)min_ms ||
	    d > 86400.0 * 365)
		return -1;
	*out_ms = (long)(d * 1000 + 0.5);
	return 0;
}

int
cli_parse_shard(const char *s, unsigned *i, unsigned *n)
{
	unsigned a, b;
	char extra;

	if (s == NULL || *s < '0' || *s > '9' ||
	    sscanf(s, "%u/%u%c", &a, &b, &extra) != 2 || b == 0 ||
	    b > 100000 || a >= b)
		return -1;
	*i = a;
	*n = b;
	return 0;
}

/* Copies of the secrets the command line held, blanked there since ps
 * and /proc/PID/cmdline show it to every user (as curl does). */
static char *kept_user, *kept_url_user, *kept_endpoint;

static void
blank_after_colon(char *s, const char *end)
{
	char *colon = memchr(s, ':', (size_t)(end - s));

	if (colon != NULL)
		memset(colon + 1, '*', (size_t)(end - colon - 1));
}

void
cli_common_init(struct cli_common *c, long timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->concurrent = 1;
	c->retries = 5;
	c->retry_time_ms = 120000;
	c->timeout_ms = timeout_ms;
	c->idle_timeout_ms = 60000;
	c->verbosity = 1;
}

int
cli_common_option(const char *prog, int opt, const char *arg,
    struct cli_common *c)
{
	uint64_t v;

	switch (opt) {
	case 'c':
		if (cli_parse_size(arg, 1, 256, &v) < 0)
			cli_usage_error(prog, "invalid --concurrent '%s' (1 to "
			    "256)", arg);
		c->concurrent = (int)v;
		return 1;
	case CLI_OPT_CACERT:
		c->cacert = arg;
		return 1;
	case 'k':
		c->insecure = 1;
		return 1;
	case CLI_OPT_NETRC:
		c->netrc = 1;
		return 1;
	case CLI_OPT_PROGRESS:
		c->progress = 1;
		return 1;
	case 'q':
		c->verbosity = 0;
		return 1;
	case CLI_OPT_RETRIES:
		if (cli_parse_size(arg, 0, 100, &v) < 0)
			cli_usage_error(prog, "invalid --retries '%s' (0 to "
			    "100)", arg);
		c->retries = (int)v;
		return 1;
	case CLI_OPT_RETRY_TIME:
		if (cli_parse_seconds(arg, 0, &c->retry_time_ms) < 0)
			cli_usage_error(prog, "invalid --retry-time '%s'", arg);
		return 1;
	case CLI_OPT_TIMEOUT:
		if (cli_parse_seconds(arg, 1, &c->timeout_ms) < 0)
			cli_usage_error(prog, "invalid --timeout '%s'", arg);
		return 1;
	case CLI_OPT_IDLE_TIMEOUT:
		if (cli_parse_seconds(arg, 0, &c->idle_timeout_ms) < 0 ||
		    (c->idle_timeout_ms > 0 && c->idle_timeout_ms < 1000))
			cli_usage_error(prog, "invalid --idle-timeout '%s' (0, "
			    "or at least 1 second)", arg);
		return 1;
	case 'u':
		free(kept_user);
		kept_user = xstrdup(arg);
		blank_after_colon((char *)(uintptr_t)arg, arg + strlen(arg));
		c->user = kept_user;
		return 1;
	case 'v':
		c->verbosity = 2;
		return 1;
	case CLI_OPT_MAX_RATE: {
		char *end;

		errno = 0;
		c->max_rate = strtod(arg, &end);
		if (*arg < '0' || *arg > '9' || errno != 0 || *end != '\0' ||
		    !(c->max_rate >= 0.001 && c->max_rate <= 1e6))
			cli_usage_error(prog, "invalid --max-rate '%s' (requests "
			    "a second, 0.001 to 1000000)", arg);
		return 1;
	}
	case CLI_OPT_LIMIT_RATE:
		if (cli_parse_size(arg, 1, UINT64_MAX, &c->limit_rate) < 0)
			cli_usage_error(prog, "invalid --limit-rate '%s' (bytes "
			    "a second, with an optional k, M or G)", arg);
		return 1;
	case CLI_OPT_STATS_FILE:
		if (*arg == '\0')
			cli_usage_error(prog, "--stats-file needs a file name");
		c->stats_file = arg;
		return 1;
	case 'V':
		cli_version(prog);
		exit(cli_close_stdout(prog, 0));
	default:
		return 0;
	}
}

/* The %XX-decoded bytes of s[0..n). */
static char *
pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out, hex[3] = { 0, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1])
		    && isxdigit((unsigned char)s[i + 2])) {
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			*o++ = s[i];
	*o = '\0';
	return out;
}

/* What is wrong with the host and port of URL (after its scheme and
 * any user:password@), or NULL: libcurl would take "host:" for port 80
 * and "host:99999" is no port at all. */
static const char *
authority_problem(const char *url)
{
	const char *h = strstr(url, "://") + 3, *at = url_userinfo_end(url), *end,
	    *colon;
	unsigned long port = 0;

	if (at != NULL)
		h = at + 1;
	end = h + strcspn(h, "/?#");
	if (end == h)
		return "has no host";
	colon = NULL;
	if (*h == '[') { /* an IPv6 address: [::1]:4242 */
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (close == NULL)
			return "has an IPv6 address without its ']'";
		if (close + 1 < end && close[1] != ':')
			return "has something other than :PORT after its IPv6 "
			    "address";
		if (close + 1 < end)
			colon = close + 1;
	} else
		colon = memchr(h, ':', (size_t)(end - h));
	if (colon == h)
		return "has no host";
	if (colon == NULL)
		return NULL;
	if (colon + 1 == end)
		return "has an empty port (after ':' give the port, e.g. "
		    ":4242, or leave the ':' out for the scheme's)";
	for (const char *p = colon + 1; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return "has a port that is not a number";
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return "has a port over 65535";
	}
	if (port == 0)
		return "has port 0";
	return NULL;
}

const char *
cli_common_endpoint(const char *prog, int argc, char **argv,
    struct cli_common *c)
{
	const char *at, *host, *problem;
	char *arg;
	size_t scheme;

	if (optind >= argc)
		cli_usage_error(prog, "missing OPENTSDB_ENDPOINT");
	arg = argv[optind++];
	if (!url_is_http(arg))
		cli_usage_error(prog, "OPENTSDB_ENDPOINT must start with "
		    "http:// or https://");
	if ((problem = authority_problem(arg)) != NULL)
		cli_usage_error(prog, "OPENTSDB_ENDPOINT '%s' %s",
		    url_mask(arg), problem);
	free(kept_endpoint);
	if ((at = url_userinfo_end(arg)) != NULL) {
		/* credentials go to libcurl apart (a password may then
		 * hold '@'), never into the request URLs */
		host = strstr(arg, "://") + 3;
		scheme = (size_t)(host - arg);
		kept_endpoint = xmalloc(scheme + strlen(at + 1) + 1);
		memcpy(kept_endpoint, arg, scheme);
		strcpy(kept_endpoint + scheme, at + 1);
		if (c->user == NULL) {
			free(kept_url_user);
			kept_url_user = pct_decode(host, (size_t)(at - host));
			c->user = kept_url_user;
		}
		blank_after_colon((char *)(uintptr_t)host, at);
	} else
		kept_endpoint = xstrdup(arg);
	if (c->user && strchr(c->user, ':') == NULL && c->user == kept_user)
		cli_usage_error(prog, "--user wants USER:PASS");
	return kept_endpoint;
}

void
cli_http_opts(const struct cli_common *c, const char *user_agent,
    struct http_opts *ho)
{
	ho->max_in_flight = c->concurrent;
	ho->retries = c->retries;
	ho->retry_time_ms = c->retry_time_ms;
	ho->timeout_ms = c->timeout_ms;
	ho->idle_timeout_ms = c->idle_timeout_ms;
	ho->connect_timeout_ms = c->timeout_ms < 10000 ? c->timeout_ms : 10000;
	ho->userpwd = c->user;
	ho->netrc = c->netrc;
	ho->cacert = c->cacert;
	ho->insecure = c->insecure;
	ho->user_agent = user_agent;
	ho->max_rate = c->max_rate;
	ho->limit_rate = c->limit_rate;
}

static void
catch_signal(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

void
cli_catch_signal(int sig, void (*handler)(int))
{
	catch_signal(sig, handler, 0);
}

void
cli_tune_malloc(void)
{
#if defined(HAVE_MALLOPT) && defined(M_TRIM_THRESHOLD) && \
    defined(M_MMAP_THRESHOLD)
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
#endif
}

static void
on_signal(int sig)
{
	cli_stop_signal = sig;
}

int
cli_start(const char *prog, const struct cli_common *c)
{
	struct sigaction sa;
	struct stat st;
	int piped = c->progress_yields_to_pipe && fstat(STDOUT_FILENO,
	    &st) == 0 && S_ISFIFO(st.st_mode);

	cli_tune_malloc();
	log_init(prog, c->verbosity == 0 ? LOG_QUIET : c->verbosity == 1 ?
	    LOG_NORMAL : LOG_VERBOSE, c->progress ||
	    (isatty(STDERR_FILENO) && !piped));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* a writer to a pipe finishes the write a stop interrupts (no line
	 * cut in two for the reader); waits (poll, sleeps) end at once all
	 * the same.  A reader's read(2) must end (lineio checks the stop) */
	catch_signal(SIGINT, on_signal, c->finish_writes ? SA_RESTART : 0);
	catch_signal(SIGTERM, on_signal, c->finish_writes ? SA_RESTART : 0);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return -1;
	}
	return 0;
}

void
cli_finish(void)
{
	curl_global_cleanup();
	free(kept_user);
	free(kept_url_user);
	free(kept_endpoint);
	kept_user = kept_url_user = kept_endpoint = NULL;
}

static void
on_retry(void *ctx, const char *url, const char *why, int attempt,
    long delay_ms)
{
	(void)url;
	log_verbose("%s: %s (attempt %d), retrying in %.1f s",
	    (const char *)ctx, why, attempt, delay_ms / 1000.0);
}

/* A synchronous request waits: once a second, while one has been
 * failing for a second or more, the progress line says so. */
static void
on_wait(void *ctx, const struct http *h)
{
	static int64_t next;
	int64_t now = clock_mono_ms(), ms;
	char why[200];

	if (now < next)
		return;
	next = now + 1000;
	ms = http_failing(h, why, sizeof(why));
	if (ms >= 1000)
		log_progress("%s: retrying: %s for %lld s", (const char *)ctx,
		    why, (long long)(ms / 1000));
}

static void
on_slowdown(void *ctx, int limit)
{
	log_verbose("%s: signs of overload: at most %d request%s in flight "
	    "for now", (const char *)ctx, limit, PL_S(limit));
}

struct http *
cli_http_new(const char *user_agent, const struct cli_common *c,
    size_t max_response, int (*retryable)(const struct http_req *r),
    const char *shown)
{
	struct http_opts ho;
	struct http *h;

	memset(&ho, 0, sizeof(ho));
	cli_http_opts(c, user_agent, &ho);
	ho.max_response = max_response;
	ho.retryable = retryable;
	ho.on_retry = on_retry;
	ho.on_slowdown = on_slowdown;
	ho.stop = &cli_stop_signal;
	ho.on_wait = on_wait;
	ho.ctx = (void *)(uintptr_t)shown;
	h = http_new(&ho);
	if (h == NULL)
		log_error("cannot create a libcurl multi handle");
	return h;
}
