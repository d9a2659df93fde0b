/* otsdb-restore.c - main of otsdb-restore: otsdb NDJSON into /api/put
 * options -> read lines -> validate -> size-capped batches -> libcurl
 * multi -> per-point results, reject file, resume metadata -> summary. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "batch.h"
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
#include "seedcsv.h"
#include "xalloc.h"

#define MAX_SHOWN_ERRORS 100

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
	struct cli_common c;     /* shared HTTP and output options */
};

struct counters {
	uint64_t lines;
	uint64_t points;         /* valid datapoints read */
	uint64_t stored;
	uint64_t rejected_lines; /* bad input */
	uint64_t rejected_points; /* refused by the server, or too big */
	uint64_t requests;       /* HTTP attempts */
	uint64_t retries;
	uint64_t bytes_sent;
	int64_t start_ms;
};

/* Resume bookkeeping of one --dump-dir file: a FIFO of offsets that
 * become safe once every batch before them is acknowledged. */
struct ack {
	uint64_t offset;
	int done;
};

struct input {
	char *path;
	char *rmeta;            /* FILE.rmeta.json, or NULL */
	struct ack *q;
	uint64_t qbase;         /* sequence number of q[0] */
	size_t qlen;
	size_t qcap;
	uint64_t acked;         /* offset last written to rmeta */
	int reading_done;
};

struct run {
	const struct restore_opts *o;
	struct counters c;
	struct http *http;
	char *url;
	char *shown_url;
	FILE *reject;
	struct input *inputs;
	int ninputs;
	int fatal;
	int shown_errors;
	struct datapoint dp;
	struct buf enc;
	int64_t next_progress_ms;
};

struct pending {
	struct run *run;
	struct batch *batch;
	int input;
	uint64_t seq;
};

static volatile sig_atomic_t stop_signal;

static const struct cli_help_row help_rows[] = {
	{ 'c', "concurrent", "N", "requests in flight at once (default 1)" },
	{ 0, "cacert", "FILE", "CA certificates to verify the server with" },
	{ 0, "dump-dir", "DIR", "read every *.ndjson file in DIR, in name "
	  "order, and resume with FILE.rmeta.json" },
	{ 'n', "dry-run", NULL, "read, validate and batch, but send nothing" },
	{ 'h', "help", NULL, "print this help and exit" },
	{ 'k', "insecure", NULL, "do not verify the server's TLS certificate" },
	{ 0, "max-line-length", "BYTES", "longest input line accepted "
	  "(default 1M)" },
	{ 0, "max-points", "N", "at most N datapoints a request (default: no "
	  "limit)" },
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
	{ 0, "retries", "N", "retries of a failed request (default 5)" },
	{ 0, "timeout", "SECONDS", "time limit of one request (default 30)" },
	{ 'u', "user", "USER:PASS", "HTTP basic authentication" },
	{ 'v', "verbose", NULL, "report every retry and refused point" },
	{ 'V', "version", NULL, "print the version and exit" },
	{ 0, NULL, NULL, NULL }
};

enum {
	OPT_DUMP_DIR = CLI_OPT_TOOL,
	OPT_MAX_LINE,
	OPT_MAX_POINTS,
	OPT_REJECT_FILE,
	OPT_REMOVE_METADATA,
};

static const struct option long_options[] = {
	{ "cacert", required_argument, NULL, CLI_OPT_CACERT },
	{ "concurrent", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "dump-dir", required_argument, NULL, OPT_DUMP_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "max-line-length", required_argument, NULL, OPT_MAX_LINE },
	{ "max-points", required_argument, NULL, OPT_MAX_POINTS },
	{ "netrc", no_argument, NULL, CLI_OPT_NETRC },
	{ "progress", no_argument, NULL, CLI_OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "reject-file", required_argument, NULL, OPT_REJECT_FILE },
	{ "remove-metadata", no_argument, NULL, OPT_REMOVE_METADATA },
	{ "request-size-limit", required_argument, NULL, 's' },
	{ "retries", required_argument, NULL, CLI_OPT_RETRIES },
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
	    "OPENTSDB_ENDPOINT/api/put.\n"
	    "\n"
	    "Exit status: 0 every datapoint stored, 1 some were rejected (see\n"
	    "--reject-file), 2 usage error, 3 fatal error.",
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
		case OPT_DUMP_DIR:
			o->dump_dir = optarg;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'h':
			usage(stdout);
			exit(cli_close_stdout(prog));
		case OPT_MAX_LINE:
			if (cli_parse_size(optarg, 64, (uint64_t)1 << 30,
			    &o->max_line) < 0)
				cli_usage_error(prog, "invalid --max-line-length "
				    "'%s' (64 to 1G)", optarg);
			break;
		case OPT_MAX_POINTS:
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
		case 's':
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
}

