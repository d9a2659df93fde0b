/* dumprun.c - the dump engine: frames in flight, output in order
 * Jobs (one a frame) are created in output order and written when the
 * oldest is done; each holds the ranges it still has to fetch.  A job
 * whose query waits for a retry does not hold a slot: later jobs go on,
 * up to a reorder window of REORDER_JOBS jobs and REORDER_BYTES of
 * lines.  A metric read by series (servers without 'none', or too many
 * series for one answer) first waits for its TSUID list, one more
 * request of the queue; no callback runs inside another. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "dumprun.h"
#include "frames.h"
#include "http.h"
#include "otsdb.h"
#include "output.h"
#include "probe.h"
#include "query.h"
#include "strvec.h"
#include "timeparse.h"
#include "xalloc.h"

/* The reorder window: jobs alive, and bytes of lines they hold.  Jobs
 * cost little (about 300 bytes and their lines); the window covers the
 * backoffs of a few retries in a row on a fast server. */
#define REORDER_JOBS 16384
#define REORDER_BYTES ((size_t)16 << 20)
/* Halvings of a job after queries that timed out for good. */
#define TIMEOUT_SPLITS 3

enum lookup_state { LOOKUP_NONE, LOOKUP_RUNNING, LOOKUP_DONE };

struct metric {
	const char *name;
	int64_t start_ms;       /* first frame (later when resuming) */
	int64_t nframes;
	int64_t written;        /* frames written so far */
	struct strvec tsuids;   /* read by series: the metric's series */
	enum lookup_state lookup;
	int by_series;          /* too many series for one answer */
	int recalled;           /* tsuids came from the memory */
};

struct job {
	struct dump *d;
	size_t metric;
	struct frame_range frame; /* the whole frame */
	struct frame_todo todo;   /* ranges still to fetch */
	struct frame_range cur;   /* the range in flight */
	int by_series;            /* planned in groups of TSUIDs */
	size_t next_series;       /* then: where the next group starts */
	int waiting;              /* for its metric's TSUID list */
	int timeout_splits;
	struct buf out;           /* rendered lines, in order */
	uint64_t points;
	int done;
	struct job *next;
};

struct dump {
	const struct dump_config *cfg;
	const struct dump_events *ev;
	struct dump_counters *c;
	struct fatal *f;
	int *broken_pipe;
	struct http *http;
	struct metric *metrics;
	size_t nmetrics;
	size_t next_metric;     /* job generator position */
	int64_t next_frame;
	struct job *head, *tail;/* alive jobs, in output order */
	int alive;
	size_t buffered;        /* bytes of lines the alive jobs hold */
	int exhausted;          /* no more jobs to create */
	int fallback;           /* no 'none' aggregator: query by TSUID */
	struct query query;
};

static void job_next(struct job *jb);

static int
stopped(const struct dump *d)
{
	return d->cfg->stop != NULL && *d->cfg->stop;
}

static void
output_failed(struct dump *d, enum output_status st, const struct error *err)
{
	if (st == OUTPUT_BROKEN_PIPE) {
		*d->broken_pipe = 1;
		fatal_set(d->f, "%s", "");
	} else if (st != OUTPUT_OK)
		fatal_set(d->f, "%s", err->msg);
}

static void
metric_finished(struct dump *d, size_t idx)
{
	struct error err;
	enum output_status st;

	d->c->metrics_done++;
	st = output_metric_done(d->cfg->out, idx, &err);
	output_failed(d, st, &err);
}

/* ------------------------------------------------------------ TSUIDs */

static void job_plan(struct job *jb);

/* Whether a metric's frames are read in groups of TSUIDs. */
static int
by_series(const struct dump *d, const struct metric *m)
{
	return d->fallback || m->by_series;
}

static void
on_lookup(struct http_req *r, void *ctx)
{
	struct dump *d = r->user;
	struct metric *m = ctx;
	struct error err;
	struct job *jb;

	http_count(r, &d->c->requests, &d->c->retries);
	if (probe_lookup_answer(r, d->cfg->shown, m->name,
	    "4 x --max-response-size", &m->tsuids, NULL, NULL, &err) < 0)
		fatal_set(d->f, "%s", err.msg);
	http_req_free(r);
	m->lookup = LOOKUP_DONE;
	/* read by series because it has too many: none listed would lose
	 * them all without a word */
	if (!d->f->set && m->by_series && m->tsuids.n == 0)
		fatal_set(d->f, "%s: series lookup of %s: no series listed, "
		    "though the metric has too many for one answer; it cannot "
		    "be read by series (--max-series-per-query 0 reads it "
		    "whole)", d->cfg->shown, m->name);
	if (d->f->set)
		return;
	note(&d->ev->notes, NOTE_VERBOSE, "%s: %zu series, read in groups of "
	    "TSUIDs%s", m->name, m->tsuids.n, d->fallback ? ", one sub-query "
	    "each" : "");
	for (jb = d->head; jb; jb = jb->next)
		if (jb->waiting && &d->metrics[jb->metric] == m) {
			jb->waiting = 0;
			job_plan(jb);
			if (d->f->set)
				return;
			job_next(jb);
		}
}

