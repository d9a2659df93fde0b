/* dumprun.c - the dump engine: frames in flight, output in order
 * Jobs (one a frame) are kept in output order (metric, then time) and
 * written when the oldest is done; each holds the ranges it still has to
 * fetch.  Fixed frames are all known ahead, so a metric may have many in
 * flight; frames planned by the data are sized by the answers of the
 * one before, so a metric has one at a time and -c N runs N metrics at
 * once (the same frames, hence the same bytes, as -c 1).  A job whose
 * query waits for a retry does not hold a slot: later jobs go on, up to
 * a reorder window of REORDER_JOBS jobs and REORDER_BYTES of lines.  A
 * metric read by series (servers without 'none', or too many series or
 * too much data an hour for one answer) first waits for its TSUID list,
 * one more request of the queue; no callback runs inside another. */
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
	int64_t next_lo;        /* where its next frame starts */
	int64_t size_ms;        /* planned by the data: the next frame's */
	int busy;               /* jobs not answered yet */
	int alive;              /* jobs not written yet */
	int finished;           /* every frame written */
	struct job *last;       /* its last job in the list */
	size_t group_cap;       /* TSUIDs a group since a split, 0: none */
	int halve_groups;       /* its whole was too large: groups of half */
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
	int by_series;            /* read in groups of TSUIDs */
	/* by series: the time range being read group after group, the
	 * first series of its next group, and the depth of todo below the
	 * ranges that its groups' splits pushed */
	struct frame_range expand;
	int expanding;
	size_t next_series;
	int expand_base;
	int waiting;              /* for its metric's TSUID list */
	int timeout_splits;
	int time_splits;          /* split in time, on hours or below */
	int answers;              /* answers whose lines are in out */
	uint64_t answer_bytes;    /* of the answers rendered */
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
	int auto_frames;        /* frames planned by the data */
	uint64_t target;        /* their target answer size, bytes */
	size_t next_metric;     /* the first metric without a frame yet */
	size_t *ready;          /* min-heap: metrics whose next frame can be
				 * planned now */
	size_t nready;
	size_t writing;         /* the metric being written */
	struct job *head, *tail;/* alive jobs, in output order */
	int alive;
	size_t buffered;        /* bytes of lines the alive jobs hold */
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
	if (r->stopped) { /* the run ends: nothing more of this metric */
		http_req_free(r);
		return;
	}
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
			job_next(jb);
			if (d->f->set)
				return;
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

/* A job read by series needs its metric's series: till they are
 * listed (one request of the queue, the first time) it waits. */
static void
need_series(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];

	jb->by_series = 1;
	if (m->lookup != LOOKUP_DONE) {
		jb->waiting = 1;
		if (m->lookup == LOOKUP_NONE)
			start_lookup(d, m);
	}
}

/* The ranges of a job, from the start: the whole frame; when its metric
 * is read by series, the frame's groups of TSUIDs one after the other
 * (see next_range). */
static void
job_plan(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];

	d->buffered -= jb->out.len;
	buf_reset(&jb->out);
	jb->points = 0;
	jb->answer_bytes = 0;
	jb->todo.n = 0;
	jb->expanding = 0;
	jb->waiting = 0;
	jb->time_splits = 0;
	jb->answers = 0;
	jb->by_series = 0;
	frames_push(&jb->todo, &jb->frame);
	if (by_series(d, m))
		need_series(jb);
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
	jb->answer_bytes += r->resp.len;
	jb->answers++;
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

/* Splits the range in flight into the job's todo (first on top) and
 * fetches the first part. */
static void
split(struct job *jb, const struct frame_range *first,
    const struct frame_range *second, const char *why, const char *how)
{
	struct dump *d = jb->d;
	char a[40], b[40];

	frames_push(&jb->todo, second);
	frames_push(&jb->todo, first);
	timeparse_format(jb->cur.lo, a, sizeof(a));
	timeparse_format(jb->cur.hi, b, sizeof(b));
	if (jb->cur.to > jb->cur.from)
		note(&d->ev->notes, NOTE_VERBOSE, "%s: frame [%s, %s), series "
		    "%zu to %zu: %s, splitting it %s",
		    d->metrics[jb->metric].name, a, b, jb->cur.from,
		    jb->cur.to - 1, why, how);
	else
		note(&d->ev->notes, NOTE_VERBOSE, "%s: frame [%s, %s): %s, "
		    "splitting it %s", d->metrics[jb->metric].name, a, b, why,
		    how);
	d->c->splits++;
	job_next(jb);
}

