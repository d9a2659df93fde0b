/* query.c - one /api/query answer -> canonical otsdb NDJSON lines
 * Timestamps are taken in milliseconds (the query asks for them) and
 * values keep the number text the server sent. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapoint.h"
#include "error.h"
#include "query.h"
#include "xalloc.h"

/* One series of an answer: its sort key (head and tail of its lines)
 * and where its lines went in out. */
struct series {
	struct buf key;
	size_t tail_off; /* where the tail starts in key */
	size_t from, to;
};

void
query_init(struct query *q)
{
	memset(q, 0, sizeof(*q));
	json_init(&q->json);
	datapoint_init(&q->dp);
	buf_init(&q->strs);
	buf_init(&q->scratch);
}

void
query_free(struct query *q)
{
	struct series *sv = q->series;
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->series_cap; i++)
		buf_free(&sv[i].key);
	free(q->series);
	json_free(&q->json);
	datapoint_free(&q->dp);
	buf_free(&q->strs);
	buf_free(&q->scratch);
	memset(q, 0, sizeof(*q));
}

static struct series *
series_room(struct query *q, size_t n)
{
	struct series *sv;
	size_t i, cap = q->series_cap;

	if (n <= cap)
		return q->series;
	if (n < cap * 2)
		n = cap * 2;
	sv = xreallocarray(q->series, n, sizeof(*sv));
	for (i = cap; i < n; i++)
		buf_init(&sv[i].key);
	q->series = sv;
	q->series_cap = n;
	return sv;
}

/* Fills q->dp with the metric and tags of result t.  1, with *why, when
 * the series cannot be written as the server sent it (a lost series is
 * reported, never dropped): an empty name, key or value, a repeated key,
 * a value that is not a string. */
static int
series_of(struct query *q, int t, const char *metric, const char **why)
{
	struct json *j = &q->json;
	struct datapoint *dp = &q->dp;
	struct error err;
	int tm = json_member(j, t, "metric");
	size_t mlen, x;

	buf_reset(&q->strs);
	buf_reserve(&q->strs, 64);
	if (tm >= 0 && json_type(j, tm) == JSON_STRING)
		json_unescape(j, tm, &q->strs);
	else
		buf_puts(&q->strs, metric);
	mlen = q->strs.len;
	if (datapoint_json_tags(dp, j, json_member(j, t, "tags"),
	    &q->strs) > 0)
		*why = "a tag value is not a string";
	dp->metric = q->strs.p;
	dp->metric_len = mlen;
	for (x = 0; x < dp->ntags && *why == NULL; x++)
		if (dp->tags[x].key_len == 0)
			*why = "a tag key is empty";
		else if (dp->tags[x].val_len == 0)
			*why = "a tag value is empty";
	if (mlen == 0)
		*why = "the metric name is empty";
	if (datapoint_sort_tags(dp, &err) < 0)
		*why = "a tag key repeats";
	return *why != NULL;
}

/* The time of a dps member key: its digits; -1 when it is not one. */
static int64_t
key_time(const char *s, size_t n)
{
	int64_t ts = 0;
	size_t z;

	if (n == 0 || n > 18)
		return -1;
	for (z = 0; z < n; z++) {
		if (s[z] < '0' || s[z] > '9')
			return -1;
		ts = ts * 10 + (s[z] - '0');
	}
	return ts;
}

/* One line of a series being sorted by time. */
struct line {
	int64_t ts;
	size_t off, len;
};

static int
line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off; /* stable */
}

/* Puts the lines of out from `from` on (one series: each starts with the
 * same head_len bytes, then its time) in time order. */