/* Lists a metric's series (once), as a request of the queue. */
static void
start_lookup(struct dump *d, struct metric *m)
{
	/* a list of every series: larger than any answer of one group */
	struct http_req *r = probe_lookup_request(d->cfg->base, m->name,
	    d->cfg->max_response * 4);

	m->lookup = LOOKUP_RUNNING;
	r->done = on_lookup;
	r->ctx = m;
	r->user = d;
	http_submit(d->http, r);
}

/* ------------------------------------------------------------ jobs */

/* The ranges of a job, from the start: the whole frame, or when its
 * metric is read by series, one group of TSUIDs after the other (once
 * the metric's series are known: till then the job waits). */
static void
job_plan(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];

	d->buffered -= jb->out.len;
	buf_reset(&jb->out);
	jb->points = 0;
	jb->todo.n = 0;
	jb->next_series = 0;
	jb->waiting = 0;
	jb->by_series = by_series(d, m);
	if (!jb->by_series) {
		frames_push(&jb->todo, &jb->frame);
		return;
	}
	if (m->lookup != LOOKUP_DONE) {
		jb->waiting = 1;
		if (m->lookup == LOOKUP_NONE)
			start_lookup(d, m);
	}
}

/* The metric has too many series for one answer: its frames from now
 * on, and this one (planned whole) again, are read by series. */
static void
switch_to_series(struct job *jb, const char *why)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];

	if (!m->by_series)
		note(&d->ev->notes, NOTE_VERBOSE, "%s: %s: reading it by "
		    "series, in groups of at most %zu TSUIDs from "
		    "/api/search/lookup", m->name, why, d->cfg->max_series);
	m->by_series = 1;
	job_plan(jb);
	if (!jb->waiting && !d->f->set)
		job_next(jb);
}

static void
on_bad_value(void *ctx, const struct query_bad_value *bv)
{
	struct job *jb = ctx;
	struct dump *d = jb->d;
	const char *name = d->metrics[jb->metric].name;
	int tn = (int)(bv->tags_len > 200 ? 200 : bv->tags_len);

	if (bv->value == NULL)
		note(&d->ev->notes, NOTE_LIMITED, "%s %.*s: a series of %llu "
		    "points cannot be dumped as the server sent it: %s", name,
		    tn, bv->tags, (unsigned long long)bv->points, bv->reason);
	else
		note(&d->ev->notes, NOTE_LIMITED, "%s %.*s: value %s%.*s%s at "
		    "%lld cannot be dumped%s%s", name, tn, bv->tags,
		    bv->quoted ? "\"" : "",
		    (int)(bv->value_len > 40 ? 40 : bv->value_len), bv->value,
		    bv->quoted ? "\"" : "", (long long)bv->timestamp_ms,
		    bv->reason ? ": " : "", bv->reason ? bv->reason : "");
}

/* A query answered 2xx: render it into the job's lines. */
static void
query_answered(struct job *jb, struct http_req *r)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];
	struct query_counts qc;
	struct error err;
	char a[40], b[40];
	size_t before = jb->out.len;

	memset(&qc, 0, sizeof(qc));
	if (query_render(&d->query, r->resp.p ? r->resp.p : "[]",
	    r->resp.p ? r->resp.len : 2, m->name, jb->cur.lo, jb->cur.hi,
	    &jb->out, &qc, on_bad_value, jb, &err) < 0) {
		timeparse_format(jb->cur.lo, a, sizeof(a));
		timeparse_format(jb->cur.hi, b, sizeof(b));
		fatal_set(d->f, "%s: metric %s, frame [%s, %s): %s",
		    d->cfg->shown, m->name, a, b, err.msg);
		return;
	}
	d->buffered += jb->out.len - before;
	if (qc.aggregated > 0)
		note(&d->ev->notes, NOTE_WARN, "%s: a result aggregates series "
		    "(aggregateTags not empty)", m->name);
	jb->points += qc.points;
	d->c->bad_values += qc.bad_values;
	d->c->dropped += qc.dropped;
	if (!jb->by_series && !m->by_series && d->cfg->max_series > 0 &&
	    qc.series > d->cfg->max_series) {
		/* this answer came; the next ones may not */
		note(&d->ev->notes, NOTE_VERBOSE, "%s: an answer of %llu series "
		    "(more than --max-series-per-query): reading the next "
		    "frames by series", m->name, (unsigned long long)qc.series);
		m->by_series = 1;
	}
	job_next(jb);
}

