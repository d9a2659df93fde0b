/* check.c - otsdb-restore --check: the stream against what the target
 * holds.  Points are read in chunks (CHECK_CHUNK_POINTS); a chunk's
 * series are asked of the target in groups, each over the time its
 * points span, and every point is then found, missing or different.
 * An answer too large is asked again in halves: memory stays bounded by
 * the chunk and CHECK_MAX_ANSWER whatever the stream's length. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "checkchunk.h"
#include "checkreport.h"
#include "clock.h"
#include "compare.h"
#include "datapoint.h"
#include "http.h"
#include "input.h"
#include "otsdb.h"
#include "probe.h"
#include "target.h"
#include "xalloc.h"
#include "vmsettings.h"

/* What a request holds: sub-queries (OpenTSDB: a POST body of at most
 * OTSDB_TSUID_BODY_MAX bytes) or selectors (VictoriaMetrics: a URL). */
#define GROUP_BYTES 6000
#define GROUP_SERIES 64

struct run;

struct creq {
	struct run *run;
	struct span *spans;      /* in series order */
	size_t nspans;
	int64_t lo, hi;
};

struct run {
	const struct check_config *cfg;
	const struct check_events *ev;
	struct check_counters *c;
	struct check_summary *sum;
	struct fatal *fatal;
	struct http *http;
	struct http_loop loop;
	struct check_chunk ch;   /* the points read, and what was found */
	struct input_opts io;
	int by_tsuid;            /* each series by its TSUID (a lookup) */
	int no_none;             /* the target has no 'none': by TSUID */
	struct target_reader reader;
	const struct creq *cur;  /* the request whose answer is read */
	/* scratch */
	struct datapoint dp;
	struct buf key, line;
};

static void submit(struct run *run, struct creq *q);

static int
stopped(const struct run *run)
{
	return run->cfg->stop != NULL && *run->cfg->stop;
}

static void
tick(struct run *run)
{
	if (run->ev->tick)
		run->ev->tick(run->ev->ctx, run->c);
}

/* The transport's loops, ticking, given up on a fatal error or a stop. */
static void
loop_tick(void *ctx)
{
	tick(ctx);
}

static int
loop_give_up(void *ctx)
{
	struct run *run = ctx;

	return run->fatal->set || stopped(run);
}

/* ------------------------------------------------------------ reading */

/* Adds run->dp to the chunk: a new series with its selector. */
static void
add_point(struct run *run)
{
	struct check_chunk *ch = &run->ch;
	int added;
	size_t idx = checkchunk_add(ch, &run->dp, &added);
	struct cseries *s = &ch->series[idx];

	if (added) {
		s->sel_off = ch->sels.len;
		if (!run->by_tsuid) /* else from the lookup */
			target_selector(run->cfg->target, &ch->sels,
			    &run->dp);
		s->sel_len = ch->sels.len - s->sel_off;
		s->metric = checkreport_metric(run->sum, run->dp.metric,
		    run->dp.metric_len);
	}
	run->sum->m[s->metric].points++;
}

/* ------------------------------------------------------------ answers */

