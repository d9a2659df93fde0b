/* otsdb-dump.c - main of otsdb-dump: every raw datapoint of a time range
 * options -> metrics (discovery) -> frames -> queries through libcurl
 * multi -> ordered NDJSON on stdout, --output or --dump-dir -> summary. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "cli.h"
#include "datapoint.h"
#include "dumpdir.h"
#include "error.h"
#include "exitcode.h"
#include "http.h"
#include "json.h"
#include "lineio.h"
#include "log.h"
#include "timeparse.h"
#include "xalloc.h"

#define SUGGEST_MAX 5000
#define SUGGEST_SERVER_CAP 25
#define MAX_SHOWN_ERRORS 100
#define MAX_SPLIT_DEPTH 64
#define GET_URL_MAX 3500

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
	unsigned shard;         /* --shard I/N: this is shard I of N */
	unsigned nshards;       /* 0 = no sharding */
	int seed_defaults;      /* invoked as kilda-otsdb-dump */
};

struct metric {
	char *name;
	int64_t start_ms;       /* first frame (later when resuming) */
	int64_t nframes;
	int64_t written;        /* frames written so far */
	char *file;             /* --dump-dir: METRIC.ndjson */
	char *meta;             /* --dump-dir: METRIC.dmeta.json */
	char **tsuids;          /* pre-2.3 servers: the metric's series */
	size_t ntsuids;
	int looked_up;
};

struct job {
	struct dump *d;
	size_t metric;
	int64_t start;          /* the frame [start, end) */
	int64_t end;
	/* ranges still to fetch: time [lo, hi) and, on pre-2.3 servers,
	 * the series [from, to) of the metric's TSUID list */
	int64_t sub[MAX_SPLIT_DEPTH][4];
	int nsub;
	int64_t cur[4];         /* the range in flight */
	int need_lookup;        /* switched to TSUIDs: list the series */
	struct buf out;         /* rendered lines, in order */
	uint64_t points;
	int done;
	struct job *next;
};

struct dump {
	const struct dump_opts *o;
	struct http *http;
	char *base;             /* endpoint without trailing / */
	char *shown;            /* for messages, credentials masked */
	struct metric *metrics;
	size_t nmetrics;
	size_t next_metric;     /* job generator position */
	int64_t next_frame;
	struct job *head, *tail;/* alive jobs, in output order */
	int alive;
	FILE *out;
	size_t open_metric;     /* dump-dir: metric whose file is open */
	FILE *mfile;
	int fatal;
	int broken_pipe;
	int exhausted;          /* no more jobs to create */
	int fallback;           /* no 'none' aggregator: query by TSUID */
	uint64_t points, frames, frames_total, requests, retries, splits,
	    bad_values, dropped, metrics_done;
	int shown_errors;
	int64_t start_wall;
	int64_t next_progress;
	struct datapoint dp;
};

static volatile sig_atomic_t stop_signal;

static const struct cli_help_row help_rows[] = {
	{ 'c', "concurrent", "N", "queries in flight at once (default 1)" },
	{ 0, "cacert", "FILE", "CA certificates to verify the server with" },
	{ 0, "dump-dir", "DIR", "write METRIC.ndjson files and resume "
	  "metadata into DIR instead of stdout" },
	{ 'h', "help", NULL, "print this help and exit" },
	{ 'k', "insecure", NULL, "do not verify the server's TLS certificate" },
	{ 0, "list-metrics", NULL, "print the selected metric names, one a "
	  "line, and exit" },
	{ 0, "metric", "NAME", "dump this metric (repeatable)" },
	{ 'm', "metrics-prefix", "PREFIX", "dump every metric whose name "
	  "starts with PREFIX (default: every metric)" },
	{ 0, "metrics-file", "FILE", "dump the metrics named in FILE, one a "
	  "line (- = stdin)" },
	{ 0, "netrc", NULL, "take credentials from ~/.netrc" },
	{ 'o', "output", "FILE", "write to FILE instead of stdout" },
	{ 0, "progress", NULL, "show progress on stderr even when it is not a "
	  "terminal" },
	{ 'q', "quiet", NULL, "print errors only" },
	{ 0, "query-frame-size", "SECONDS", "time span of one query "
	  "(default 180)" },
	{ 0, "remove-metadata", NULL, "with --dump-dir, delete "
	  "METRIC.dmeta.json once METRIC is complete" },
	{ 0, "retries", "N", "retries of a failed query (default 5)" },
	{ 0, "shard", "I/N", "dump only shard I (0 to N-1) of N: the metrics "
	  "whose name hashes to I" },
	{ 'e', "time-stop", "TIME", "end of the range, excluded (default now)" },
	{ 0, "timeout", "SECONDS", "time limit of one query (default 120)" },
	{ 'u', "user", "USER:PASS", "HTTP basic authentication" },
	{ 'v', "verbose", NULL, "report retries and frame splits" },
	{ 'V', "version", NULL, "print the version and exit" },
	{ 0, NULL, NULL, NULL }
};