/* Halves the range in flight into the job's todo; 0 when it cannot. */
static int
halve(struct job *jb, const char *why)
{
	struct dump *d = jb->d;
	struct frame_range first, second;
	char a[40], b[40];

	if (jb->todo.n + 2 > FRAMES_MAX_DEPTH || !frames_can_split(&jb->cur))
		return 0;
	frames_halve(&jb->cur, &first, &second);
	frames_push(&jb->todo, &second);
	frames_push(&jb->todo, &first);
	timeparse_format(jb->cur.lo, a, sizeof(a));
	timeparse_format(jb->cur.hi, b, sizeof(b));
	if (jb->cur.to > jb->cur.from)
		note(&d->ev->notes, NOTE_VERBOSE, "%s: frame [%s, %s), series "
		    "%zu to %zu: %s, splitting it in halves",
		    d->metrics[jb->metric].name, a, b, jb->cur.from,
		    jb->cur.to - 1, why);
	else
		note(&d->ev->notes, NOTE_VERBOSE, "%s: frame [%s, %s): %s, "
		    "splitting it in halves", d->metrics[jb->metric].name, a,
		    b, why);
	d->c->splits++;
	job_next(jb);
	return 1;
}

static void
on_query(struct http_req *r, void *ctx)
{
	struct job *jb = ctx;
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];
	char why[400], a[40], b[40];
	enum otsdb_query_failure kind;
	int limited = d->cfg->max_series > 0;

	http_count(r, &d->c->requests, &d->c->retries);
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated) {
		query_answered(jb, r);
		http_req_free(r);
		return;
	}
	kind = otsdb_query_classify(r->outcome == HTTP_GAVE_UP_TRANSPORT ?
	    0 : r->status, r->timed_out, r->resp.p, r->resp.len,
	    r->resp_truncated);
	if (r->resp_truncated)
		snprintf(why, sizeof(why), "the answer is longer than %zu bytes "
		    "(--max-response-size) even for this range", r->max_resp);
	else
		otsdb_failure_text(r, why, sizeof(why));
	http_req_free(r);
	if (kind == OTSDB_QUERY_NO_NONE && !d->fallback) {
		note(&d->ev->notes, NOTE_WARN, "the server has no 'none' "
		    "aggregator (OpenTSDB before 2.3): dumping every series by "
		    "its TSUID from /api/search/lookup instead");
		d->fallback = 1;
	}
	if (!jb->by_series && by_series(d, m)) {
		/* planned before its metric was read by series: again */
		job_plan(jb);
		if (!jb->waiting && !d->f->set)
			job_next(jb);
		return;
	}
	if (!jb->by_series && limited && (kind == OTSDB_QUERY_TIMED_OUT ||
	    kind == OTSDB_QUERY_TOO_MANY_SERIES)) {
		switch_to_series(jb, kind == OTSDB_QUERY_TIMED_OUT ? "a query "
		    "timed out" : "too many series for one answer");
		return;
	}
	if (kind == OTSDB_QUERY_TOO_LARGE && halve(jb, "too large for the "
	    "server"))
		return;
	if (kind == OTSDB_QUERY_TOO_MANY_SERIES && jb->by_series &&
	    halve(jb, "too many series for one answer"))
		return;
	if (kind == OTSDB_QUERY_TIMED_OUT &&
	    jb->timeout_splits < TIMEOUT_SPLITS) {
		jb->timeout_splits++;
		if (halve(jb, "timed out after its retries"))
			return;
	}
	timeparse_format(jb->cur.lo, a, sizeof(a));
	timeparse_format(jb->cur.hi, b, sizeof(b));
	fatal_set(d->f, "%s: metric %s, frame [%s, %s): %s%s", d->cfg->shown,
	    m->name, a, b, why, d->cfg->resumable ?
	    " (rerun the same command to resume)" : "");
}