/* Frames planned by the data: splits the range in flight on a whole
 * hour (no HBase row read twice); 0 when it lies inside one hour. */
static int
halve_hours(struct job *jb, const char *why)
{
	struct frame_range first, second;

	if (jb->todo.n + 2 > FRAMES_MAX_DEPTH ||
	    !frames_halve_hours(&jb->cur, &first, &second))
		return 0;
	jb->time_splits = 1;
	split(jb, &first, &second, why, "on a whole hour");
	return 1;
}

/* Halves the range in flight: by series when it holds several (later
 * groups of the metric are no larger), else by time; 0 when it cannot. */
static int
halve(struct job *jb, const char *why)
{
	struct metric *m = &jb->d->metrics[jb->metric];
	struct frame_range first, second;

	if (jb->todo.n + 2 > FRAMES_MAX_DEPTH || !frames_can_split(&jb->cur))
		return 0;
	frames_halve(&jb->cur, &first, &second);
	if (first.to > first.from && first.hi == second.hi) {
		if (m->group_cap == 0 || first.to - first.from < m->group_cap)
			m->group_cap = first.to - first.from;
	} else
		jb->time_splits = 1;
	split(jb, &first, &second, why, "in halves");
	return 1;
}

/* Frames planned by the data: a range of a whole metric inside one hour
 * is too large: it, and the metric's later frames, are read by series
 * (cutting time below an hour would read the same rows again). */
static void
series_in_place(struct job *jb, const char *why)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];
	char a[40], b[40];

	timeparse_format(jb->cur.lo, a, sizeof(a));
	timeparse_format(jb->cur.hi, b, sizeof(b));
	note(&d->ev->notes, NOTE_VERBOSE, "%s: frame [%s, %s): %s: reading it "
	    "by series, in groups of TSUIDs from /api/search/lookup", m->name,
	    a, b, why);
	d->c->splits++;
	m->by_series = 1;
	m->halve_groups = 1;
	jb->cur.from = jb->cur.to = 0;
	frames_push(&jb->todo, &jb->cur);
	need_series(jb);
	if (!jb->waiting && !d->f->set)
		job_next(jb);
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
	if (r->stopped) { /* the run ends: the frame is not written */
		http_req_free(r);
		return;
	}
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
	if (d->auto_frames && (kind == OTSDB_QUERY_TOO_LARGE ||
	    kind == OTSDB_QUERY_TOO_MANY_SERIES ||
	    (kind == OTSDB_QUERY_TIMED_OUT &&
	    jb->timeout_splits < TIMEOUT_SPLITS))) {
		const char *what = kind == OTSDB_QUERY_TOO_LARGE ? "too large "
		    "for the server" : kind == OTSDB_QUERY_TIMED_OUT ? "timed "
		    "out" : "too many series for one answer";

		if (kind == OTSDB_QUERY_TIMED_OUT)
			jb->timeout_splits++;
		if (halve_hours(jb, what))
			return;
		if (!jb->by_series && limited) {
			series_in_place(jb, what);
			return;
		}
		if (kind == OTSDB_QUERY_TIMED_OUT)
			jb->timeout_splits--;
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

/* The TSUIDs a group may hold: --max-series-per-query, and no more
 * than a group that had to be split (or half the series when the whole
 * metric was too large). */
static size_t
group_max(const struct dump *d, struct metric *m)
{
	size_t n = d->cfg->max_series;

	if (m->halve_groups && m->tsuids.n > 1) {
		m->halve_groups = 0;
		if (m->group_cap == 0 || m->group_cap > (m->tsuids.n + 1) / 2)
			m->group_cap = (m->tsuids.n + 1) / 2;
	}
	return m->group_cap > 0 && (n == 0 || m->group_cap < n) ?
	    m->group_cap : n;
}

/* The job's next range into cur; 0 when there is none.  Read by
 * series, a range of every series (from == to) is read group after
 * group; ranges its groups' splits push come before the next group. */
static int
next_range(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];

	for (;;) {
		if (jb->expanding && jb->todo.n <= jb->expand_base) {
			if (jb->next_series < m->tsuids.n) {
				jb->cur = jb->expand;
				jb->cur.from = jb->next_series;
				jb->cur.to = frames_tsuid_group_end(m->tsuids.v,
				    m->tsuids.n, jb->next_series,
				    OTSDB_TSUID_BODY_MAX, d->fallback ?
				    OTSDB_TSUID_COST_SUM : OTSDB_TSUID_COST_NONE,
				    group_max(d, m));
				jb->next_series = jb->cur.to;
				return 1;
			}
			jb->expanding = 0;
		}
		if (!frames_pop(&jb->todo, &jb->cur))
			return 0;
		if (!jb->by_series || jb->cur.to > jb->cur.from)
			return 1;
		jb->expand = jb->cur;
		jb->expanding = 1;
		jb->next_series = 0;
		jb->expand_base = jb->todo.n;
	}
}