/* The span of series s in q, or (size_t)-1. */
static size_t
span_of(const struct creq *q, size_t s)
{
	size_t lo = 0, hi = q->nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->spans[mid].series == s)
			return mid;
		if (q->spans[mid].series < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

/* The span in the request of an answer's series, or (size_t)-1 when it
 * is not one the request asked for (a series with more tags). */
static size_t
answer_series(void *ctx, const struct datapoint *dp)
{
	struct run *run = ctx;
	size_t s = checkchunk_find(&run->ch, dp);

	return s == (size_t)-1 ? s : span_of(run->cur, s);
}

static void
answer_point(void *ctx, size_t span, int64_t ts, const char *val,
    size_t len)
{
	struct run *run = ctx;

	checkchunk_got(&run->ch, span, ts, val, len);
}

static struct creq *
new_req(struct run *run, const struct span *spans, size_t n)
{
	struct creq *q = xcalloc(1, sizeof(*q));
	size_t i;

	q->run = run;
	q->spans = xreallocarray(NULL, n, sizeof(*q->spans));
	memcpy(q->spans, spans, n * sizeof(*spans));
	q->nspans = n;
	q->lo = INT64_MAX;
	q->hi = INT64_MIN;
	for (i = 0; i < n; i++) {
		const struct cpoint *a = &run->ch.pts[spans[i].first];
		const struct cpoint *b = &run->ch.pts[spans[i].first +
		    spans[i].n - 1];

		if (a->ts < q->lo)
			q->lo = a->ts;
		if (b->ts > q->hi)
			q->hi = b->ts;
	}
	return q;
}

static void
free_req(struct creq *q)
{
	free(q->spans);
	free(q);
}

/* Asks q again in two halves: its series, or the points of its one
 * series.  -1 when q is one point. */
static int
split(struct run *run, struct creq *q)
{
	struct span a, b;

	if (q->nspans > 1) {
		size_t h = q->nspans / 2;

		submit(run, new_req(run, q->spans, h));
		submit(run, new_req(run, q->spans + h, q->nspans - h));
		return 0;
	}
	if (q->spans[0].n < 2)
		return -1;
	a = q->spans[0];
	a.n = q->spans[0].n / 2;
	b = q->spans[0];
	b.first += a.n;
	b.n -= a.n;
	submit(run, new_req(run, &a, 1));
	submit(run, new_req(run, &b, 1));
	return 0;
}

static void
on_done(struct http_req *r, void *ctx)
{
	struct creq *q = ctx;
	struct run *run = q->run;
	const struct target *t = run->cfg->target;
	struct target_read_cb cb = { answer_series, answer_point, run };
	struct error err;
	char msg[400];
	enum target_failure why;
	struct buf b;

	http_count(r, &run->c->requests, &run->c->retries);
	if (run->fatal->set || r->stopped)
		goto out;
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated) {
		checkchunk_got_reset(&run->ch);
		run->cur = q;
		if (target_read_answer(t, &run->reader, r->resp.p, r->resp.len,
		    &cb, &err) < 0)
			fatal_set(run->fatal, "%s: the answer to a read-back "
			    "is not %s: %s", t->shown, target_answer_name(t),
			    err.msg);
		else
			checkchunk_match(&run->ch, q->spans, q->nspans,
			    target_model(t));
		goto out;
	}
	why = target_read_failure(t, r);
	if (why == TARGET_NO_NONE && !run->by_tsuid) {
		run->no_none = 1; /* the chunk is asked again by TSUID */
		goto out;
	}
	if (why == TARGET_UNKNOWN_NAME) {
		/* one unknown name fails the whole request: alone, the
		 * series holds nothing */
		if (q->nspans == 1)
			checkchunk_missing(&run->ch, q->spans, q->nspans);
		else
			split(run, q);
		goto out;
	}
	if (why == TARGET_TOO_LARGE && split(run, q) == 0)
		goto out;
	otsdb_failure_text(r, msg, sizeof(msg));
	buf_init(&b);
	checkchunk_series_text(&run->ch, q->spans[0].series, &b);
	fatal_set(run->fatal, "%s: reading back %zu series (the first %s) "
	    "from %" PRId64 " to %" PRId64 " ms: %s%s", t->shown, q->nspans,
	    b.p, q->lo, q->hi, why == TARGET_TOO_LARGE ? "the answer is too "
	    "large even for one point: " : why == TARGET_TIMED_OUT ? "no "
	    "answer within --timeout: " : "", msg);
	buf_free(&b);
out:
	free_req(q);
	http_req_free(r);
}

static void
submit(struct run *run, struct creq *q)
{
	struct target_sel *sels = xreallocarray(NULL, q->nspans,
	    sizeof(*sels));
	struct http_req *r;
	size_t i;

	for (i = 0; i < q->nspans; i++) {
		const struct cseries *s = &run->ch.series[q->spans[i].series];

		sels[i].p = run->ch.sels.p + s->sel_off;
		sels[i].n = s->sel_len;
	}
	r = target_read_request(run->cfg->target, q->lo, q->hi, sels,
	    q->nspans, CHECK_MAX_ANSWER);
	free(sels);
	r->done = on_done;
	r->ctx = q;
	http_submit(run->http, r);
}

/* ------------------------------------------------------------ chunks */

/* Writes the chunk's missing and different points, and counts all. */
static void
report(struct run *run)
{
	struct buf *out = &run->line;
	const struct target_limits *lim = run->cfg->limits;
	const char *why;
	size_t i;

	for (i = 0; i < run->ch.npts; i++) {
		const struct cpoint *p = &run->ch.pts[i];
		const struct cseries *s = &run->ch.series[p->series];
		struct check_metric *m = &run->sum->m[s->metric];
		size_t kn;
		const char *k;

		m->duplicates += p->extra;
		run->c->duplicates += p->extra;
		if (p->state == ST_FOUND) {
			m->found++;
			run->c->found++;
			continue;
		}
		why = NULL;
		if (p->state == ST_MISSING) {
			m->missing++;
			run->c->missing++;
			if (lim != NULL && p->ts < lim->lo) {
				run->c->missing_old++;
				why = lim->why_old;
			} else if (lim != NULL && p->ts > lim->hi) {
				run->c->missing_ahead++;
				why = VM_AHEAD_TEXT " of when it was stored";
			}
		} else {
			m->different++;
			run->c->different++;
		}
		if (run->cfg->mismatches == NULL)
			continue;
		k = strmap_key(&run->ch.series_map, p->series, &kn);
		buf_reset(out);
		checkreport_mismatch(out, k, s->head_len, k + s->head_len,
		    kn - s->head_len, p->ts, run->ch.vals.p + p->val_off,
		    p->val_len, run->ch.vals.p + p->got_off, p->got_len,
		    p->state == ST_DIFFERENT, why);
		if (fwrite(out->p, 1, out->len, run->cfg->mismatches) !=
		    out->len) {
			fatal_set(run->fatal, "%s: %s",
			    run->cfg->mismatches_name, strerror(errno));
			return;
		}
	}
}