/* Fetches the job's next range, or marks it done. */
static void
job_next(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];
	struct buf url, body;
	struct http_req *r;

	if (!frames_pop(&jb->todo, &jb->cur)) {
		if (!jb->by_series || jb->next_series >= m->tsuids.n) {
			jb->done = 1;
			frames_todo_free(&jb->todo);
			/* it may wait long for an older job: hold no spare
			 * room (answers reserve three times their size) */
			if (jb->out.cap > jb->out.len * 2)
				buf_shrink(&jb->out);
			return;
		}
		jb->cur = jb->frame;
		jb->cur.from = jb->next_series;
		jb->cur.to = frames_tsuid_group_end(m->tsuids.v, m->tsuids.n,
		    jb->next_series, OTSDB_TSUID_BODY_MAX, d->fallback ?
		    OTSDB_TSUID_COST_SUM : OTSDB_TSUID_COST_NONE,
		    d->cfg->max_series);
		jb->next_series = jb->cur.to;
	}
	buf_init(&url);
	buf_init(&body);
	otsdb_query_request(&url, &body, d->cfg->base, m->name, jb->cur.lo,
	    jb->cur.hi, jb->by_series ? m->tsuids.v + jb->cur.from : NULL,
	    jb->cur.to - jb->cur.from, !d->fallback);
	r = http_req_new(xmemdup0(url.p, url.len), body.len ? body.p : NULL,
	    body.len);
	if (body.len)
		body.p = NULL;
	buf_free(&url);
	buf_free(&body);
	/* the first timeout of a whole-metric query says: too many series */
	r->no_timeout_retry = !jb->by_series && d->cfg->max_series > 0;
	r->done = on_query;
	r->ctx = jb;
	http_submit(d->http, r);
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
	jb->frame = frames_nth(m->start_ms, d->cfg->stop_ms, d->cfg->frame_ms,
	    d->next_frame);
	buf_init(&jb->out);
	d->next_frame++;
	return jb;
}

static void
free_job(struct job *jb)
{
	buf_free(&jb->out);
	frames_todo_free(&jb->todo);
	free(jb);
}

/* Writes a finished job to the output. */
static void
write_job(struct dump *d, struct job *jb)
{
	struct metric *m = &d->metrics[jb->metric];
	struct error err;
	enum output_status st;

	st = output_frame(d->cfg->out, jb->metric, jb->frame.lo, jb->frame.hi,
	    jb->out.p, jb->out.len, &err);
	if (st != OUTPUT_OK) {
		output_failed(d, st, &err);
		return;
	}
	d->c->points += jb->points;
	d->c->frames++;
	m->written++;
	if (m->written == m->nframes)
		metric_finished(d, jb->metric);
}

/* Whether another job may start: a slot on the wire is free (requests
 * waiting for a retry hold none) and the reorder window has room. */
static int
room_for_job(const struct dump *d)
{
	return !d->f->set && !stopped(d) && !d->exhausted &&
	    http_busy(d->http) < (size_t)http_limit(d->http) &&
	    d->alive < REORDER_JOBS && d->buffered < REORDER_BYTES;
}

static void
run(struct dump *d)
{
	struct job *jb;

	for (;;) {
		while (room_for_job(d)) {
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
			job_plan(jb);
			if (!jb->waiting && !d->f->set)
				job_next(jb);
		}
		while (d->head && d->head->done && !d->f->set) {
			jb = d->head;
			d->head = jb->next;
			if (d->head == NULL)
				d->tail = NULL;
			d->alive--;
			d->buffered -= jb->out.len;
			write_job(d, jb);
			free_job(jb);
		}
		/* stopped: what is written is whole frames; the rest goes */
		if (d->f->set || stopped(d))
			break;
		if (d->alive == 0) {
			if (d->exhausted)
				break;
			continue;
		}
		if (d->ev->tick)
			d->ev->tick(d->ev->ctx, d->c);
		http_pump(d->http, -1, 500);
	}
	while ((jb = d->head) != NULL) {
		d->head = jb->next;
		free_job(jb);
	}
	d->tail = NULL;
}

void
dump_memory_init(struct dump_memory *mem, int64_t refresh_ms)
{
	memset(mem, 0, sizeof(*mem));
	mem->refresh_ms = refresh_ms;
	strmap_init(&mem->names);
}

void
dump_memory_free(struct dump_memory *mem)
{
	size_t i;

	for (i = 0; i < mem->names.n; i++)
		strvec_free(&mem->m[i].tsuids);
	free(mem->m);
	strmap_free(&mem->names);
	memset(mem, 0, sizeof(*mem));
}

/* What the memory holds of metric m: read by series, and its series
 * while their list is fresh (moved into m for the run, back after). */