static void
sort_series(struct query *q, struct buf *out, size_t from, size_t head_len)
{
	struct line *lv = NULL;
	size_t n = 0, cap = 0, at, k;
	struct buf *tmp = &q->scratch;

	for (at = from; at < out->len; n++) {
		const char *p = out->p + at + head_len;
		const char *nl = memchr(p, '\n', out->len - at - head_len);
		int64_t ts = 0;

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			lv = xreallocarray(lv, cap, sizeof(*lv));
		}
		for (; *p >= '0' && *p <= '9'; p++)
			ts = ts * 10 + (*p - '0');
		/* early times are written in seconds */
		lv[n].ts = ts <= DATAPOINT_MAX_SECONDS ? ts * 1000 : ts;
		lv[n].off = at;
		lv[n].len = (size_t)(nl - (out->p + at)) + 1;
		at += lv[n].len;
	}
	qsort(lv, n, sizeof(*lv), line_cmp);
	buf_reset(tmp);
	for (k = 0; k < n; k++)
		buf_append(tmp, out->p + lv[k].off, lv[k].len);
	memcpy(out->p + from, tmp->p, tmp->len);
	free(lv);
}

static int
series_cmp(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int c = strcmp(x->key.p, y->key.p);

	/* equal keys keep the answer's order */
	if (c == 0)
		c = x->from < y->from ? -1 : x->from > y->from;
	return c;
}

int
query_walk(struct query *q, const char *body, size_t len, const char *metric,
    const struct query_walker *w, struct error *err)
{
	struct json *j = &q->json;
	int i, count, t, k, np, p;

	if (json_parse(j, body, len, err) < 0) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		error_set(err, "the answer is not a JSON array (%s)", why);
		return -1;
	}
	if (json_type(j, 0) != JSON_ARRAY) {
		error_set(err, "the answer is not a JSON array");
		return -1;
	}
	count = json_count(j, 0);
	for (i = 0, t = 1; i < count; i++, t = json_next(j, t)) {
		int td = json_member(j, t, "dps");
		int ta = json_member(j, t, "aggregateTags");
		struct query_series s;

		if (json_type(j, t) != JSON_OBJECT || td < 0)
			continue;
		memset(&s, 0, sizeof(s));
		s.aggregated = ta >= 0 && json_count(j, ta) > 0;
		s.npoints = (uint64_t)json_count(j, td);
		if (series_of(q, t, metric, &s.why) == 0)
			s.dp = &q->dp;
		else {
			int tt = json_member(j, t, "tags");

			s.tags_raw = tt >= 0 ? json_raw(j, tt, &s.tags_raw_len) :
			    "";
		}
		if (w->series(w->ctx, &s) != 0)
			continue;
		np = json_count(j, td);
		for (p = 0, k = td + 1; p < np; p++) {
			struct query_point pt;
			int tv;

			if (json_type(j, td) == JSON_OBJECT) {
				pt.ts_text = json_raw(j, k, &pt.ts_len);
				pt.ts = key_time(pt.ts_text, pt.ts_len);
				tv = k + 1;
				k = json_next(j, k + 1);
				if (pt.ts < 0)
					continue;
			} else {
				/* arrays: [[ts, value], ...] */
				int e = k;

				k = json_next(j, k);
				if (json_type(j, e) != JSON_ARRAY ||
				    json_count(j, e) != 2 ||
				    json_int64(j, e + 1, &pt.ts) < 0 ||
				    pt.ts < 0)
					continue; /* as a key that is no time */
				pt.ts_text = json_raw(j, e + 1, &pt.ts_len);
				tv = json_next(j, e + 1);
			}
			pt.value = json_raw(j, tv, &pt.value_len);
			pt.json = json_text(j, tv, &pt.json_len);
			pt.number = json_type(j, tv) == JSON_NUMBER;
			pt.quoted = json_type(j, tv) == JSON_STRING;
			if (w->point(w->ctx, &pt, err) < 0)
				return -1;
		}
		if (w->series_end != NULL)
			w->series_end(w->ctx);
	}
	return 0;
}

/* query_render's state while it walks an answer. */
struct render {
	struct query *q;
	int64_t lo, hi;
	struct buf *out;
	size_t out_start;
	struct query_counts c;
	query_bad_fn *bad;
	void *bad_ctx;
	struct series *s;       /* the series being written, or NULL */
	size_t ns;
	const char *head, *tail;
	size_t head_len, tail_len;
	int unsorted;
	int64_t last;
};