enum {
	OPT_DUMP_DIR = CLI_OPT_TOOL,
	OPT_LIST_METRICS,
	OPT_METRIC,
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
	{ "insecure", no_argument, NULL, 'k' },
	{ "list-metrics", no_argument, NULL, OPT_LIST_METRICS },
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
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "time-stop", required_argument, NULL, 'e' },
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
	    "TIME: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or 'YYYY-MM-DD HH:MM:SS'\n"
	    "(local time; a trailing Z or +HH:MM makes it absolute), epoch\n"
	    "seconds, epoch milliseconds, or now.\n"
	    "\n"
	    "Exit status: 0 complete, 1 complete but some values could not be\n"
	    "dumped, 2 usage error, 3 fatal error.",
	    help_rows);
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
parse_options(int argc, char **argv, const char *prog, struct dump_opts *o)
{
	const char *stop_text = "now";
	int64_t now = wall_ms();
	long ms;
	int c;

	memset(o, 0, sizeof(*o));
	o->frame_ms = 180000;
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
		case 'h':
			usage(stdout);
			exit(cli_close_stdout(prog));
		case OPT_LIST_METRICS:
			o->list_metrics = 1;
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
		case OPT_SHARD: {
			unsigned i, n;
			char extra;

			if (sscanf(optarg, "%u/%u%c", &i, &n, &extra) != 2 ||
			    n == 0 || n > 100000 || i >= n)
				cli_usage_error(prog, "invalid --shard '%s' (I/N "
				    "with 0 <= I < N)", optarg);
			o->shard = i;
			o->nshards = n;
			break;
		}
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
	if (timeparse(stop_text, now, &o->stop_ms) < 0)
		cli_usage_error(prog, "invalid --time-stop '%s'", stop_text);
	if (!o->list_metrics && o->stop_ms <= o->start_ms)
		cli_usage_error(prog, "TIME_STOP '%s' is not after TIME_START "
		    "'%s'", stop_text, argv[optind - 1]);
	/* the old tool's name keeps its defaults: --dump-dir . and
	 * --metrics-prefix kilda. */
	if (strncmp(prog, "kilda-", 6) == 0) {
		o->seed_defaults = 1;
		if (!o->dump_dir && !o->output && !o->list_metrics)
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


/* ------------------------------------------------------------ HTTP */

static void
url_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_append(b, e, 3);
		}
	}
}

static void
sync_done(struct http_req *r, void *ctx)
{
	*(struct http_req **)ctx = r;
}

/* Runs one request (GET when body is NULL) to completion, with the
 * engine's retries.  Takes url and body. */
static struct http_req *
request_sync(struct dump *d, char *url, char *body, size_t len)
{
	struct http_req *r = http_req_new(url, body, len), *done = NULL;

	r->done = sync_done;
	r->ctx = &done;
	http_submit(d->http, r);
	while (done == NULL)
		http_pump(d->http, -1, 1000);
	d->requests += (uint64_t)done->attempts;
	d->retries += (uint64_t)(done->attempts - 1);
	return done;
}

static void
describe_failure(const struct http_req *r, char *out, size_t n)
{
	char msg[320];

	if (r->outcome == HTTP_GAVE_UP_TRANSPORT) {
		snprintf(out, n, "%s after %d attempts", r->error, r->attempts);
		return;
	}
	http_error_text(r, msg, sizeof(msg));
	if (r->outcome == HTTP_GAVE_UP_STATUS)
		snprintf(out, n, "HTTP %ld after %d attempts: %s", r->status,
		    r->attempts, msg);
	else
		snprintf(out, n, "HTTP %ld: %s", r->status, msg);
}

/* ------------------------------------------------------------ metrics */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n;
	size_t cap;
};

static void
names_add(struct names *ns, const char *s, size_t n)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = xreallocarray(ns->v, ns->cap, sizeof(*ns->v));
	}
	ns->v[ns->n++] = xmemdup0(s, n);
}

static void
names_sort_unique(struct names *ns)
{
	size_t i, k = 0;

	qsort(ns->v, ns->n, sizeof(*ns->v), cmp_name);
	for (i = 0; i < ns->n; i++) {
		if (k > 0 && strcmp(ns->v[k - 1], ns->v[i]) == 0)
			free(ns->v[i]);
		else
			ns->v[k++] = ns->v[i];
	}
	ns->n = k;
}

/* The code point starting at byte `at` of a UTF-8 name (0 at the end). */
static unsigned
codepoint_at(const char *s, size_t at)
{
	const unsigned char *p = (const unsigned char *)s + at;

	if (p[0] < 0x80)
		return p[0];
	if ((p[0] & 0xE0) == 0xC0 && p[1])
		return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
	if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2])
		return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) |
		    (p[2] & 0x3Fu);
	return 0x10000;
}

/* All metric names starting with prefix: suggest, and where an answer
 * may be cut off (M names, or the server's own cap of 25), narrow the
 * prefix by every possible next character (OpenTSDB 2.x stores names in
 * ISO-8859-1, so U+0001..U+00FF) and recurse.  Names are collected in
 * ns; returns -1 on a failed request. */
static int narrow(struct dump *d, const char *prefix, unsigned first,
    struct names *ns, int depth);

static int
discover(struct dump *d, const char *prefix, struct names *ns, int depth)
{
	struct buf url;
	struct http_req *r;
	struct json j;
	struct error err;
	int t, i, count, cut;
	unsigned last = 0;
	size_t plen = strlen(prefix), before = ns->n;
	char msg[400];

	if (depth > 256)
		return 0;
	/* an empty q also skips names from '~' up: go by first byte */
	if (plen == 0)
		return narrow(d, prefix, 1, ns, depth);
	buf_init(&url);
	buf_puts(&url, d->base);
	buf_puts(&url, "/api/suggest?type=metrics&max=");
	buf_put_int64(&url, SUGGEST_MAX);
	buf_puts(&url, "&q=");
	url_escape(&url, prefix, plen);
	r = request_sync(d, xmemdup0(url.p, url.len), NULL, 0);
	buf_free(&url);
	if (r->outcome != HTTP_DONE_2XX) {
		describe_failure(r, msg, sizeof(msg));
		log_fail(&d->fatal, "%s: metric discovery (prefix '%s'): %s", d->shown,
		    prefix, msg);
		http_req_free(r);
		return -1;
	}
	json_init(&j);
	if (json_parse(&j, r->resp.p ? r->resp.p : "", r->resp.len, &err) < 0
	    || json_type(&j, 0) != JSON_ARRAY || r->resp_truncated) {
		log_fail(&d->fatal, "%s: metric discovery (prefix '%s'): not a JSON array "
		    "of names", d->shown, prefix);
		json_free(&j);
		http_req_free(r);
		return -1;
	}
	count = json_count(&j, 0);
	for (i = 0, t = 1; i < count; i++, t = json_next(&j, t)) {
		struct buf b;

		if (json_type(&j, t) != JSON_STRING)
			continue;
		buf_init(&b);
		json_unescape(&j, t, &b);
		if (b.len >= plen && memcmp(b.p, prefix, plen) == 0)
			names_add(ns, b.p, b.len);
		buf_free(&b);
	}
	json_free(&j);
	http_req_free(r);
	cut = count >= SUGGEST_MAX || count == SUGGEST_SERVER_CAP;
	if (!cut)
		return 0;
	/* names below the last one returned are complete; from its next
	 * character on, ask again with a longer prefix */
	if (ns->n > before && strlen(ns->v[ns->n - 1]) > plen)
		last = codepoint_at(ns->v[ns->n - 1], plen);
	return narrow(d, prefix, last ? last : 1, ns, depth);
}