static void ready_push(struct dump *d, size_t idx);

/* The job has all its lines.  Planned by the data, its answers size
 * the metric's next frame, which may now be planned. */
static void
job_done(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];
	int64_t size;
	int change;

	jb->done = 1;
	frames_todo_free(&jb->todo);
	/* a frame read in parts (split in time, or in groups of series)
	 * is written as one answer would have had it: the same bytes
	 * however it was split, a timeout's split included */
	if (jb->answers > 1)
		query_sort_frame(&jb->out, 0, &d->query.scratch);
	/* it may wait long for an older job: hold no spare room (answers
	 * reserve three times their size) */
	if (jb->out.cap > jb->out.len * 2)
		buf_shrink(&jb->out);
	m->busy--;
	/* the last frame sizes nothing */
	if (!d->auto_frames || m->next_lo >= d->cfg->stop_ms)
		return;
	size = frames_auto_adapt(m->size_ms, jb->frame.lo, jb->frame.hi,
	    jb->answer_bytes, d->target, &change);
	if (jb->time_splits && size >= m->size_ms) {
		/* split in time: the next frame is no larger than half */
		size = frames_hour_floor(m->size_ms / 2);
		if (size < FRAMES_HOUR_MS)
			size = FRAMES_HOUR_MS;
		change = size < m->size_ms ? -1 : 0;
	}
	if (change > 0) {
		d->c->grown++;
		m->group_cap = 0;
	} else if (change < 0)
		d->c->shrunk++;
	m->size_ms = size;
	ready_push(d, jb->metric);
}

/* Fetches the job's next range, or marks it done. */
static void
job_next(struct job *jb)
{
	struct dump *d = jb->d;
	struct metric *m = &d->metrics[jb->metric];
	struct http_req *r;

	if (!next_range(jb)) {
		job_done(jb);
		return;
	}
	r = probe_query_request(d->cfg->base, m->name, jb->cur.lo,
	    jb->cur.hi, jb->by_series ? m->tsuids.v + jb->cur.from : NULL,
	    jb->cur.to - jb->cur.from, !d->fallback);
	/* the first timeout of a whole-metric query says: too many series */
	r->no_timeout_retry = !jb->by_series && d->cfg->max_series > 0;
	r->done = on_query;
	r->ctx = jb;
	http_submit(d->http, r);
}

/* ------------------------------------------------------------ order */

/* The metrics whose next frame can be planned, lowest first: a binary
 * min-heap (a metric is in it at most once). */
static void
ready_push(struct dump *d, size_t idx)
{
	size_t i = d->nready++, up;

	d->ready = xreallocarray(d->ready, d->nready, sizeof(*d->ready));
	for (; i > 0 && d->ready[up = (i - 1) / 2] > idx; i = up)
		d->ready[i] = d->ready[up];
	d->ready[i] = idx;
}

static size_t
ready_pop(struct dump *d)
{
	size_t top = d->ready[0], last = d->ready[--d->nready], i = 0, c;

	while ((c = 2 * i + 1) < d->nready) {
		if (c + 1 < d->nready && d->ready[c + 1] < d->ready[c])
			c++;
		if (last <= d->ready[c])
			break;
		d->ready[i] = d->ready[c];
		i = c;
	}
	if (d->nready > 0)
		d->ready[i] = last;
	return top;
}

/* The metric whose frame comes next in output order, among those whose
 * next frame can be planned now; 0 when there is none yet. */
static int
next_metric(struct dump *d, size_t *idx)
{
	if (d->nready > 0) {
		*idx = d->ready[0];
		return 1;
	}
	while (d->next_metric < d->nmetrics &&
	    d->metrics[d->next_metric].finished)
		d->next_metric++;
	*idx = d->next_metric;
	return d->next_metric < d->nmetrics;
}

/* Puts jb after its metric's last job, before any later metric's. */
static void
insert_job(struct dump *d, struct job *jb)
{
	struct metric *m = &d->metrics[jb->metric];
	struct job *after = m->last, *p;

	if (after == NULL && d->tail != NULL && d->tail->metric < jb->metric)
		after = d->tail;
	else if (after == NULL)
		for (p = d->head; p != NULL && p->metric < jb->metric;
		    p = p->next)
			after = p;
	if (after == NULL) {
		jb->next = d->head;
		d->head = jb;
	} else {
		jb->next = after->next;
		after->next = jb;
	}
	if (jb->next == NULL)
		d->tail = jb;
	m->last = jb;
	d->alive++;
}