static int
render_series(void *ctx, const struct query_series *qs)
{
	struct render *rd = ctx;
	struct series *s;

	if (qs->aggregated)
		rd->c.aggregated++;
	if (qs->dp == NULL) {
		/* never rewrite what the server holds: report it */
		struct query_bad_value bv;

		memset(&bv, 0, sizeof(bv));
		bv.tags = qs->tags_raw;
		bv.tags_len = qs->tags_raw_len;
		bv.reason = qs->why;
		bv.points = qs->npoints;
		rd->c.bad_values += bv.points;
		if (rd->bad != NULL)
			rd->bad(rd->bad_ctx, &bv);
		return 1;
	}
	s = &series_room(rd->q, rd->ns + 1)[rd->ns];
	rd->ns++;
	buf_reset(&s->key);
	datapoint_encode_head(qs->dp, &s->key);
	s->tail_off = s->key.len;
	datapoint_encode_tail(qs->dp, &s->key);
	rd->head = s->key.p;
	rd->head_len = s->tail_off;
	rd->tail = s->key.p + s->tail_off;
	rd->tail_len = s->key.len - s->tail_off;
	s->from = rd->out->len;
	rd->s = s;
	rd->unsorted = 0;
	rd->last = INT64_MIN;
	return 0;
}

static int
render_point(void *ctx, const struct query_point *pt, struct error *err)
{
	struct render *rd = ctx;
	int64_t ts = pt->ts;
	const char *ts_why;
	struct error verr;

	/* a time in the frame read as seconds, and not read as
	 * milliseconds (frames near 1970) */
	if (ts < 100000000000LL && ts > 0 && ts * 1000 >= rd->lo &&
	    ts * 1000 < rd->hi + 1000 && (ts < rd->lo || ts >= rd->hi)) {
		error_set(err, "the server answered in seconds although "
		    "milliseconds were asked for");
		return -1;
	}
	if (ts < rd->lo || ts >= rd->hi) {
		rd->c.dropped++;
		return 0;
	}
	ts_why = datapoint_timestamp_problem(ts);
	if (ts_why != NULL || !pt->number ||
	    datapoint_check_number(pt->value, pt->value_len, &verr) < 0) {
		struct query_bad_value bv;

		memset(&bv, 0, sizeof(bv));
		if (ts_why != NULL)
			bv.reason = ts_why;
		else if (pt->number)
			bv.reason = verr.msg;
		bv.points = 1;
		rd->c.bad_values++;
		if (rd->bad == NULL)
			return 0;
		/* the tags object: the tail without ,"tags": and the
		 * closing } */
		bv.tags = rd->tail + 8;
		bv.tags_len = rd->tail_len - 9;
		bv.value = pt->value;
		bv.value_len = pt->value_len;
		bv.quoted = pt->quoted;
		bv.timestamp_ms = ts;
		rd->bad(rd->bad_ctx, &bv);
		return 0;
	}
	/* a time's digits are its text unless they start with a zero (a
	 * key "0123") */
	datapoint_encode_point(rd->out, rd->head, rd->head_len, ts,
	    pt->ts_text[0] != '0' ? pt->ts_text : NULL, pt->ts_len, pt->value,
	    pt->value_len, rd->tail, rd->tail_len);
	buf_putc(rd->out, '\n');
	rd->c.points++;
	if (ts < rd->last)
		rd->unsorted = 1;
	rd->last = ts;
	return 0;
}

static void
render_series_end(void *ctx)
{
	struct render *rd = ctx;

	rd->s->to = rd->out->len;
	if (rd->unsorted)
		sort_series(rd->q, rd->out, rd->s->from, rd->head_len);
}

int
query_render(struct query *q, const char *body, size_t len,
    const char *metric, int64_t lo, int64_t hi, struct buf *out,
    struct query_counts *counts, query_bad_fn *bad, void *bad_ctx,
    struct error *err)
{
	struct render rd;
	struct query_walker w = { render_series, render_point,
	    render_series_end, NULL };
	struct series *sv;
	size_t si, ns;