static void
recall(struct dump *d, struct metric *m)
{
	struct dump_memory *mem = d->cfg->memory;
	struct dump_metric_memory *mm;
	size_t k;

	if (mem == NULL || (k = strmap_find(&mem->names, m->name,
	    strlen(m->name))) == (size_t)-1)
		return;
	mm = &mem->m[k];
	m->by_series = mm->by_series;
	if (!mm->listed || clock_mono_ms() - mm->listed_ms >= mem->refresh_ms)
		return;
	strvec_free(&m->tsuids);
	m->tsuids = mm->tsuids;
	strvec_init(&mm->tsuids);
	m->lookup = LOOKUP_DONE;
	m->recalled = 1;
}

/* Keeps what the run learnt of metric m: its series list moves back
 * into the memory (m's is emptied), listed now unless recalled. */
static void
remember(struct dump *d, struct metric *m)
{
	struct dump_memory *mem = d->cfg->memory;
	struct dump_metric_memory *mm;
	size_t k;
	int added;

	k = strmap_add(&mem->names, m->name, strlen(m->name), &added);
	if (k >= mem->cap) {
		size_t cap = mem->cap ? mem->cap * 2 : 64;

		mem->m = xreallocarray(mem->m, cap, sizeof(*mem->m));
		memset(mem->m + mem->cap, 0, (cap - mem->cap) *
		    sizeof(*mem->m));
		mem->cap = cap;
	}
	mm = &mem->m[k];
	if (added)
		strvec_init(&mm->tsuids);
	mm->by_series |= m->by_series;
	if (m->lookup != LOOKUP_DONE)
		return;
	strvec_free(&mm->tsuids);
	mm->tsuids = m->tsuids;
	strvec_init(&m->tsuids);
	if (!m->recalled) {
		mm->listed = 1;
		mm->listed_ms = clock_mono_ms();
	}
}

/* Asks /api/version whether 'none' exists (2.3 and later). */
static void
detect_version(struct dump *d)
{
	struct probe_counts pc = { &d->c->requests, &d->c->retries };
	struct otsdb_version v;
	struct error err;

	if (probe_version(d->http, d->cfg->base, d->cfg->shown, &v, &pc,
	    &err) == PROBE_VERSION_FOUND && !otsdb_version_has_none(&v)) {
		note(&d->ev->notes, NOTE_WARN, "the server is OpenTSDB %s, "
		    "without the 'none' aggregator: dumping every series by its "
		    "TSUID from /api/search/lookup", v.text);
		d->fallback = 1;
	}
}

/* Plans the frames of each metric, from where the output resumes. */
static int
plan(struct dump *d)
{
	struct error err;
	enum output_status st;
	size_t i;

	for (i = 0; i < d->nmetrics; i++) {
		struct metric *m = &d->metrics[i];

		st = output_metric(d->cfg->out, i, m->name, d->cfg->start_ms,
		    &m->start_ms, &err);
		if (st != OUTPUT_OK) {
			output_failed(d, st, &err);
			return -1;
		}
		m->nframes = frames_count(m->start_ms, d->cfg->stop_ms,
		    d->cfg->frame_ms);
		d->c->frames_total += (uint64_t)m->nframes;
		if (m->nframes == 0)
			metric_finished(d, i);
	}
	return d->f->set ? -1 : 0;
}

int
dump_run(const struct dump_config *cfg, const struct dump_events *ev,
    struct http *http, char *const *metrics, size_t n,
    struct dump_counters *c, struct fatal *f, int *broken_pipe)
{
	struct dump d;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.ev = ev;
	d.c = c;
	d.f = f;
	d.broken_pipe = broken_pipe;
	d.http = http;
	d.nmetrics = n;
	d.metrics = xcalloc(n ? n : 1, sizeof(*d.metrics));
	for (i = 0; i < n; i++) {
		d.metrics[i].name = metrics[i];
		strvec_init(&d.metrics[i].tsuids);
	}
	c->metrics = n;
	query_init(&d.query);
	if (cfg->memory != NULL && cfg->memory->version_known)
		d.fallback = cfg->memory->fallback;
	else if (n > 0)
		detect_version(&d);
	for (i = 0; i < n; i++)
		recall(&d, &d.metrics[i]);
	if (plan(&d) == 0)
		run(&d);
	if (cfg->memory != NULL && n > 0) {
		cfg->memory->version_known = 1;
		cfg->memory->fallback = d.fallback;
		for (i = 0; i < n; i++)
			remember(&d, &d.metrics[i]);
	}
	for (i = 0; i < n; i++)
		strvec_free(&d.metrics[i].tsuids);
	free(d.metrics);
	query_free(&d.query);
	return f->set ? -1 : 0;
}