/* Discovers prefix + c for every character c from `first` to U+00FF. */
static int
narrow(struct dump *d, const char *prefix, unsigned first, struct names *ns,
    int depth)
{
	struct buf q;
	unsigned c;
	int rc = 0;

	for (c = first; c <= 0xFF && !d->fatal && rc == 0; c++) {
		buf_init(&q);
		buf_puts(&q, prefix);
		json_put_utf8(&q, c);
		rc = discover(d, q.p, ns, depth + 1);
		buf_free(&q);
	}
	return d->fatal ? -1 : rc;
}

static int
read_metrics_file(struct dump *d, const char *path, struct names *ns)
{
	struct lineio lr;
	struct error err;
	const char *line;
	size_t len;
	enum lineio_result res;

	if (lineio_open(&lr, path, 65536, &err) < 0) {
		log_fail(&d->fatal, "%s", err.msg);
		return -1;
	}
	while ((res = lineio_next(&lr, &line, &len, &err)) != LINEIO_EOF) {
		if (res == LINEIO_ERROR) {
			log_fail(&d->fatal, "%s", err.msg);
			break;
		}
		if (res == LINEIO_LONG) {
			log_fail(&d->fatal, "%s:%llu: line too long for a metric name",
			    lr.name, (unsigned long long)lr.lineno);
			break;
		}
		while (len > 0 && (line[len - 1] == ' ' ||
		    line[len - 1] == '\t'))
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		if (!json_utf8_valid(line, len) || memchr(line, 0, len)) {
			log_fail(&d->fatal, "%s:%llu: metric name is not valid UTF-8",
			    lr.name, (unsigned long long)lr.lineno);
			break;
		}
		names_add(ns, line, len);
	}
	lineio_close(&lr);
	return d->fatal ? -1 : 0;
}

/* ------------------------------------------------------------ frames */

static void
frame_text(int64_t ms, struct buf *b)
{
	/* <= 10 digits would read as seconds: say ms explicitly */
	buf_put_int64(b, (long long)ms);
	if (ms < 10000000000LL)
		buf_puts(b, "ms");
}

static int
needs_post(const char *metric)
{
	return strpbrk(metric, ":{}=,|*") != NULL;
}

static void job_next(struct job *jb);
static int job_plan(struct dump *d, struct job *jb);