/* ------------------------------------------------------------ inputs */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static char *
path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p = xmalloc(n + strlen(name) + 2);

	sprintf(p, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
	return p;
}

/* Lists DIR's *.ndjson files in byte order.  Returns -1 on error. */
static int
list_dump_dir(struct run *run, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL) {
		log_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!ends_with(e->d_name, ".ndjson") || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	run->inputs = xcalloc(n ? n : 1, sizeof(*run->inputs));
	for (i = 0; i < n; i++) {
		struct input *in = &run->inputs[i];

		in->path = path_join(dir, names[i]);
		in->rmeta = xmalloc(strlen(in->path) + 12);
		sprintf(in->rmeta, "%s.rmeta.json", in->path);
		free(names[i]);
	}
	free(names);
	run->ninputs = (int)n;
	return 0;
}

/* Reads FILE.rmeta.json: {"offset": N}.  0 when absent. */
static int
read_rmeta(const char *path, uint64_t *offset)
{
	char text[512];
	struct json j;
	struct error err;
	size_t n;
	int64_t v;
	int fd = open(path, O_RDONLY | O_CLOEXEC), t;
	ssize_t got;

	*offset = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got < 0)
		return -1;
	n = (size_t)got;
	json_init(&j);
	if (json_parse(&j, text, n, &err) < 0 ||
	    (t = json_member(&j, 0, "offset")) < 0 ||
	    json_int64(&j, t, &v) < 0 || v < 0) {
		json_free(&j);
		errno = EINVAL;
		return -1;
	}
	json_free(&j);
	*offset = (uint64_t)v;
	return 0;
}

/* Writes FILE.rmeta.json atomically (the seed's format). */
static int
write_rmeta(const char *path, uint64_t offset)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "{\"offset\": %llu}\n",
	    (unsigned long long)offset);

	return dumpdir_write_atomic(path, text, (size_t)n);
}

static uint64_t
ack_push(struct input *in, uint64_t offset, int done)
{
	if (in->qlen == in->qcap) {
		in->qcap = in->qcap ? in->qcap * 2 : 16;
		in->q = xreallocarray(in->q, in->qcap, sizeof(*in->q));
	}
	in->q[in->qlen].offset = offset;
	in->q[in->qlen].done = done;
	in->qlen++;
	return in->qbase + in->qlen - 1;
}

/* Marks entry seq done and writes the new contiguous offset. */
static void
ack_done(struct run *run, struct input *in, uint64_t seq)
{
	size_t k = 0;
	uint64_t off = in->acked;

	if (seq != UINT64_MAX)
		in->q[seq - in->qbase].done = 1;
	while (k < in->qlen && in->q[k].done)
		off = in->q[k++].offset;
	if (k == 0)
		return;
	memmove(in->q, in->q + k, (in->qlen - k) * sizeof(*in->q));
	in->qlen -= k;
	in->qbase += k;
	if (in->rmeta == NULL || run->o->dry_run || off == in->acked)
		return;
	in->acked = off;
	if (write_rmeta(in->rmeta, off) < 0) {
		log_error("%s: cannot write resume metadata: %s", in->rmeta,
		    strerror(errno));
		run->fatal = 1;
	}
}

/* ------------------------------------------------------------ rejects */