/* Creates metric idx's next frame, in output order. */
static struct job *
new_job(struct dump *d, size_t idx)
{
	struct metric *m = &d->metrics[idx];
	struct job *jb;

	if (d->nready > 0 && d->ready[0] == idx)
		(void)ready_pop(d);
	else
		d->next_metric = idx + 1;
	jb = xcalloc(1, sizeof(*jb));
	jb->d = d;
	jb->metric = idx;
	jb->frame.lo = m->next_lo;
	if (d->auto_frames) {
		jb->frame.hi = frames_auto_end(m->next_lo, d->cfg->stop_ms,
		    m->size_ms);
		d->c->frames_total++;
	} else
		jb->frame.hi = frames_fixed_end(m->next_lo, d->cfg->stop_ms,
		    d->cfg->frame_ms);
	m->next_lo = jb->frame.hi;
	m->busy++;
	m->alive++;
	/* fixed frames: the next can be planned at once */
	if (!d->auto_frames && m->next_lo < d->cfg->stop_ms)
		ready_push(d, idx);
	buf_init(&jb->out);
	insert_job(d, jb);
	return jb;
}


static void
free_job(struct job *jb)
{
	buf_free(&jb->out);
	frames_todo_free(&jb->todo);
	free(jb);
}

/* Metric idx has every frame written. */
static void
metric_complete(struct dump *d, size_t idx)
{
	d->metrics[idx].finished = 1;
	metric_finished(d, idx);
	while (d->writing < d->nmetrics && d->metrics[d->writing].finished)
		d->writing++;
}

/* Writes a finished job to the output. */
static void
write_job(struct dump *d, struct job *jb)
{
	struct metric *m = &d->metrics[jb->metric];
	struct error err;
	enum output_status st;

	if (m->last == jb)
		m->last = NULL;
	m->alive--;
	st = output_frame(d->cfg->out, jb->metric, jb->frame.lo, jb->frame.hi,
	    jb->out.p, jb->out.len, &err);
	if (st != OUTPUT_OK) {
		output_failed(d, st, &err);
		return;
	}
	d->c->points += jb->points;
	d->c->frames++;
	d->c->span_done_ms += (uint64_t)(jb->frame.hi - jb->frame.lo);
	if (m->alive == 0 && m->next_lo >= d->cfg->stop_ms)
		metric_complete(d, jb->metric);
}

/* Whether metric idx's next frame may start: a slot on the wire is free
 * (requests waiting for a retry hold none) and the reorder window has
 * room, or the output waits for that frame and nothing else. */
static int
room_for_job(const struct dump *d, size_t idx)
{
	return http_busy(d->http) < (size_t)http_limit(d->http) &&
	    ((idx == d->writing && d->metrics[idx].alive == 0) ||
	    (d->alive < REORDER_JOBS && d->buffered < REORDER_BYTES));
}

static void
run(struct dump *d)
{
	struct job *jb;
	size_t idx;

	for (;;) {
		while (!d->f->set && !stopped(d) && next_metric(d, &idx) &&
		    room_for_job(d, idx)) {
			jb = new_job(d, idx);
			job_plan(jb);
			if (!jb->waiting && !d->f->set)
				job_next(jb);
		}
		while (d->head && d->head->done &&
		    d->head->metric == d->writing && !d->f->set) {
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
		if (d->f->set || stopped(d) || d->writing >= d->nmetrics)
			break;
		if (d->alive == 0)
			continue;
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

/* Where each metric's frames start (where the output resumes) and,
 * for fixed frames, how many there are. */
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
		m->next_lo = m->start_ms;
		m->size_ms = FRAMES_AUTO_FIRST_MS;
		if (!d->auto_frames)
			d->c->frames_total += (uint64_t)frames_count(
			    m->start_ms, d->cfg->stop_ms, d->cfg->frame_ms);
		if (m->start_ms < d->cfg->stop_ms)
			d->c->span_ms += (uint64_t)(d->cfg->stop_ms -
			    m->start_ms);
		else
			metric_complete(d, i);
		if (d->f->set)
			return -1;
	}
	return 0;
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
	d.auto_frames = cfg->frame_ms == 0;
	d.target = cfg->max_response / DUMP_TARGET_SHARE;
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
	free(d.ready);
	query_free(&d.query);
	return f->set ? -1 : 0;
}