/* Renders the series of a query answer that fall in [a, b). */
static int
render(struct job *jb, const char *body, size_t len, int64_t a, int64_t b,
    char *why, size_t whyn)
{
	struct dump *d = jb->d;
	struct json j;
	struct error err;
	struct datapoint *dp = &d->dp;
	int i, count, t, k, np, p;
	struct series {
		struct buf key;
		size_t from, to; /* its lines in jb->out */
	} *sv = NULL;
	size_t ns = 0, si;
	struct buf strs, line, prefix;
	const char *suffix;
	int rc = -1;
	size_t out_start = jb->out.len;
	const char *mname = d->metrics[jb->metric].name;

	json_init(&j);
	if (json_parse(&j, body, len, &err) < 0 ||
	    json_type(&j, 0) != JSON_ARRAY) {
		snprintf(why, whyn, "the answer is not a JSON array (%s)",
		    err.msg);
		json_free(&j);
		return -1;
	}
	count = json_count(&j, 0);
	sv = xcalloc(count ? (size_t)count : 1, sizeof(*sv));
	/* lines take about three times the bytes of the answer's dps */
	buf_reserve(&jb->out, len * 3 + 4096);
	buf_init(&strs);
	buf_init(&line);
	buf_init(&prefix);
	for (i = 0, t = 1; i < count; i++, t = json_next(&j, t)) {
		int tm = json_member(&j, t, "metric");
		int tt = json_member(&j, t, "tags");
		int td = json_member(&j, t, "dps");
		int ta = json_member(&j, t, "aggregateTags");
		size_t moff, mlen, ntags, x;
		size_t (*offs)[4];
		struct series *s;

		if (json_type(&j, t) != JSON_OBJECT || td < 0)
			continue;
		if (ta >= 0 && json_count(&j, ta) > 0)
			log_warn("%s: a result aggregates series (aggregateTags "
			    "not empty)", mname);
		buf_reset(&strs);
		if (tm >= 0 && json_type(&j, tm) == JSON_STRING)
			json_unescape(&j, tm, &strs);
		else
			buf_puts(&strs, mname);
		moff = 0;
		mlen = strs.len;
		ntags = tt >= 0 && json_type(&j, tt) == JSON_OBJECT ?
		    (size_t)json_count(&j, tt) : 0;
		offs = xcalloc(ntags ? ntags : 1, sizeof(*offs));
		for (x = 0, k = tt + 1; x < ntags; x++, k = json_next(&j, k + 1)) {
			offs[x][0] = strs.len;
			json_unescape(&j, k, &strs);
			offs[x][1] = strs.len - offs[x][0];
			offs[x][2] = strs.len;
			if (json_type(&j, k + 1) == JSON_STRING)
				json_unescape(&j, k + 1, &strs);
			offs[x][3] = strs.len - offs[x][2];
		}
		if (ntags > dp->tags_cap) {
			dp->tags_cap = ntags;
			dp->tags = xreallocarray(dp->tags, ntags,
			    sizeof(*dp->tags));
		}
		dp->metric = strs.p + moff;
		dp->metric_len = mlen;
		dp->ntags = ntags;
		for (x = 0; x < ntags; x++) {
			dp->tags[x].key = strs.p + offs[x][0];
			dp->tags[x].key_len = offs[x][1];
			dp->tags[x].val = strs.p + offs[x][2];
			dp->tags[x].val_len = offs[x][3];
		}
		free(offs);
		if (datapoint_sort_tags(dp, &err) < 0)
			continue;
		s = &sv[ns++];
		buf_init(&s->key);
		s->from = jb->out.len;
		/* the series key: its canonical line without time and value,
		 * cut into the text before and after them (rendered once) */
		dp->timestamp_ms = 0;
		dp->value = "0";
		dp->value_len = 1;
		datapoint_encode(dp, &s->key);
		{
			const char *tpos = strstr(s->key.p, ",\"timestamp\":");

			buf_reset(&prefix);
			buf_append(&prefix, s->key.p, (size_t)(tpos - s->key.p) +
			    13);
			suffix = strstr(tpos, ",\"tags\":");
		}
		np = json_count(&j, td);
		for (p = 0, k = td + 1; p < np; p++) {
			int64_t ts;
			int tv, tkey;
			const char *v;
			size_t vn;

			if (json_type(&j, td) == JSON_OBJECT) {
				const char *kp;
				size_t kn, z;

				tkey = k;
				tv = k + 1;
				k = json_next(&j, k + 1);
				kp = json_raw(&j, tkey, &kn);
				if (kn == 0 || kn > 18)
					continue;
				for (ts = 0, z = 0; z < kn && kp[z] >= '0' &&
				    kp[z] <= '9'; z++)
					ts = ts * 10 + (kp[z] - '0');
				if (z != kn)
					continue;
			} else {
				/* arrays: [[ts, value], ...] */
				if (json_type(&j, k) != JSON_ARRAY ||
				    json_count(&j, k) != 2 ||
				    json_int64(&j, k + 1, &ts) < 0) {
					k = json_next(&j, k);
					continue;
				}
				tv = json_next(&j, k + 1);
				k = json_next(&j, k);
			}
			if (ts < 100000000000LL && ts > 0 &&
			    ts * 1000 >= a && ts * 1000 < b + 1000) {
				snprintf(why, whyn, "the server answered in "
				    "seconds although milliseconds were asked "
				    "for");
				goto bad;
			}
			if (ts < a || ts >= b) {
				d->dropped++;
				continue;
			}
			if (json_type(&j, tv) != JSON_NUMBER) {
				d->bad_values++;
				if (d->shown_errors++ < MAX_SHOWN_ERRORS ||
				    log_level() >= LOG_VERBOSE) {
					const char *tags = strstr(s->key.p,
					    ",\"tags\":");
					int q = json_type(&j, tv) == JSON_STRING;

					v = json_raw(&j, tv, &vn);
					log_error("%s %.*s: value %s%.*s%s at %lld "
					    "cannot be dumped", mname,
					    tags ? (int)strlen(tags + 8) - 1 : 0,
					    tags ? tags + 8 : "", q ? "\"" : "",
					    (int)(vn > 40 ? 40 : vn), v,
					    q ? "\"" : "", (long long)ts);
				}
				continue;
			}
			/* the canonical line, as datapoint_encode writes it */
			v = json_raw(&j, tv, &vn);
			buf_append(&jb->out, prefix.p, prefix.len);
			buf_put_int64(&jb->out, (long long)ts);
			buf_puts(&jb->out, ",\"value\":");
			buf_append(&jb->out, v, vn);
			buf_puts(&jb->out, suffix);
			buf_putc(&jb->out, '\n');
			jb->points++;
		}
		s->to = jb->out.len;
	}
	/* series in a stable order: by their canonical tags */
	for (si = 1; si < ns; si++) {
		struct series tmp = sv[si];
		size_t z = si;

		while (z > 0 && strcmp(sv[z - 1].key.p, tmp.key.p) > 0) {
			sv[z] = sv[z - 1];
			z--;
		}
		sv[z] = tmp;
	}
	for (si = 1; si < ns && sv[si - 1].from < sv[si].from; si++)
		;
	if (si < ns) {
		/* the answer's order was another: rebuild in sorted order */
		struct buf sorted;

		buf_init(&sorted);
		buf_reserve(&sorted, jb->out.len);
		buf_append(&sorted, jb->out.p, out_start);
		for (si = 0; si < ns; si++)
			buf_append(&sorted, jb->out.p + sv[si].from,
			    sv[si].to - sv[si].from);
		buf_free(&jb->out);
		jb->out = sorted;
	}
	rc = 0;
bad:
	for (si = 0; si < ns; si++)
		buf_free(&sv[si].key);
	free(sv);
	buf_free(&strs);
	buf_free(&line);
	buf_free(&prefix);
	json_free(&j);
	return rc;
}

static int
too_large(const struct http_req *r)
{
	const char *s = r->resp.p ? r->resp.p : "";

	if (r->outcome == HTTP_GAVE_UP_TRANSPORT)
		return r->transport_code == CURLE_OPERATION_TIMEDOUT;
	return r->status == 413 || strstr(s, "data point") != NULL ||
	    strstr(s, "timed out") != NULL || r->resp_truncated;
}