static void
reject(struct run *run, const char *source, uint64_t lineno,
    const char *error, const char *line, size_t len, int truncated)
{
	struct buf b;
	char src[64];

	if (lineno)
		snprintf(src, sizeof(src), ":%llu", (unsigned long long)lineno);
	else
		strcpy(src, ":?");
	if (run->reject == NULL)
		return;
	buf_init(&b);
	buf_puts(&b, "{\"source\":");
	{
		struct buf s;

		buf_init(&s);
		buf_puts(&s, source);
		buf_puts(&s, src);
		json_put_bytes(&b, s.p, s.len);
		buf_free(&s);
	}
	buf_puts(&b, ",\"error\":");
	json_put_bytes(&b, error, strlen(error));
	buf_puts(&b, ",\"line\":");
	json_put_bytes(&b, line, len);
	if (truncated)
		buf_puts(&b, ",\"truncated\":true");
	buf_puts(&b, "}\n");
	if (fwrite(b.p, 1, b.len, run->reject) != b.len ||
	    fflush(run->reject) != 0) {
		log_error("%s: write error: %s", run->o->reject_file,
		    strerror(errno));
		run->fatal = 1;
	}
	buf_free(&b);
}

static void
bad_line(struct run *run, const struct lineio *in, const char *msg,
    const char *line, size_t len, int truncated)
{
	run->c.rejected_lines++;
	if (run->shown_errors < MAX_SHOWN_ERRORS ||
	    log_level() >= LOG_VERBOSE)
		log_error("%s:%llu: %s", in->name,
		    (unsigned long long)in->lineno, msg);
	else if (run->shown_errors == MAX_SHOWN_ERRORS)
		log_error("further bad lines are not shown%s",
		    run->reject ? " (see the reject file)" : "");
	run->shown_errors++;
	reject(run, in->name, in->lineno, msg, line, len, truncated);
}

/* ------------------------------------------------------------ responses */


/* Whether a refusal is about the request itself (its size/chunking). */
static int
request_level(const struct http_req *r, const char *msg)
{
	return r->status == 413 || strstr(msg, "Chunked request") != NULL ||
	    strstr(msg, "too big") != NULL ||
	    strstr(msg, "content length exceeded") != NULL;
}

/* Finds the batch point a server error names (metric, time, tags). */
static int
match_point(struct run *run, const struct pending *p, const char *body,
    const struct json *j, int dpt, unsigned char *used)
{
	int tm = json_member(j, dpt, "metric");
	int tt = json_member(j, dpt, "timestamp");
	int tg = json_member(j, dpt, "tags");
	int64_t ts;
	size_t i, k;
	struct error err;

	if (tm < 0 || tt < 0 || json_int64(j, tt, &ts) < 0)
		return -1;
	if (ts > 0 && ts <= 4294967295LL)
		ts *= 1000;
	for (i = 0; i < p->batch->n; i++) {
		const struct batch_point *bp = &p->batch->pts[i];
		struct datapoint *dp = &run->dp;

		if (used[i])
			continue;
		if (datapoint_decode(dp, body + bp->off, bp->len, &err) < 0)
			continue;
		if (dp->timestamp_ms != ts ||
		    !json_streq(j, tm, dp->metric, dp->metric_len))
			continue;
		if (tg >= 0) {
			if ((size_t)json_count(j, tg) != dp->ntags)
				continue;
			for (k = 0; k < dp->ntags; k++) {
				char *key = xmemdup0(dp->tags[k].key,
				    dp->tags[k].key_len);
				int tv = json_member(j, tg, key);

				free(key);
				if (tv < 0 || !json_streq(j, tv, dp->tags[k].val,
				    dp->tags[k].val_len))
					break;
			}
			if (k < dp->ntags)
				continue;
		}
		used[i] = 1;
		return (int)i;
	}
	return -1;
}

/* A 400 with a details body: store the count, reject the named points.
 * Returns -1 when the body is not a details response. */