/* ------------------------------------------------------------ TSUIDs */

struct listed_ctx {
	struct run *run;
	struct datapoint metric;  /* the metric looked up, without tags */
};

/* A series the lookup lists: when it is one of the chunk's, its query
 * is the sum over its TSUID alone (exactly that series). */
static void
on_listed(void *ctx, const char *tsuid, const char *tail, size_t tail_len)
{
	struct listed_ctx *lc = ctx;
	struct run *run = lc->run;
	struct cseries *s;
	size_t i;

	if (tail_len == 0)
		return;
	buf_reset(&run->key);
	datapoint_encode_head(&lc->metric, &run->key);
	buf_append(&run->key, tail, tail_len);
	i = strmap_find(&run->ch.series_map, run->key.p, run->key.len);
	if (i == (size_t)-1 || run->ch.series[i].listed)
		return;
	s = &run->ch.series[i];
	s->listed = 1;
	s->sel_off = run->ch.sels.len;
	target_tsuid_selector(&run->ch.sels, tsuid);
	s->sel_len = run->ch.sels.len - s->sel_off;
}

/* OpenTSDB before 2.3: the TSUIDs of the chunk's series, a lookup a
 * metric (before any read-back is in flight).  -1 with run->fatal set. */
static int
lookup_tsuids(struct run *run)
{
	const struct target *t = run->cfg->target;
	struct probe_counts pc = { &run->c->requests, &run->c->retries };
	size_t ns = run->ch.series_map.n, i;
	char *done = xcalloc(run->sum->names.n ? run->sum->names.n : 1, 1);
	struct error err;

	for (i = 0; i < ns && !run->fatal->set; i++) {
		const struct cseries *s = &run->ch.series[i];
		struct listed_ctx lc;
		size_t mn;
		const char *name = strmap_key(&run->sum->names, s->metric, &mn);
		char *metric;

		if (done[s->metric])
			continue;
		done[s->metric] = 1;
		metric = xmemdup0(name, mn);
		memset(&lc, 0, sizeof(lc));
		lc.run = run;
		lc.metric.metric = metric;
		lc.metric.metric_len = mn;
		if (probe_lookup(run->http, t->base, t->shown, metric,
		    CHECK_MAX_ANSWER * 4, NULL, NULL, on_listed, &lc, &pc,
		    &err) < 0)
			fatal_set(run->fatal, "%s", err.msg);
		free(metric);
	}
	free(done);
	return run->fatal->set ? -1 : 0;
}

/* Asks the target for the chunk's series (with only_missing, those with
 * a missing point), in groups, and waits for every answer. */
static void
ask_chunk(struct run *run, int only_missing)
{
	struct span *group = NULL;
	size_t ngroup = 0, bytes = 0, i, ns = run->ch.series_map.n;
	size_t cost = target_selector_cost(run->cfg->target);

	group = xreallocarray(NULL, GROUP_SERIES, sizeof(*group));
	for (i = 0; i <= ns && !run->fatal->set && !stopped(run) &&
	    !run->no_none; i++) {
		const struct cseries *s = i < ns ? &run->ch.series[i] : NULL;

		if (ngroup > 0 && (s == NULL || ngroup == GROUP_SERIES ||
		    bytes + s->sel_len * cost > GROUP_BYTES)) {
			if (http_wait_slot(run->http, &run->loop, NULL) < 0)
				break;
			submit(run, new_req(run, group, ngroup));
			http_pump(run->http, -1, 0);
			ngroup = 0;
			bytes = 0;
		}
		if (s == NULL)
			break;
		/* by TSUID, a series the lookup does not list holds
		 * nothing: its points stay missing */
		if ((run->by_tsuid && !s->listed) ||
		    (only_missing && !checkchunk_series_missing(&run->ch,
		    s)))
			continue;
		group[ngroup].series = (uint32_t)i;
		group[ngroup].first = s->first;
		group[ngroup].n = s->n;
		ngroup++;
		/* URL-escaped, a selector may take three times its bytes */
		bytes += s->sel_len * cost + 1;
	}
	free(group);
	http_drain(run->http, &run->loop);
}