static void
on_query(struct http_req *r, void *ctx)
{
	struct job *jb = ctx;
	struct dump *d = jb->d;
	char why[400], a[40], b[40];
	const char *mname = d->metrics[jb->metric].name;
	int64_t lo = jb->cur[0], hi = jb->cur[1], mid;

	d->requests += (uint64_t)r->attempts;
	d->retries += (uint64_t)(r->attempts - 1);
	timeparse_format(lo, a, sizeof(a));
	timeparse_format(hi, b, sizeof(b));
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated) {
		if (render(jb, r->resp.p ? r->resp.p : "[]", r->resp.len, lo, hi,
		    why, sizeof(why)) < 0)
			log_fail(&d->fatal, "%s: metric %s, frame [%s, %s): %s", d->shown,
			    mname, a, b, why);
		http_req_free(r);
		if (!d->fatal)
			job_next(jb);
		return;
	}
	if (!d->fallback && r->status == 400 && r->resp.p != NULL &&
	    strstr(r->resp.p, "No such aggregation function: none") != NULL) {
		log_warn("the server has no 'none' aggregator (OpenTSDB before "
		    "2.3): dumping every series by its TSUID from "
		    "/api/search/lookup instead");
		d->fallback = 1;
	}
	if (d->fallback && !d->metrics[jb->metric].looked_up) {
		/* listed by the run loop, outside this callback */
		jb->nsub = 0;
		jb->need_lookup = 1;
		http_req_free(r);
		return;
	}
	if (too_large(r) && jb->nsub + 2 <= MAX_SPLIT_DEPTH &&
	    (hi - lo > 1000 || jb->cur[3] - jb->cur[2] > 1)) {
		int64_t *lower = jb->sub[jb->nsub + 1], *upper = jb->sub[jb->nsub];

		memcpy(lower, jb->cur, sizeof(jb->cur));
		memcpy(upper, jb->cur, sizeof(jb->cur));
		if (jb->cur[3] - jb->cur[2] > 1) {
			/* several series: halve the series first */
			lower[3] = upper[2] = jb->cur[2] +
			    (jb->cur[3] - jb->cur[2]) / 2;
		} else {
			mid = lo + (hi - lo) / 2;
			lower[1] = upper[0] = mid;
		}
		log_verbose("%s: frame [%s, %s) too large for the server, "
		    "splitting it in halves", mname, a, b);
		d->splits++;
		jb->nsub += 2;
		http_req_free(r);
		job_next(jb);
		return;
	}
	describe_failure(r, why, sizeof(why));
	log_fail(&d->fatal, "%s: metric %s, frame [%s, %s): %s%s", d->shown, mname, a, b,
	    why, d->o->dump_dir ? " (rerun the same command to resume)" : "");
	http_req_free(r);
}

/* Fetches the job's next range, or marks it done. */
static void
job_next(struct job *jb)
{
	struct dump *d = jb->d;
	const char *mname = d->metrics[jb->metric].name;
	struct buf url, body;
	struct http_req *r;
	int64_t lo, hi, end;

	if (jb->nsub == 0) {
		jb->done = 1;
		return;
	}
	jb->nsub--;
	memcpy(jb->cur, jb->sub[jb->nsub], sizeof(jb->cur));
	lo = jb->cur[0];
	hi = jb->cur[1];
	/* OpenTSDB's end is inclusive and must be after start */
	end = hi - 1 > lo ? hi - 1 : lo + 1;
	buf_init(&url);
	buf_init(&body);
	buf_puts(&url, d->base);
	if (d->fallback) {
		struct metric *m = &d->metrics[jb->metric];
		int64_t i;

		/* each series its own sub-query: exactly that series */
		buf_puts(&url, "/api/query");
		buf_puts(&body, "{\"start\":");
		buf_put_int64(&body, (long long)lo);
		buf_puts(&body, ",\"end\":");
		buf_put_int64(&body, (long long)end);
		buf_puts(&body, ",\"msResolution\":true,\"noAnnotations\":true,"
		    "\"queries\":[");
		for (i = jb->cur[2]; i < jb->cur[3]; i++) {
			if (i > jb->cur[2])
				buf_putc(&body, ',');
			buf_puts(&body, "{\"aggregator\":\"sum\",\"tsuids\":[");
			json_put_string(&body, m->tsuids[i],
			    strlen(m->tsuids[i]));
			buf_puts(&body, "]}");
		}
		buf_puts(&body, "]}");
		r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
		body.p = NULL;
		goto submit;
	}
	if (!needs_post(mname)) {
		buf_puts(&url, "/api/query?start=");
		frame_text(lo, &url);
		buf_puts(&url, "&end=");
		frame_text(end, &url);
		buf_puts(&url, "&m=none:");
		url_escape(&url, mname, strlen(mname));
		buf_puts(&url, "&ms&no_annotations");
	}
	if (needs_post(mname) || url.len > GET_URL_MAX) {
		buf_reset(&url);
		buf_puts(&url, d->base);
		buf_puts(&url, "/api/query");
		buf_puts(&body, "{\"start\":");
		buf_put_int64(&body, (long long)lo);
		buf_puts(&body, ",\"end\":");
		buf_put_int64(&body, (long long)end);
		buf_puts(&body, ",\"msResolution\":true,\"noAnnotations\":true,"
		    "\"queries\":[{\"aggregator\":\"none\",\"metric\":");
		json_put_string(&body, mname, strlen(mname));
		buf_puts(&body, "}]}");
		r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
		body.p = NULL;
	} else
		r = http_req_new(xmemdup0(url.p, url.len), NULL, 0);
submit:
	buf_free(&url);
	buf_free(&body);
	r->done = on_query;
	r->ctx = jb;
	http_submit(d->http, r);
}

/* ------------------------------------------------------------ output */

static int
write_error(struct dump *d, const char *what)
{
	if (errno == EPIPE) {
		d->broken_pipe = 1;
		d->fatal = 1;
		return -1;
	}
	log_fail(&d->fatal, "%s: write error: %s", what, strerror(errno));
	return -1;
}

static void
metric_finished(struct dump *d, struct metric *m)
{
	d->metrics_done++;
	if (m->meta && d->o->remove_metadata && unlink(m->meta) < 0 &&
	    errno != ENOENT)
		log_error("%s: %s", m->meta, strerror(errno));
}

/* Writes a finished job: to the output, or to METRIC.ndjson followed by
 * METRIC.dmeta.json (after the lines are flushed). */
static int
write_job(struct dump *d, struct job *jb)
{
	struct metric *m = &d->metrics[jb->metric];
	struct dumpdir_meta meta;
	FILE *f = d->out;
	const char *name = d->o->output ? d->o->output : "stdout";

	if (d->o->dump_dir) {
		if (d->mfile == NULL || d->open_metric != jb->metric) {
			if (d->mfile && fclose(d->mfile) != 0) {
				d->mfile = NULL;
				return write_error(d, m->file);
			}
			d->mfile = fopen(m->file, "a");
			if (d->mfile == NULL)
				return write_error(d, m->file);
			d->open_metric = jb->metric;
		}
		f = d->mfile;
		name = m->file;
	}
	if (jb->out.len > 0 && fwrite(jb->out.p, 1, jb->out.len, f) !=
	    jb->out.len)
		return write_error(d, name);
	if (d->o->dump_dir) {
		long size;

		if (fflush(f) != 0)
			return write_error(d, name);
		size = ftell(f);
		meta.start_ms = jb->start;
		meta.end_ms = jb->end - 1;
		meta.size = size;
		if (dumpdir_write_meta(m->meta, &meta) < 0)
			return write_error(d, m->meta);
	}
	d->points += jb->points;
	d->frames++;
	m->written++;
	if (m->written == m->nframes) {
		if (d->o->dump_dir && d->mfile) {
			if (fclose(d->mfile) != 0) {
				d->mfile = NULL;
				return write_error(d, name);
			}
			d->mfile = NULL;
		}
		metric_finished(d, m);
	}
	return 0;
}