static int
handle_details(struct run *run, struct pending *p, struct http_req *r)
{
	struct json j;
	struct error err;
	int ts, tf, te, i, k, n, idx;
	int64_t success, failed;
	unsigned char *used;
	const char *src = run->inputs[p->input].path;
	struct buf msg;

	json_init(&j);
	if (r->resp_truncated || json_parse(&j, r->resp.p ? r->resp.p : "",
	    r->resp.len, &err) < 0 || json_type(&j, 0) != JSON_OBJECT ||
	    (ts = json_member(&j, 0, "success")) < 0 ||
	    (tf = json_member(&j, 0, "failed")) < 0 ||
	    json_int64(&j, ts, &success) < 0 ||
	    json_int64(&j, tf, &failed) < 0 || failed < 0 ||
	    (uint64_t)failed > p->batch->n) {
		json_free(&j);
		return -1;
	}
	te = json_member(&j, 0, "errors");
	n = json_type(&j, te) == JSON_ARRAY ? json_count(&j, te) : 0;
	used = xcalloc(p->batch->n ? p->batch->n : 1, 1);
	buf_init(&msg);
	for (i = 0, k = te + 1; i < n; i++, k = json_next(&j, k)) {
		int tdp = json_member(&j, k, "datapoint");
		int terr = json_member(&j, k, "error");
		const char *line;
		size_t len;
		uint64_t lineno = 0;

		buf_reset(&msg);
		if (terr >= 0 && json_type(&j, terr) == JSON_STRING)
			json_unescape(&j, terr, &msg);
		else
			buf_puts(&msg, "refused by the server");
		idx = tdp >= 0 ? match_point(run, p, r->body, &j, tdp, used) :
		    -1;
		if (idx >= 0) {
			line = r->body + p->batch->pts[idx].off;
			len = p->batch->pts[idx].len;
			lineno = p->batch->pts[idx].lineno;
		} else {
			line = tdp >= 0 ? json_raw(&j, tdp, &len) : "";
			if (tdp < 0)
				len = 0;
		}
		log_verbose("%s:%llu: refused by the server: %s", src,
		    (unsigned long long)lineno, msg.p);
		reject(run, src, lineno, msg.p, line, len, 0);
	}
	if (failed > n) {
		/* counted but not listed: say so, they are not stored */
		log_error("%s: the server refused %lld points without naming "
		    "them", src, (long long)(failed - n));
	}
	run->c.rejected_points += (uint64_t)failed;
	run->c.stored += p->batch->n - (uint64_t)failed;
	if (failed > 0)
		log_warn("%s: the server refused %lld of %zu points in a "
		    "request%s", src, (long long)failed, p->batch->n,
		    run->reject ? " (see the reject file)" : "");
	free(used);
	buf_free(&msg);
	json_free(&j);
	return 0;
}

static void
on_done(struct http_req *r, void *ctx)
{
	struct pending *p = ctx;
	struct run *run = p->run;
	char msg[400];

	run->c.requests += (uint64_t)r->attempts;
	run->c.retries += (uint64_t)(r->attempts - 1);
	if (r->status > 0) /* bytes the server took and answered */
		run->c.bytes_sent += r->body_len;
	switch (r->outcome) {
	case HTTP_DONE_2XX:
		run->c.stored += p->batch->n;
		ack_done(run, &run->inputs[p->input], p->seq);
		break;
	case HTTP_DONE_STATUS:
		http_error_text(r, msg, sizeof(msg));
		if (r->status == 400 && handle_details(run, p, r) == 0) {
			ack_done(run, &run->inputs[p->input], p->seq);
			break;
		}
		if (request_level(r, msg))
			log_fail(&run->fatal, "the server refused a request of %zu bytes "
			    "(HTTP %ld: %s); OpenTSDB takes at most 8192 bytes "
			    "without chunking, 4096 with "
			    "tsd.http.request.enable_chunked: try "
			    "--request-size-limit 4096", r->body_len,
			    r->status, msg);
		else
			log_fail(&run->fatal, "%s: HTTP %ld: %s", run->shown_url,
			    r->status, msg);
		break;
	case HTTP_GAVE_UP_STATUS:
		http_error_text(r, msg, sizeof(msg));
		log_fail(&run->fatal, "%s: HTTP %ld after %d attempts: %s", run->shown_url,
		    r->status, r->attempts, msg);
		break;
	case HTTP_GAVE_UP_TRANSPORT:
		log_fail(&run->fatal, "%s: %s after %d attempts%s", run->shown_url,
		    r->error, r->attempts,
		    r->transport_code == CURLE_GOT_NOTHING &&
		    r->body_len > 4096 ? " (an OpenTSDB with chunked requests "
		    "closes the connection when a body exceeds "
		    "tsd.http.request.max_chunk, 4096 by default: try "
		    "--request-size-limit 4096)" : "");
		break;
	}
	batch_free(p->batch);
	free(p);
	http_req_free(r);
}