/* Waits about ms, in steps, unless stopped. */
static void
pause_ms(struct run *run, int64_t ms)
{
	int64_t end = clock_mono_ms() + ms;

	while (clock_mono_ms() < end && !stopped(run)) {
		tick(run);
		usleep(100000);
	}
}

/* Looks the chunk's points up, reports them and empties the chunk. */
static void
check_chunk(struct run *run)
{
	const struct target *t = run->cfg->target;
	int k;

	checkchunk_sort(&run->ch);
	run->c->series += run->ch.series_map.n;
	/* (a lookup that fails is fatal: nothing is asked) */
	if (!run->by_tsuid || lookup_tsuids(run) == 0)
		ask_chunk(run, 0);
	if (run->no_none && !run->by_tsuid && !run->fatal->set &&
	    !stopped(run)) {
		/* an OpenTSDB before 2.3 whose version was hidden: from now
		 * on each series by its TSUID, this chunk asked again */
		note(&run->ev->notes, NOTE_WARN, "%s has no 'none' aggregator "
		    "(OpenTSDB before 2.3): reading every series by its TSUID "
		    "from /api/search/lookup", run->cfg->target->shown);
		run->by_tsuid = 1;
		run->no_none = 0;
		if (lookup_tsuids(run) == 0)
			ask_chunk(run, 0);
	}
	/* a target that shows new writes late: the series with missing
	 * points asked again after 1, 2, 4 and 8 s before they count
	 * (VictoriaMetrics 1.79 under load hid new series for 8-11 s) */
	for (k = 0; k < CHECK_SETTLE_TRIES && target_lags(t) &&
	    !run->fatal->set && !stopped(run) &&
	    checkchunk_any_missing(&run->ch); k++) {
		pause_ms(run, (int64_t)1000 << k);
		target_flush(t, run->http);
		ask_chunk(run, 1);
	}
	if (!run->fatal->set && !stopped(run))
		report(run);
	checkchunk_reset(&run->ch);
	tick(run);
}

static void
check_input(struct run *run, const struct input_source *src)
{
	struct input in;
	struct error err;
	const char *line;
	size_t len;
	enum input_result ires;

	if (input_open(&in, src, &run->io, &err) < 0) {
		fatal_set(run->fatal, "%s", err.msg);
		return;
	}
	while (!run->fatal->set && !stopped(run)) {
		ires = input_next(&in, &run->dp, &line, &len, &err);
		if (ires == INPUT_EOF)
			break;
		if (ires == INPUT_ERROR) {
			if (!stopped(run))
				fatal_set(run->fatal, "%s", err.msg);
			break;
		}
		if (ires == INPUT_MARK)
			continue; /* a claim of the dump's, not a point */
		run->c->points++;
		add_point(run);
		if (checkchunk_full(&run->ch, CHECK_CHUNK_POINTS,
		    CHECK_CHUNK_BYTES))
			check_chunk(run);
		if ((run->c->lines & 1023) == 0)
			tick(run);
	}
	input_close(&in);
}

int
check_run(const struct check_config *cfg, const struct check_events *ev,
    struct http *http, const struct input_source *inputs, size_t n,
    struct check_counters *c, struct check_summary *s, struct fatal *f)
{
	struct run run;
	size_t i;

	memset(&run, 0, sizeof(run));
	run.cfg = cfg;
	run.ev = ev;
	run.c = c;
	run.sum = s;
	run.fatal = f;
	run.http = http;
	run.loop.tick = loop_tick;
	run.loop.give_up = loop_give_up;
	run.loop.ctx = &run;
	input_opts_init(&run.io, cfg->max_line, cfg->reject, &ev->notes,
	    &c->lines, &c->rejected_lines, cfg->stop);
	run.by_tsuid = cfg->target->by_tsuid;
	target_reader_init(&run.reader);
	checkchunk_init(&run.ch);
	buf_init(&run.key);
	buf_init(&run.line);
	datapoint_init(&run.dp);

	for (i = 0; i < n && !f->set && !stopped(&run); i++)
		check_input(&run, &inputs[i]);
	if (run.ch.npts > 0 && !f->set && !stopped(&run))
		check_chunk(&run);
	http_drain(http, &run.loop);
	checkchunk_free(&run.ch);
	buf_free(&run.key);
	buf_free(&run.line);
	datapoint_free(&run.dp);
	target_reader_free(&run.reader);
	return f->set ? -1 : 0;
}