	memset(&rd, 0, sizeof(rd));
	rd.q = q;
	rd.lo = lo;
	rd.hi = hi;
	rd.out = out;
	rd.out_start = out->len;
	rd.bad = bad;
	rd.bad_ctx = bad_ctx;
	w.ctx = &rd;
	/* lines take about three times the bytes of the answer's dps */
	buf_reserve(out, len * 3 + 4096);
	if (query_walk(q, body, len, metric, &w, err) < 0) {
		buf_truncate(out, rd.out_start);
		return -1;
	}
	sv = q->series;
	ns = rd.ns;
	/* series in a stable order: by their canonical text */
	for (si = 1; si < ns && strcmp(sv[si - 1].key.p, sv[si].key.p) <= 0;
	    si++)
		;
	if (si < ns) {
		/* the answer's order was another: rebuild in sorted order */
		struct buf *tmp = &q->scratch;

		qsort(sv, ns, sizeof(*sv), series_cmp);
		buf_reset(tmp);
		buf_append(tmp, out->p + rd.out_start, out->len - rd.out_start);
		buf_truncate(out, rd.out_start);
		for (si = 0; si < ns; si++)
			buf_append(out, tmp->p + (sv[si].from - rd.out_start),
			    sv[si].to - sv[si].from);
	}
	counts->points += rd.c.points;
	counts->dropped += rd.c.dropped;
	counts->bad_values += rd.c.bad_values;
	counts->aggregated += rd.c.aggregated;
	counts->series += ns;
	return 0;
}

/* A line of a frame being put in order. */
struct frame_line {
	const char *p;
	size_t len;
	const char *tail;  /* ,"tags":{...}} or the closing } */
	size_t tail_len;
	int64_t ms;
	size_t idx;
};

static int
frame_line_cmp(const void *a, const void *b)
{
	const struct frame_line *x = a, *y = b;
	size_t n = x->tail_len < y->tail_len ? x->tail_len : y->tail_len;
	int c = memcmp(x->tail, y->tail, n);

	/* as strcmp of the series keys: a shorter prefix first */
	if (c == 0 && x->tail_len != y->tail_len)
		c = x->tail_len < y->tail_len ? -1 : 1;
	if (c == 0 && x->ms != y->ms)
		c = x->ms < y->ms ? -1 : 1;
	if (c == 0)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

/* The series tail and time of a canonical line (metric and value are
 * JSON text whose quotes are escaped, so the first ,"tags":{ is it). */
static void
frame_line_parse(struct frame_line *l)
{
	static const char ts_key[] = "\"timestamp\":";
	static const char tags_key[] = ",\"tags\":{";
	const char *end = l->p + l->len, *t;
	int64_t v = 0;

	t = memmem(l->p, l->len, ts_key, sizeof(ts_key) - 1);
	if (t != NULL)
		for (t += sizeof(ts_key) - 1; t < end && *t >= '0' && *t <= '9';
		    t++)
			v = v * 10 + (*t - '0');
	l->ms = v <= DATAPOINT_MAX_SECONDS ? v * 1000 : v;
	t = memmem(l->p, l->len, tags_key, sizeof(tags_key) - 1);
	l->tail = t != NULL ? t : end - 1;
	l->tail_len = (size_t)(end - l->tail);
}

void
query_sort_frame(struct buf *out, size_t from, struct buf *scratch)
{
	struct frame_line *lv = NULL;
	size_t n = 0, cap = 0, i;
	const char *p, *end, *nl;

	if (out->len <= from)
		return;
	buf_reset(scratch);
	buf_append(scratch, out->p + from, out->len - from);
	p = scratch->p;
	end = scratch->p + scratch->len;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			lv = xreallocarray(lv, cap, sizeof(*lv));
		}
		lv[n].p = p;
		lv[n].len = (size_t)(nl - p);
		lv[n].idx = n;
		frame_line_parse(&lv[n]);
		n++;
	}
	qsort(lv, n, sizeof(*lv), frame_line_cmp);
	buf_truncate(out, from);
	for (i = 0; i < n; i++) {
		buf_append(out, lv[i].p, lv[i].len);
		buf_putc(out, '\n');
	}
	free(lv);
}