static void
on_retry(void *ctx, const char *url, const char *why, int attempt,
    long delay_ms)
{
	struct run *run = ctx;

	(void)url;
	log_verbose("%s: %s (attempt %d), retrying in %.1f s",
	    run->shown_url, why, attempt, delay_ms / 1000.0);
}

/* ------------------------------------------------------------ main loop */

static void
progress(struct run *run, int force)
{
	int64_t now = http_now_ms();
	double secs;

	if (!force && now < run->next_progress_ms)
		return;
	run->next_progress_ms = now + 1000;
	secs = (now - run->c.start_ms) / 1000.0;
	log_progress("%llu lines, %llu stored, %llu rejected, %.0f points/s",
	    (unsigned long long)run->c.lines,
	    (unsigned long long)run->c.stored,
	    (unsigned long long)(run->c.rejected_lines +
	    run->c.rejected_points),
	    secs > 0 ? run->c.stored / secs : 0.0);
}

/* lineio calls this before read(2): serve transfers until fd is ready. */
static void
wait_input(void *ctx, int fd)
{
	struct run *run = ctx;

	while (http_pending(run->http) > 0 && !stop_signal) {
		progress(run, 0);
		if (http_pump(run->http, fd, 500))
			return;
	}
}

static void
submit(struct run *run, struct batch *b, int input, uint64_t ack_offset)
{
	struct pending *p;
	struct http_req *r;

	batch_finish(b);
	if (run->o->dry_run) {
		run->c.requests++;
		run->c.bytes_sent += b->body.len;
		ack_push(&run->inputs[input], ack_offset, 1);
		batch_free(b);
		return;
	}
	while (http_pending(run->http) >= (size_t)run->o->c.concurrent &&
	    !run->fatal) {
		progress(run, 0);
		http_pump(run->http, -1, 500);
	}
	if (run->fatal) {
		batch_free(b);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->run = run;
	p->batch = b;
	p->input = input;
	p->seq = ack_push(&run->inputs[input], ack_offset, 0);
	r = http_req_new(xstrdup(run->url), b->body.p, b->body.len);
	b->body.p = NULL; /* the request owns the body now */
	r->done = on_done;
	r->ctx = p;
	http_submit(run->http, r);
	http_pump(run->http, -1, 0);
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Whether a line is a row of the old tool's dump files
 * (timestamp|metric|tags|value) rather than a JSON object.  Decided line
 * by line, since a resumed old dump may hold both. */
static int
old_row(const char *s, size_t n)
{
	size_t i, bars = 0;

	if (n == 0 || ((s[0] < '0' || s[0] > '9') && s[0] != '"'))
		return 0;
	for (i = 0; i < n; i++)
		bars += s[i] == '|';
	return bars >= 3;
}

/* Reads one input to its end (or a stop).  Returns -1 on a fatal error. */
static int
restore_input(struct run *run, int idx)
{
	struct input *in = &run->inputs[idx];
	struct lineio lr;
	struct error err;
	struct batch *b;
	const char *line;
	size_t len;
	uint64_t start = 0;
	enum lineio_result lres;
	enum batch_result br;
	char msg[300];

	if (lineio_open(&lr, in->path, run->o->max_line, &err) < 0) {
		log_fail(&run->fatal, "%s", err.msg);
		return -1;
	}
	lr.wait = wait_input;
	lr.wait_ctx = run;
	lr.stop = &stop_signal;
	if (in->rmeta != NULL) {
		if (read_rmeta(in->rmeta, &start) < 0) {
			log_fail(&run->fatal, "%s: unreadable resume metadata: %s",
			    in->rmeta, strerror(errno));
			lineio_close(&lr);
			return -1;
		}
		if (start > 0) {
			if (lineio_skip(&lr, start, &err) < 0) {
				log_fail(&run->fatal, "%s", err.msg);
				lineio_close(&lr);
				return -1;
			}
			log_warn("%s: resuming after line %llu (byte %llu)",
			    in->path, (unsigned long long)lr.lineno,
			    (unsigned long long)start);
		}
		in->acked = start;
	}
	b = batch_new(run->o->size_limit, run->o->max_points, idx);
	while (!run->fatal && !stop_signal) {
		lres = lineio_next(&lr, &line, &len, &err);
		if (lres == LINEIO_EOF)
			break;
		if (lres == LINEIO_ERROR) {
			if (!stop_signal)
				log_fail(&run->fatal, "%s", err.msg);
			break;
		}
		run->c.lines++;
		if (lres == LINEIO_LONG) {
			snprintf(msg, sizeof(msg), "line is longer than %llu "
			    "bytes (--max-line-length)",
			    (unsigned long long)run->o->max_line);
			bad_line(run, &lr, msg, line, len, 1);
			continue;
		}
		if (blank(line, len))
			continue;
		if ((old_row(line, len) ? seedcsv_decode(&run->dp, line, len,
		    &err) : datapoint_decode(&run->dp, line, len, &err)) < 0) {
			bad_line(run, &lr, err.msg, line, len, 0);
			continue;
		}
		run->c.points++;
		buf_reset(&run->enc);
		datapoint_encode(&run->dp, &run->enc);
		br = batch_add(b, run->enc.p, run->enc.len, lr.lineno,
		    lr.offset);
		if (br == BATCH_FULL) {
			submit(run, b, idx, b->pts[b->n - 1].end_offset);
			b = batch_new(run->o->size_limit, run->o->max_points,
			    idx);
			br = batch_add(b, run->enc.p, run->enc.len, lr.lineno,
			    lr.offset);
		}
		if (br == BATCH_TOO_BIG) {
			snprintf(msg, sizeof(msg), "datapoint of %zu bytes does "
			    "not fit in a request of --request-size-limit %llu "
			    "bytes", run->enc.len,
			    (unsigned long long)run->o->size_limit);
			run->c.points--;
			run->c.rejected_points++;
			if (run->shown_errors++ < MAX_SHOWN_ERRORS ||
			    log_level() >= LOG_VERBOSE)
				log_error("%s:%llu: %s", lr.name,
				    (unsigned long long)lr.lineno, msg);
			reject(run, lr.name, lr.lineno, msg, run->enc.p,
			    run->enc.len, 0);
		}
		if ((run->c.lines & 1023) == 0)
			progress(run, 0);
	}
	if (b->n > 0 && !run->fatal)
		submit(run, b, idx, b->pts[b->n - 1].end_offset);
	else
		batch_free(b);
	if (!run->fatal && !stop_signal) {
		/* lines after the last point (bad or blank) are done too */
		ack_push(in, lr.offset, 1);
		ack_done(run, in, UINT64_MAX);
		in->reading_done = 1;
	}
	lineio_close(&lr);
	return run->fatal ? -1 : 0;
}

static void
summary(struct run *run)
{
	double secs = (http_now_ms() - run->c.start_ms) / 1000.0;
	uint64_t rejected = run->c.rejected_lines + run->c.rejected_points;

	log_progress_end();
	if (log_level() < LOG_NORMAL && !run->fatal)
		return;
	if (run->o->dry_run)
		log_error("dry run: %llu lines read, %llu valid points, "
		    "%llu rejected, %llu requests of at most %llu bytes "
		    "(%llu bytes) not sent",
		    (unsigned long long)run->c.lines,
		    (unsigned long long)run->c.points,
		    (unsigned long long)rejected,
		    (unsigned long long)run->c.requests,
		    (unsigned long long)run->o->size_limit,
		    (unsigned long long)run->c.bytes_sent);
	else
		log_error("%s%llu lines read, %llu points stored, %llu "
		    "rejected, %llu requests, %llu retries, %llu bytes sent, "
		    "%.1f s, %.0f points/s", run->fatal ? "stopped: " : "",
		    (unsigned long long)run->c.lines,
		    (unsigned long long)run->c.stored,
		    (unsigned long long)rejected,
		    (unsigned long long)run->c.requests,
		    (unsigned long long)run->c.retries,
		    (unsigned long long)run->c.bytes_sent, secs,
		    secs > 0 ? run->c.stored / secs : 0.0);
}

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static int
setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	cli_catch_signal(SIGINT, on_signal);
	cli_catch_signal(SIGTERM, on_signal);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	struct restore_opts o;
	struct run run;
	struct http_opts ho;
	char ua[64];
	int i, status;
	size_t n;

	parse_options(argc, argv, prog, &o);
	cli_tune_malloc();
	log_init(prog, o.c.verbosity == 0 ? LOG_QUIET : o.c.verbosity == 1 ?
	    LOG_NORMAL : LOG_VERBOSE, o.c.progress || isatty(STDERR_FILENO));
	setup_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		return EXIT_FATAL;
	}
	memset(&run, 0, sizeof(run));
	run.o = &o;
	run.c.start_ms = http_now_ms();
	datapoint_init(&run.dp);
	buf_init(&run.enc);
	n = strlen(o.endpoint);
	while (n > 0 && o.endpoint[n - 1] == '/')
		n--;
	run.url = xmalloc(n + sizeof("/api/put?details"));
	memcpy(run.url, o.endpoint, n);
	strcpy(run.url + n, "/api/put?details");
	run.shown_url = cli_mask_url(run.url);
	if (o.dump_dir) {
		if (list_dump_dir(&run, o.dump_dir) < 0)
			return EXIT_FATAL;
		if (run.ninputs == 0)
			log_warn("%s: no *.ndjson files", o.dump_dir);
	} else {
		run.ninputs = o.nfiles ? o.nfiles : 1;
		run.inputs = xcalloc((size_t)run.ninputs, sizeof(*run.inputs));
		for (i = 0; i < run.ninputs; i++)
			run.inputs[i].path = xstrdup(o.nfiles ? o.files[i] :
			    "-");
	}
	if (o.reject_file) {
		run.reject = fopen(o.reject_file, "w");
		if (run.reject == NULL) {
			log_error("%s: %s", o.reject_file, strerror(errno));
			return EXIT_FATAL;
		}
	}
	snprintf(ua, sizeof(ua), "otsdb-restore/%s", PACKAGE_VERSION);
	memset(&ho, 0, sizeof(ho));
	cli_http_opts(&o.c, ua, &ho);
	ho.max_response = (size_t)o.size_limit * 4 + 65536;
	ho.on_retry = on_retry;
	ho.ctx = &run;
	run.http = http_new(&ho);
	if (run.http == NULL) {
		log_error("cannot create a libcurl multi handle");
		return EXIT_FATAL;
	}
	for (i = 0; i < run.ninputs && !run.fatal && !stop_signal; i++)
		restore_input(&run, i);
	while (http_pending(run.http) > 0) {
		progress(&run, 0);
		http_pump(run.http, -1, 500);
	}
	for (i = 0; i < run.ninputs; i++) {
		struct input *in = &run.inputs[i];

		if (o.remove_metadata && in->rmeta && in->reading_done &&
		    in->qlen == 0 && !o.dry_run && unlink(in->rmeta) < 0 &&
		    errno != ENOENT)
			log_error("%s: %s", in->rmeta, strerror(errno));
	}
	if (run.reject && fclose(run.reject) != 0) {
		log_error("%s: write error: %s", o.reject_file,
		    strerror(errno));
		run.fatal = 1;
	}
	summary(&run);
	if (run.fatal)
		status = EXIT_FATAL;
	else if (stop_signal)
		status = 128 + stop_signal;
	else if (run.c.rejected_lines + run.c.rejected_points > 0)
		status = EXIT_PARTIAL;
	else
		status = EXIT_OK;
	for (i = 0; i < run.ninputs; i++) {
		free(run.inputs[i].path);
		free(run.inputs[i].rmeta);
		free(run.inputs[i].q);
	}
	free(run.inputs);
	free(run.url);
	free(run.shown_url);
	http_free(run.http);
	datapoint_free(&run.dp);
	buf_free(&run.enc);
	curl_global_cleanup();
	if (cli_close_stdout(prog) != EXIT_OK)
		status = EXIT_FATAL;
	return status;
}