/* ------------------------------------------------------------ run */

static void
progress(struct dump *d)
{
	int64_t now = http_now_ms();
	double secs;
	char eta[32] = "?";

	if (now < d->next_progress)
		return;
	d->next_progress = now + 1000;
	secs = (now - d->start_wall) / 1000.0;
	if (d->frames > 0 && d->frames_total > d->frames)
		snprintf(eta, sizeof(eta), "%.0f s", secs *
		    (double)(d->frames_total - d->frames) / (double)d->frames);
	log_progress("metrics %llu/%zu, frames %llu/%llu, %llu points, "
	    "%.0f points/s, ETA %s", (unsigned long long)d->metrics_done,
	    d->nmetrics, (unsigned long long)d->frames,
	    (unsigned long long)d->frames_total,
	    (unsigned long long)d->points, secs > 0 ? d->points / secs : 0.0,
	    eta);
}

/* Creates the next job in output order; NULL when there is none. */
static struct job *
new_job(struct dump *d)
{
	struct job *jb;
	struct metric *m;

	while (d->next_metric < d->nmetrics) {
		m = &d->metrics[d->next_metric];
		if (d->next_frame < m->nframes)
			break;
		d->next_metric++;
		d->next_frame = 0;
	}
	if (d->next_metric >= d->nmetrics)
		return NULL;
	m = &d->metrics[d->next_metric];
	jb = xcalloc(1, sizeof(*jb));
	jb->d = d;
	jb->metric = d->next_metric;
	jb->start = m->start_ms + d->next_frame * d->o->frame_ms;
	jb->end = jb->start + d->o->frame_ms;
	if (jb->end > d->o->stop_ms)
		jb->end = d->o->stop_ms;
	buf_init(&jb->out);
	d->next_frame++;
	if (job_plan(d, jb) < 0) {
		buf_free(&jb->out);
		free(jb);
		return NULL;
	}
	return jb;
}

/* Pre-2.3 servers: the metric's series, from /api/search/lookup with
 * useMeta false (a scan of the data table, not the often empty meta
 * table).  Returns -1 on failure. */
static int
lookup_series(struct dump *d, struct metric *m)
{
	struct buf url, body, b;
	struct http_req *r;
	struct json j;
	struct error err;
	int tr, tt, i, n, t, tid;
	int64_t total = -1;
	char msg[400];

	m->looked_up = 1;
	buf_init(&url);
	buf_init(&body);
	buf_puts(&url, d->base);
	buf_puts(&url, "/api/search/lookup");
	buf_puts(&body, "{\"metric\":");
	json_put_string(&body, m->name, strlen(m->name));
	buf_puts(&body, ",\"useMeta\":false,\"limit\":1000000000}");
	r = request_sync(d, xmemdup0(url.p, url.len), body.p, body.len);
	body.p = NULL;
	buf_free(&url);
	buf_free(&body);
	if (r->outcome != HTTP_DONE_2XX) {
		describe_failure(r, msg, sizeof(msg));
		log_fail(&d->fatal, "%s: series lookup of %s: %s", d->shown, m->name, msg);
		http_req_free(r);
		return -1;
	}
	json_init(&j);
	if (json_parse(&j, r->resp.p ? r->resp.p : "", r->resp.len, &err) < 0
	    || (tr = json_member(&j, 0, "results")) < 0 ||
	    json_type(&j, tr) != JSON_ARRAY) {
		log_fail(&d->fatal, "%s: series lookup of %s: unexpected answer", d->shown,
		    m->name);
		json_free(&j);
		http_req_free(r);
		return -1;
	}
	n = json_count(&j, tr);
	m->tsuids = xcalloc(n ? (size_t)n : 1, sizeof(*m->tsuids));
	buf_init(&b);
	for (i = 0, t = tr + 1; i < n; i++, t = json_next(&j, t)) {
		tid = json_member(&j, t, "tsuid");
		if (tid < 0 || json_type(&j, tid) != JSON_STRING)
			continue;
		buf_reset(&b);
		json_unescape(&j, tid, &b);
		m->tsuids[m->ntsuids++] = xmemdup0(b.p, b.len);
	}
	buf_free(&b);
	tt = json_member(&j, 0, "totalResults");
	if (tt >= 0)
		json_int64(&j, tt, &total);
	json_free(&j);
	http_req_free(r);
	if (total > (int64_t)m->ntsuids) {
		log_fail(&d->fatal, "%s: series lookup of %s listed %zu of %lld series",
		    d->shown, m->name, m->ntsuids, (long long)total);
		return -1;
	}
	qsort(m->tsuids, m->ntsuids, sizeof(*m->tsuids), cmp_name);
	return 0;
}

/* The ranges of a job: the whole frame, and on pre-2.3 servers one
 * POST per group of series small enough for OpenTSDB's 8 KiB body. */
static int
job_plan(struct dump *d, struct job *jb)
{
	struct metric *m = &d->metrics[jb->metric];
	size_t i, from, bytes;
	int64_t groups[MAX_SPLIT_DEPTH][2];
	int ng = 0, k;

	buf_reset(&jb->out);
	jb->points = 0;
	jb->nsub = 0;
	jb->need_lookup = 0;
	if (!d->fallback) {
		jb->sub[0][0] = jb->start;
		jb->sub[0][1] = jb->end;
		jb->sub[0][2] = jb->sub[0][3] = 0;
		jb->nsub = 1;
		return 0;
	}
	if (!m->looked_up && lookup_series(d, m) < 0)
		return -1;
	for (from = 0, i = 0, bytes = 200; i < m->ntsuids; i++) {
		bytes += strlen(m->tsuids[i]) + 40;
		if (bytes > 7000 && i > from) {
			if (ng == MAX_SPLIT_DEPTH / 2)
				break;
			groups[ng][0] = (int64_t)from;
			groups[ng++][1] = (int64_t)i;
			from = i;
			bytes = 200 + strlen(m->tsuids[i]) + 40;
		}
	}
	if (i < m->ntsuids) {
		log_fail(&d->fatal, "%s: too many series for one frame of the TSUID "
		    "method; use a smaller --query-frame-size", m->name);
		return -1;
	}
	if (from < m->ntsuids) {
		groups[ng][0] = (int64_t)from;
		groups[ng++][1] = (int64_t)m->ntsuids;
	}
	for (k = ng - 1; k >= 0; k--) {
		jb->sub[jb->nsub][0] = jb->start;
		jb->sub[jb->nsub][1] = jb->end;
		jb->sub[jb->nsub][2] = groups[k][0];
		jb->sub[jb->nsub][3] = groups[k][1];
		jb->nsub++;
	}
	return 0;
}

/* Asks /api/version whether 'none' exists (2.3 and later). */
static void
detect_version(struct dump *d)
{
	struct buf url;
	struct http_req *r;
	struct json j;
	struct error err;
	struct buf v;
	int t, major = 0, minor = 0;

	buf_init(&url);
	buf_puts(&url, d->base);
	buf_puts(&url, "/api/version");
	r = request_sync(d, xmemdup0(url.p, url.len), NULL, 0);
	buf_free(&url);
	json_init(&j);
	buf_init(&v);
	if (r->outcome == HTTP_DONE_2XX &&
	    json_parse(&j, r->resp.p ? r->resp.p : "", r->resp.len, &err) == 0
	    && (t = json_member(&j, 0, "version")) >= 0 &&
	    json_type(&j, t) == JSON_STRING) {
		json_unescape(&j, t, &v);
		if (sscanf(v.p, "%d.%d", &major, &minor) == 2 &&
		    (major < 2 || (major == 2 && minor < 3))) {
			log_warn("the server is OpenTSDB %s, without the 'none' "
			    "aggregator: dumping every series by its TSUID "
			    "from /api/search/lookup", v.p);
			d->fallback = 1;
		}
	}
	buf_free(&v);
	json_free(&j);
	http_req_free(r);
}

static void
free_job(struct job *jb)
{
	buf_free(&jb->out);
	free(jb);
}

static void
run(struct dump *d)
{
	struct job *jb;

	for (;;) {
		while (d->alive < d->o->c.concurrent && !d->fatal &&
		    !stop_signal && !d->exhausted) {
			if ((jb = new_job(d)) == NULL) {
				d->exhausted = 1;
				break;
			}
			if (d->tail)
				d->tail->next = jb;
			else
				d->head = jb;
			d->tail = jb;
			d->alive++;
			job_next(jb);
		}
		while (d->head && d->head->done && !d->fatal) {
			jb = d->head;
			d->head = jb->next;
			if (d->head == NULL)
				d->tail = NULL;
			d->alive--;
			write_job(d, jb);
			free_job(jb);
		}
		for (jb = d->head; jb && !d->fatal; jb = jb->next)
			if (jb->need_lookup && job_plan(d, jb) == 0)
				job_next(jb);
		if (d->fatal)
			break;
		if (d->alive == 0) {
			if (d->exhausted || stop_signal)
				break;
			continue;
		}
		progress(d);
		http_pump(d->http, -1, 500);
	}
	while ((jb = d->head) != NULL) {
		d->head = jb->next;
		free_job(jb);
	}
	d->tail = NULL;
}

/* Plans the frames of each metric; with --dump-dir, resumes after the
 * last completed frame and trims a file written past it. */
static int
plan(struct dump *d)
{
	size_t i;
	struct buf fname;
	struct dumpdir_meta meta;
	struct stat st;
	int64_t f = d->o->frame_ms;

	for (i = 0; i < d->nmetrics; i++) {
		struct metric *m = &d->metrics[i];
		int rc;

		m->start_ms = d->o->start_ms;
		if (d->o->dump_dir) {
			buf_init(&fname);
			buf_puts(&fname, d->o->dump_dir);
			if (fname.len && fname.p[fname.len - 1] != '/')
				buf_putc(&fname, '/');
			dumpdir_encode_name(&fname, m->name, strlen(m->name));
			m->file = xmalloc(fname.len + 8);
			m->meta = xmalloc(fname.len + 12);
			sprintf(m->file, "%s.ndjson", fname.p);
			sprintf(m->meta, "%s.dmeta.json", fname.p);
			buf_free(&fname);
			rc = dumpdir_read_meta(m->meta, &meta);
			if (rc < 0) {
				log_fail(&d->fatal, "%s: unreadable resume metadata: %s",
				    m->meta, strerror(errno));
				return -1;
			}
			if (rc == 1 && meta.end_ms + 1 > m->start_ms) {
				m->start_ms = meta.end_ms + 1;
				if (meta.size >= 0 && stat(m->file, &st) == 0 &&
				    st.st_size > meta.size &&
				    truncate(m->file, meta.size) < 0) {
					log_fail(&d->fatal, "%s: %s", m->file,
					    strerror(errno));
					return -1;
				}
				log_verbose("%s: resuming at %lld ms", m->name,
				    (long long)m->start_ms);
			}
		}
		m->nframes = m->start_ms >= d->o->stop_ms ? 0 :
		    (d->o->stop_ms - m->start_ms + f - 1) / f;
		d->frames_total += (uint64_t)m->nframes;
		if (m->nframes == 0)
			metric_finished(d, m);
	}
	return 0;
}

/* The shard of a metric: FNV-1a (64 bit) of its name, modulo n.  Stable
 * across runs, hosts and versions: the union of all shards is every
 * metric, each in exactly one shard. */
static unsigned
shard_of(const char *name, unsigned n)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return (unsigned)(h % n);
}

static int
select_metrics(struct dump *d)
{
	struct names ns = { NULL, 0, 0 };
	size_t i;

	if (d->o->nmetrics || d->o->metrics_file) {
		for (i = 0; i < d->o->nmetrics; i++)
			names_add(&ns, d->o->metrics[i],
			    strlen(d->o->metrics[i]));
		if (d->o->metrics_file &&
		    read_metrics_file(d, d->o->metrics_file, &ns) < 0)
			goto fail;
	} else if (discover(d, d->o->prefix ? d->o->prefix : "", &ns, 0) < 0)
		goto fail;
	names_sort_unique(&ns);
	d->metrics = xcalloc(ns.n ? ns.n : 1, sizeof(*d->metrics));
	for (i = 0; i < ns.n; i++) {
		if (d->o->nshards && shard_of(ns.v[i], d->o->nshards) !=
		    d->o->shard) {
			free(ns.v[i]);
			continue;
		}
		d->metrics[d->nmetrics++].name = ns.v[i];
	}
	free(ns.v);
	return 0;
fail:
	for (i = 0; i < ns.n; i++)
		free(ns.v[i]);
	free(ns.v);
	return -1;
}

static void
on_retry(void *ctx, const char *url, const char *why, int attempt,
    long delay_ms)
{
	struct dump *d = ctx;

	(void)url;
	log_verbose("%s: %s (attempt %d), retrying in %.1f s", d->shown, why,
	    attempt, delay_ms / 1000.0);
}

static void
on_signal(int sig)
{
	stop_signal = sig;
}

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	struct dump_opts o;
	struct dump d;
	struct http_opts ho;
	struct sigaction sa;
	char ua[64];
	size_t n, i;
	int status;
	double secs;

	parse_options(argc, argv, prog, &o);
	cli_tune_malloc();
	log_init(prog, o.c.verbosity == 0 ? LOG_QUIET : o.c.verbosity == 1 ?
	    LOG_NORMAL : LOG_VERBOSE, o.c.progress || isatty(STDERR_FILENO));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	cli_catch_signal(SIGINT, on_signal);
	cli_catch_signal(SIGTERM, on_signal);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return EXIT_FATAL;
	}
	memset(&d, 0, sizeof(d));
	d.o = &o;
	d.start_wall = http_now_ms();
	datapoint_init(&d.dp);
	n = strlen(o.endpoint);
	while (n > 0 && o.endpoint[n - 1] == '/')
		n--;
	d.base = xmemdup0(o.endpoint, n);
	d.shown = cli_mask_url(d.base);
	snprintf(ua, sizeof(ua), "otsdb-dump/%s", PACKAGE_VERSION);
	memset(&ho, 0, sizeof(ho));
	cli_http_opts(&o.c, ua, &ho);
	ho.max_response = (size_t)256 << 20;
	ho.on_retry = on_retry;
	ho.ctx = &d;
	d.http = http_new(&ho);
	if (d.http == NULL) {
		log_error("cannot create a libcurl multi handle");
		return EXIT_FATAL;
	}
	d.out = stdout;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (select_metrics(&d) == 0 && o.list_metrics) {
		for (i = 0; i < d.nmetrics; i++)
			if (printf("%s\n", d.metrics[i].name) < 0)
				break;
	} else if (!d.fatal) {
		if (o.output && (d.out = fopen(o.output, "w")) == NULL) {
			log_error("%s: %s", o.output, strerror(errno));
			d.fatal = 1;
			d.out = stdout;
		} else if (o.dump_dir && mkdir(o.dump_dir, 0777) < 0 &&
		    errno != EEXIST) {
			log_fail(&d.fatal, "%s: %s", o.dump_dir, strerror(errno));
		}
		if (d.nmetrics == 0 && !d.fatal)
			log_warn("no metric selected");
		if (!d.fatal && d.nmetrics > 0)
			detect_version(&d);
		if (!d.fatal && plan(&d) == 0)
			run(&d);
		if (d.mfile && fclose(d.mfile) != 0 && !d.fatal)
			log_fail(&d.fatal, "%s: write error: %s",
			    d.metrics[d.open_metric].file, strerror(errno));
		if (d.out != stdout && fclose(d.out) != 0 && !d.fatal)
			log_fail(&d.fatal, "%s: write error: %s", o.output,
			    strerror(errno));
	}
	if (!d.broken_pipe && fflush(stdout) != 0) {
		if (errno == EPIPE)
			d.broken_pipe = 1;
		else
			log_fail(&d.fatal, "stdout: write error: %s", strerror(errno));
	}
	log_progress_end();
	secs = (http_now_ms() - d.start_wall) / 1000.0;
	if (!o.list_metrics && !d.broken_pipe &&
	    (log_level() >= LOG_NORMAL || d.fatal))
		log_error("%s%llu metrics, %llu frames, %llu points, %llu "
		    "requests, %llu retries, %llu splits, %llu values not "
		    "dumped, %.1f s, %.0f points/s", d.fatal || stop_signal ?
		    "stopped: " : "", (unsigned long long)d.nmetrics,
		    (unsigned long long)d.frames, (unsigned long long)d.points,
		    (unsigned long long)d.requests,
		    (unsigned long long)d.retries,
		    (unsigned long long)d.splits,
		    (unsigned long long)d.bad_values, secs,
		    secs > 0 ? d.points / secs : 0.0);
	if (d.broken_pipe)
		status = 128 + SIGPIPE;
	else if (d.fatal)
		status = EXIT_FATAL;
	else if (stop_signal)
		status = 128 + stop_signal;
	else if (d.bad_values > 0)
		status = EXIT_PARTIAL;
	else
		status = EXIT_OK;
	http_free(d.http);
	for (i = 0; i < d.nmetrics; i++) {
		size_t k;

		for (k = 0; k < d.metrics[i].ntsuids; k++)
			free(d.metrics[i].tsuids[k]);
		free(d.metrics[i].tsuids);
		free(d.metrics[i].name);
		free(d.metrics[i].file);
		free(d.metrics[i].meta);
	}
	free(d.metrics);
	free(o.metrics);
	free(d.base);
	free(d.shown);
	datapoint_free(&d.dp);
	curl_global_cleanup();
	if (!d.broken_pipe && cli_close_stdout(prog) != EXIT_OK &&
	    status == EXIT_OK)
		status = EXIT_FATAL;
	return status;
}
