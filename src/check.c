/* check.c - otsdb-restore --check: the stream against what the target
 * holds.  Points are read in chunks (CHECK_CHUNK_POINTS); a chunk's
 * series are asked of the target in groups, each over the time its
 * points span, and every point is then found, missing or different.
 * An answer too large is asked again in halves: memory stays bounded by
 * the chunk and CHECK_MAX_ANSWER whatever the stream's length. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "clock.h"
#include "datapoint.h"
#include "http.h"
#include "json.h"
#include "lineio.h"
#include "otsdb.h"
#include "reject.h"
#include "restorerun.h"
#include "seedcsv.h"
#include "vm.h"
#include "xalloc.h"

/* What a request holds: sub-queries (OpenTSDB: a POST body of at most
 * OTSDB_TSUID_BODY_MAX bytes) or selectors (VictoriaMetrics: a URL). */
#define GROUP_BYTES 6000
#define GROUP_SERIES 64

enum state { ST_MISSING = 0, ST_FOUND, ST_DIFFERENT };

struct cpoint {
	int64_t ts;
	uint32_t series;
	uint32_t seq;       /* order read: equal times keep it */
	uint32_t val_off;   /* the value text in the chunk's vals */
	uint32_t val_len;
	uint32_t got_off;   /* ST_DIFFERENT: the target's value text */
	uint32_t got_len;
	uint8_t state;
};

/* A series of the chunk: its key in the chunk's map is the canonical
 * head ({"metric":M,"timestamp":) then tail (,"tags":{...}}). */
struct cseries {
	size_t head_len;
	size_t sel_off, sel_len; /* sub-query or selector, in sels */
	int listed;              /* by TSUID: the lookup named it */
	size_t metric;           /* in the summary */
	size_t first, n;         /* its points, once sorted */
};

/* Points [first, first + n) of one series. */
struct span {
	uint32_t series;
	size_t first, n;
};

struct target_point {
	size_t span;
	int64_t ts;
	const char *val;
	size_t len;
};

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
	/* the chunk */
	struct strmap series_map;
	struct cseries *series;
	size_t series_cap;
	struct cpoint *pts;
	size_t npts, pts_cap;
	struct buf vals;         /* value texts (and targets' values) */
	struct buf sels;
	/* scratch */
	struct datapoint dp;
	struct datapoint rdp;    /* a series of an answer */
	struct buf key, strs, name, line;
	struct json json;
	struct target_point *tp;
	size_t ntp, tp_cap;
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
	if (run->ev->progress)
		run->ev->progress(run->ev->ctx, run->c);
}

/* ------------------------------------------------------------ values */

/* The n bytes at s as a number: 1 an integer (in *i), 0 a double (in
 * *d), -1 not a number. */
static int
parse_number(const char *s, size_t n, int64_t *i, double *d)
{
	char tmp[64], *copy = tmp, *end;
	int rc = 0, integer = n > 0 && json_is_number(s, n) &&
	    memchr(s, '.', n) == NULL && memchr(s, 'e', n) == NULL &&
	    memchr(s, 'E', n) == NULL;

	if (n == 0 || !json_is_number(s, n))
		return -1;
	if (n >= sizeof(tmp))
		copy = xmemdup0(s, n);
	else {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
	}
	errno = 0;
	if (integer) {
		long long v = strtoll(copy, &end, 10);

		if (errno == 0) {
			*i = v;
			rc = 1;
		}
	}
	if (rc == 0) {
		*d = strtod(copy, &end);
		if (!isfinite(*d))
			rc = -1;
	}
	if (copy != tmp)
		free(copy);
	if (rc == 1)
		*d = (double)*i;
	return rc;
}

int
check_values_equal(enum check_target t, const char *a, size_t an,
    const char *b, size_t bn)
{
	int64_t ia = 0, ib = 0;
	double da = 0, db = 0;
	int ka = parse_number(a, an, &ia, &da);
	int kb = parse_number(b, bn, &ib, &db);

	if (ka < 0 || kb < 0)
		return 0;
	if (t == CHECK_TARGET_OPENTSDB) {
		if (ka == 1 && kb == 1)
			return ia == ib;
		return da == db || (float)da == (float)db;
	}
	if (da == db)
		return 1;
	return fabs(da - db) <= 1e-11 * fmax(fabs(da), fabs(db));
}

/* ------------------------------------------------------------ summary */

void
check_summary_init(struct check_summary *s)
{
	memset(s, 0, sizeof(*s));
	strmap_init(&s->names);
}

void
check_summary_free(struct check_summary *s)
{
	strmap_free(&s->names);
	free(s->m);
	memset(s, 0, sizeof(*s));
}

static size_t
summary_metric(struct check_summary *s, const char *name, size_t n)
{
	int added;
	size_t i = strmap_add(&s->names, name, n, &added);

	if (i >= s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->m = xreallocarray(s->m, s->cap, sizeof(*s->m));
	}
	if (added)
		memset(&s->m[i], 0, sizeof(s->m[i]));
	return i;
}

static const struct check_summary *sort_summary;

static int
by_name(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b, xn, yn;
	const char *xs = strmap_key(&sort_summary->names, x, &xn);
	const char *ys = strmap_key(&sort_summary->names, y, &yn);
	int c = memcmp(xs, ys, xn < yn ? xn : yn);

	return c != 0 ? c : (xn > yn) - (xn < yn);
}

static int
plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n > 0 && s[0] != '"';
}

void
check_summary_write(const struct check_summary *s, FILE *out)
{
	size_t n = s->names.n, i, *order = xcalloc(n ? n : 1, sizeof(*order));
	struct buf b;

	buf_init(&b);
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_summary = s;
	qsort(order, n, sizeof(*order), by_name);
	fputs("metric\tpoints\tfound\tmissing\tdifferent\n", out);
	for (i = 0; i < n; i++) {
		size_t kn;
		const char *k = strmap_key(&s->names, order[i], &kn);
		const struct check_metric *m = &s->m[order[i]];

		buf_reset(&b);
		if (plain(k, kn))
			buf_append(&b, k, kn);
		else
			json_put_string(&b, k, kn);
		fprintf(out, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%"
		    PRIu64 "\n", b.p, m->points, m->found, m->missing,
		    m->different);
	}
	buf_free(&b);
	free(order);
}

/* ------------------------------------------------------------ detect */

static struct http_req *
get(struct http *http, struct buf *url)
{
	struct http_req *r = http_req_new(xmemdup0(url->p, url->len), NULL,
	    0);

	r->max_resp = 65536;
	return http_request_sync(http, r);
}

int
check_detect(struct http *http, const char *base, const char *shown,
    enum check_target *target, int *by_tsuid, char *what, size_t n,
    struct error *err)
{
	struct buf url;
	struct http_req *r;
	struct otsdb_version v;
	char msg[400];
	int is_otsdb = 0;

	buf_init(&url);
	memset(&v, 0, sizeof(v));
	if (*target != CHECK_TARGET_VM) {
		otsdb_version_url(&url, base);
		r = get(http, &url);
		/* a server that fails is not one that is something else */
		if (*target == CHECK_TARGET_GUESS && (r->outcome ==
		    HTTP_GAVE_UP_TRANSPORT || r->outcome ==
		    HTTP_GAVE_UP_STATUS)) {
			otsdb_failure_text(r, msg, sizeof(msg));
			error_set(err, "%s/api/version: %s", shown, msg);
			http_req_free(r);
			buf_free(&url);
			return -1;
		}
		is_otsdb = r->outcome == HTTP_DONE_2XX && !r->resp_truncated &&
		    otsdb_version_parse(r->resp.p, r->resp.len, &v) == 0;
		http_req_free(r);
	}
	if (*target == CHECK_TARGET_GUESS && !is_otsdb) {
		buf_reset(&url);
		buf_puts(&url, base);
		buf_puts(&url, "/health");
		r = get(http, &url);
		if (r->outcome == HTTP_DONE_2XX && r->resp.len >= 2 &&
		    memcmp(r->resp.p, "OK", 2) == 0)
			*target = CHECK_TARGET_VM;
		http_req_free(r);
		if (*target == CHECK_TARGET_GUESS) {
			error_set(err, "%s answers neither /api/version as "
			    "OpenTSDB does nor /health as VictoriaMetrics "
			    "does (give VictoriaMetrics' HTTP port, not its "
			    "OpenTSDB put port, or name the kind with "
			    "--target-type)", shown);
			buf_free(&url);
			return -1;
		}
	} else if (*target == CHECK_TARGET_GUESS)
		*target = CHECK_TARGET_OPENTSDB;
	if (*target == CHECK_TARGET_OPENTSDB) {
		/* before 2.3: series by TSUID, from a lookup */
		*by_tsuid = is_otsdb && !otsdb_version_has_none(&v);
		snprintf(what, n, "OpenTSDB%s%s", is_otsdb ? " " : "",
		    is_otsdb ? v.text : "");
	} else {
		/* recent writes become searchable within a second or two:
		 * ask for them now (single-node; elsewhere a harmless 404) */
		buf_reset(&url);
		vm_flush_url(&url, base);
		http_req_free(get(http, &url));
		snprintf(what, n, "VictoriaMetrics");
	}
	buf_free(&url);
	return 0;
}

/* ------------------------------------------------------------ reading */

static void
bad_line(struct run *run, const struct lineio *in, const char *msg,
    const char *line, size_t len, int truncated)
{
	struct error err;

	run->c->rejected_lines++;
	note(&run->ev->notes, NOTE_LIMITED, "%s:%llu: %s", in->name,
	    (unsigned long long)in->lineno, msg);
	if (run->cfg->reject != NULL && reject_write(run->cfg->reject,
	    in->name, in->lineno, msg, line, len, truncated, &err) < 0)
		fatal_set(run->fatal, "%s", err.msg);
}

/* The sub-query (OpenTSDB) or selector (VictoriaMetrics) of the series
 * of run->dp, whose head and tail are at key. */
static void
add_selector(struct run *run, const char *key, size_t head_len,
    size_t key_len)
{
	const struct datapoint *dp = &run->dp;

	if (run->cfg->by_tsuid)
		return; /* from the lookup, once the chunk is read */
	if (run->cfg->target == CHECK_TARGET_OPENTSDB)
		/* the metric's JSON string and the tags' object, from the
		 * canonical {"metric":M,"timestamp": and ,"tags":{...}} */
		otsdb_series_subquery(&run->sels, key + 10, head_len - 23,
		    key + head_len + 8, key_len - head_len - 9);
	else
		vm_selector(&run->sels, dp->metric, dp->metric_len, dp->tags,
		    dp->ntags);
}

/* Adds run->dp to the chunk. */
static void
add_point(struct run *run)
{
	const struct datapoint *dp = &run->dp;
	struct cseries *s;
	struct cpoint *p;
	size_t head_len, idx;
	int added;

	buf_reset(&run->key);
	datapoint_encode_head(dp, &run->key);
	head_len = run->key.len;
	datapoint_encode_tail(dp, &run->key);
	idx = strmap_add(&run->series_map, run->key.p, run->key.len, &added);
	if (added) {
		if (idx >= run->series_cap) {
			run->series_cap = run->series_cap ?
			    run->series_cap * 2 : 256;
			run->series = xreallocarray(run->series,
			    run->series_cap, sizeof(*run->series));
		}
		s = &run->series[idx];
		memset(s, 0, sizeof(*s));
		s->head_len = head_len;
		s->sel_off = run->sels.len;
		add_selector(run, run->key.p, head_len, run->key.len);
		s->sel_len = run->sels.len - s->sel_off;
		s->metric = summary_metric(run->sum, dp->metric,
		    dp->metric_len);
	}
	if (run->npts == run->pts_cap) {
		run->pts_cap = run->pts_cap ? run->pts_cap * 2 : 1024;
		run->pts = xreallocarray(run->pts, run->pts_cap,
		    sizeof(*run->pts));
	}
	p = &run->pts[run->npts];
	memset(p, 0, sizeof(*p));
	p->ts = dp->timestamp_ms;
	p->series = (uint32_t)idx;
	p->seq = (uint32_t)run->npts;
	p->val_off = (uint32_t)run->vals.len;
	p->val_len = (uint32_t)dp->value_len;
	buf_append(&run->vals, dp->value, dp->value_len);
	run->npts++;
	run->sum->m[run->series[idx].metric].points++;
}

static int
chunk_full(const struct run *run)
{
	return run->npts >= CHECK_CHUNK_POINTS ||
	    run->vals.len + run->sels.len + run->series_map.keys.len >=
	    CHECK_CHUNK_BYTES;
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

static void
add_target_point(struct run *run, size_t span, int64_t ts, const char *v,
    size_t n)
{
	struct target_point *t;

	if (run->ntp == run->tp_cap) {
		run->tp_cap = run->tp_cap ? run->tp_cap * 2 : 1024;
		run->tp = xreallocarray(run->tp, run->tp_cap,
		    sizeof(*run->tp));
	}
	t = &run->tp[run->ntp++];
	t->span = span;
	t->ts = ts;
	t->val = v;
	t->len = n;
}

/* The span in q of the answer's series run->rdp (its tags filled from
 * run->strs, metric from run->name), or (size_t)-1 when it is not one
 * the request asked for (a series with more tags). */
static size_t
answer_span(struct run *run, const struct creq *q)
{
	struct error err;
	size_t s;

	run->rdp.metric = run->name.p;
	run->rdp.metric_len = run->name.len;
	if (datapoint_sort_tags(&run->rdp, &err) < 0)
		return (size_t)-1;
	buf_reset(&run->key);
	datapoint_encode_head(&run->rdp, &run->key);
	datapoint_encode_tail(&run->rdp, &run->key);
	s = strmap_find(&run->series_map, run->key.p, run->key.len);
	return s == (size_t)-1 ? s : span_of(q, s);
}

/* A dps key: 1 to 13 digits of milliseconds, else -1. */
static int64_t
key_time(const char *s, size_t n)
{
	int64_t ts = 0;
	size_t i;

	if (n == 0 || n > 13)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		ts = ts * 10 + (s[i] - '0');
	}
	return ts;
}

/* Reads an /api/query answer into run->tp.  -1 when it is not one. */
static int
read_otsdb(struct run *run, const struct creq *q, const char *body,
    size_t len, struct error *err)
{
	struct json *j = &run->json;
	int i, count, t;

	if (json_parse(j, body, len, err) < 0)
		return -1;
	if (json_type(j, 0) != JSON_ARRAY) {
		error_set(err, "not a JSON array of results");
		return -1;
	}
	count = json_count(j, 0);
	for (i = 0, t = 1; i < count; i++, t = json_next(j, t)) {
		int m, tags, agg, dps, k, x, nd;
		size_t span;

		if (json_type(j, t) != JSON_OBJECT)
			continue;
		m = json_member(j, t, "metric");
		tags = json_member(j, t, "tags");
		agg = json_member(j, t, "aggregateTags");
		dps = json_member(j, t, "dps");
		if (m < 0 || json_type(j, m) != JSON_STRING || dps < 0 ||
		    (agg >= 0 && json_type(j, agg) == JSON_ARRAY &&
		    json_count(j, agg) > 0))
			continue;
		buf_reset(&run->name);
		json_unescape(j, m, &run->name);
		buf_reset(&run->strs);
		if (datapoint_json_tags(&run->rdp, j, tags, &run->strs) > 0)
			continue;
		span = answer_span(run, q);
		if (span == (size_t)-1)
			continue;
		nd = json_count(j, dps);
		for (x = 0, k = dps + 1; x < nd; x++) {
			int64_t ts;
			int vt;
			size_t kn, vn;
			const char *kt, *vv;

			if (json_type(j, dps) == JSON_OBJECT) {
				/* "ms": value */
				kt = json_raw(j, k, &kn);
				vt = k + 1;
				ts = key_time(kt, kn);
				k = json_next(j, vt);
			} else {
				/* [ms, value] */
				if (json_type(j, k) != JSON_ARRAY ||
				    json_count(j, k) != 2 ||
				    json_int64(j, k + 1, &ts) < 0)
					ts = -1;
				vt = k + 2;
				k = json_next(j, k);
			}
			if (ts < 0)
				continue;
			vv = json_raw(j, vt, &vn);
			if (json_type(j, vt) != JSON_NUMBER)
				vn = 0, vv = "";
			add_target_point(run, span, ts, vv, vn);
		}
	}
	return 0;
}

/* Reads an /api/v1/export answer (a JSON object a line) into run->tp. */
static int
read_vm(struct run *run, const struct creq *q, const char *body,
    size_t len, struct error *err)
{
	struct json *j = &run->json;
	size_t at = 0, lineno = 0;

	while (at < len) {
		const char *nl = memchr(body + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (body + at)) : len - at;
		int m, vals, tss, x, nv, v, t;
		size_t span, i;

		lineno++;
		if (n == 0) {
			at += 1;
			continue;
		}
		if (json_parse(j, body + at, n, err) < 0) {
			error_set(err, "line %zu: not JSON", lineno);
			return -1;
		}
		at += n + (nl != NULL);
		m = json_member(j, 0, "metric");
		vals = json_member(j, 0, "values");
		tss = json_member(j, 0, "timestamps");
		if (m < 0 || vals < 0 || tss < 0 ||
		    json_type(j, m) != JSON_OBJECT ||
		    json_type(j, vals) != JSON_ARRAY ||
		    json_type(j, tss) != JSON_ARRAY ||
		    json_count(j, vals) != json_count(j, tss)) {
			error_set(err, "line %zu: not a series of an export",
			    lineno);
			return -1;
		}
		buf_reset(&run->strs);
		if (datapoint_json_tags(&run->rdp, j, m, &run->strs) > 0)
			continue;
		/* __name__ is the metric, the other labels the tags */
		buf_reset(&run->name);
		for (i = 0; i < run->rdp.ntags; i++)
			if (run->rdp.tags[i].key_len == 8 &&
			    memcmp(run->rdp.tags[i].key, "__name__", 8) == 0)
				break;
		if (i == run->rdp.ntags)
			continue;
		buf_append(&run->name, run->rdp.tags[i].val,
		    run->rdp.tags[i].val_len);
		run->rdp.tags[i] = run->rdp.tags[--run->rdp.ntags];
		span = answer_span(run, q);
		if (span == (size_t)-1)
			continue;
		nv = json_count(j, vals);
		for (x = 0, v = vals + 1, t = tss + 1; x < nv; x++,
		    v = json_next(j, v), t = json_next(j, t)) {
			int64_t ts;
			size_t vn;
			const char *vv = json_raw(j, v, &vn);

			if (json_int64(j, t, &ts) < 0)
				continue;
			if (json_type(j, v) != JSON_NUMBER)
				vn = 0, vv = "";
			add_target_point(run, span, ts, vv, vn);
		}
	}
	return 0;
}

static int
by_span_time(const void *a, const void *b)
{
	const struct target_point *x = a, *y = b;

	if (x->span != y->span)
		return (x->span > y->span) - (x->span < y->span);
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* Each point of q's spans against the target's points of its series. */
static void
compare(struct run *run, const struct creq *q)
{
	size_t t = 0, s;

	if (run->ntp > 1) /* (never qsort a NULL array) */
		qsort(run->tp, run->ntp, sizeof(*run->tp), by_span_time);
	for (s = 0; s < q->nspans; s++) {
		const struct span *sp = &q->spans[s];
		size_t i, end, j;

		while (t < run->ntp && run->tp[t].span < s)
			t++;
		end = t;
		while (end < run->ntp && run->tp[end].span == s)
			end++;
		for (i = sp->first, j = t; i < sp->first + sp->n; i++) {
			struct cpoint *p = &run->pts[i];
			size_t k;

			while (j < end && run->tp[j].ts < p->ts)
				j++;
			p->state = ST_MISSING;
			for (k = j; k < end && run->tp[k].ts == p->ts; k++) {
				if (check_values_equal(run->cfg->target,
				    run->vals.p + p->val_off, p->val_len,
				    run->tp[k].val, run->tp[k].len)) {
					p->state = ST_FOUND;
					break;
				}
				if (p->state == ST_MISSING) {
					p->state = ST_DIFFERENT;
					p->got_off = (uint32_t)run->vals.len;
					p->got_len = (uint32_t)run->tp[k].len;
					buf_append(&run->vals, run->tp[k].val,
					    run->tp[k].len);
				}
			}
		}
		t = end;
	}
}

/* Marks every point of q missing: the target knows none of its names. */
static void
all_missing(struct run *run, const struct creq *q)
{
	size_t s, i;

	for (s = 0; s < q->nspans; s++)
		for (i = 0; i < q->spans[s].n; i++)
			run->pts[q->spans[s].first + i].state = ST_MISSING;
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
		const struct cpoint *a = &run->pts[spans[i].first];
		const struct cpoint *b = &run->pts[spans[i].first +
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

/* The series a span is of, for messages: its canonical head and tail. */
static void
series_text(const struct run *run, size_t s, struct buf *out)
{
	size_t kn;
	const char *k = strmap_key(&run->series_map, s, &kn);

	buf_append(out, k, kn);
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
	struct error err;
	char msg[400];
	int vm = run->cfg->target == CHECK_TARGET_VM;
	int too_big;
	struct buf b;

	http_count(r, &run->c->requests, &run->c->retries);
	if (run->fatal->set)
		goto out;
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated) {
		run->ntp = 0;
		if ((vm ? read_vm(run, q, r->resp.p, r->resp.len, &err) :
		    read_otsdb(run, q, r->resp.p, r->resp.len, &err)) < 0)
			fatal_set(run->fatal, "%s: the answer to a read-back "
			    "is not %s: %s", run->cfg->shown_base, vm ?
			    "an export" : "a query answer", err.msg);
		else
			compare(run, q);
		goto out;
	}
	if (!vm && r->outcome == HTTP_DONE_STATUS &&
	    otsdb_query_no_such_name(r->status, r->resp.p, r->resp.len)) {
		/* one unknown name fails the whole request: alone, the
		 * series holds nothing */
		if (q->nspans == 1)
			all_missing(run, q);
		else
			split(run, q);
		goto out;
	}
	if (vm)
		too_big = r->resp_truncated || (r->status == 0 &&
		    r->timed_out) || (r->outcome != HTTP_DONE_2XX &&
		    r->resp.p != NULL && (strstr(r->resp.p, "exceed") ||
		    strstr(r->resp.p, "too many")));
	else
		too_big = r->resp_truncated || otsdb_query_classify(r->status,
		    r->timed_out, r->resp.p, r->resp.len, 0) !=
		    OTSDB_QUERY_FAILED;
	if (too_big && split(run, q) == 0)
		goto out;
	otsdb_failure_text(r, msg, sizeof(msg));
	buf_init(&b);
	series_text(run, q->spans[0].series, &b);
	fatal_set(run->fatal, "%s: reading back %zu series (the first %s) "
	    "from %" PRId64 " to %" PRId64 " ms: %s%s", run->cfg->shown_base,
	    q->nspans, b.p, q->lo, q->hi, too_big ? "the answer is too "
	    "large even for one point: " : "", msg);
	buf_free(&b);
out:
	free_req(q);
	http_req_free(r);
}

static void
submit(struct run *run, struct creq *q)
{
	struct buf url, body;
	struct http_req *r;
	size_t i;

	buf_init(&url);
	buf_init(&body);
	if (run->cfg->target == CHECK_TARGET_VM) {
		vm_export_url(&url, run->cfg->base, q->lo, q->hi);
		for (i = 0; i < q->nspans; i++) {
			const struct cseries *s = &run->series[q->spans[i].series];

			vm_export_match(&url, run->sels.p + s->sel_off,
			    s->sel_len);
		}
		r = http_req_new(xmemdup0(url.p, url.len), NULL, 0);
	} else {
		struct buf subs;

		buf_init(&subs);
		for (i = 0; i < q->nspans; i++) {
			const struct cseries *s = &run->series[q->spans[i].series];

			if (i > 0)
				buf_putc(&subs, ',');
			buf_append(&subs, run->sels.p + s->sel_off,
			    s->sel_len);
		}
		otsdb_series_request(&url, &body, run->cfg->base, q->lo,
		    q->hi, subs.p, subs.len);
		buf_free(&subs);
		r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
		body.p = NULL;
	}
	buf_free(&url);
	buf_free(&body);
	r->max_resp = CHECK_MAX_ANSWER;
	r->done = on_done;
	r->ctx = q;
	http_submit(run->http, r);
}

/* ------------------------------------------------------------ chunks */

static int
by_series_time(const void *a, const void *b)
{
	const struct cpoint *x = a, *y = b;

	if (x->series != y->series)
		return (x->series > y->series) - (x->series < y->series);
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Writes the chunk's missing and different points, and counts all. */
static void
report(struct run *run)
{
	struct buf *out = &run->line;
	size_t i;

	for (i = 0; i < run->npts; i++) {
		const struct cpoint *p = &run->pts[i];
		const struct cseries *s = &run->series[p->series];
		struct check_metric *m = &run->sum->m[s->metric];
		size_t kn;
		const char *k;

		if (p->state == ST_FOUND) {
			m->found++;
			run->c->found++;
			continue;
		}
		if (p->state == ST_MISSING) {
			m->missing++;
			run->c->missing++;
		} else {
			m->different++;
			run->c->different++;
		}
		if (run->cfg->mismatches == NULL)
			continue;
		k = strmap_key(&run->series_map, p->series, &kn);
		buf_reset(out);
		/* the point as read, then what the target holds */
		datapoint_encode_point(out, k, s->head_len, p->ts, NULL, 0,
		    run->vals.p + p->val_off, p->val_len, k + s->head_len,
		    kn - s->head_len - 1);
		if (p->state == ST_MISSING)
			buf_puts(out, ",\"check\":\"missing\"}\n");
		else {
			buf_puts(out, ",\"check\":\"different\",\"found\":");
			buf_append(out, run->vals.p + p->got_off, p->got_len);
			buf_puts(out, "}\n");
		}
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
	const char *metric;  /* the metric looked up, as a JSON string */
	size_t metric_len;
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
	buf_puts(&run->key, "{\"metric\":");
	buf_append(&run->key, lc->metric, lc->metric_len);
	buf_puts(&run->key, ",\"timestamp\":");
	buf_append(&run->key, tail, tail_len);
	i = strmap_find(&run->series_map, run->key.p, run->key.len);
	if (i == (size_t)-1 || run->series[i].listed)
		return;
	s = &run->series[i];
	s->listed = 1;
	s->sel_off = run->sels.len;
	buf_puts(&run->sels, "{\"aggregator\":\"sum\",\"tsuids\":[");
	json_put_string(&run->sels, tsuid, strlen(tsuid));
	buf_puts(&run->sels, "]}");
	s->sel_len = run->sels.len - s->sel_off;
}

/* OpenTSDB before 2.3: the TSUIDs of the chunk's series, a lookup a
 * metric (before any read-back is in flight).  -1 with run->fatal set. */
static int
lookup_tsuids(struct run *run)
{
	size_t ns = run->series_map.n, i;
	char *done = xcalloc(run->sum->names.n ? run->sum->names.n : 1, 1);
	struct buf url, body;
	struct error err;
	char msg[400];

	buf_init(&url);
	buf_init(&body);
	for (i = 0; i < ns && !run->fatal->set; i++) {
		const struct cseries *s = &run->series[i];
		struct listed_ctx lc;
		struct http_req *r;
		size_t kn, mn;
		const char *k0 = strmap_key(&run->series_map, i, &kn);
		const char *name = strmap_key(&run->sum->names, s->metric, &mn);
		char *metric;

		if (done[s->metric])
			continue;
		done[s->metric] = 1;
		metric = xmemdup0(name, mn);
		buf_reset(&url);
		buf_reset(&body);
		otsdb_lookup_request(&url, &body, run->cfg->base, metric);
		r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
		body.p = NULL;
		body.len = body.cap = 0;
		r->max_resp = CHECK_MAX_ANSWER * 4;
		r = http_request_sync(run->http, r);
		http_count(r, &run->c->requests, &run->c->retries);
		lc.run = run;
		lc.metric = k0 + 10; /* {"metric":M,"timestamp": */
		lc.metric_len = s->head_len - 23;
		if (r->outcome == HTTP_DONE_STATUS &&
		    otsdb_lookup_unknown(r->status, r->resp.p, r->resp.len)) {
			/* a metric it never had: nothing listed */
		} else if (r->outcome != HTTP_DONE_2XX) {
			otsdb_failure_text(r, msg, sizeof(msg));
			fatal_set(run->fatal, "%s: series lookup of %s: %s",
			    run->cfg->shown_base, metric, msg);
		} else if (r->resp_truncated)
			fatal_set(run->fatal, "%s: series lookup of %s: the "
			    "answer is larger than %zu bytes",
			    run->cfg->shown_base, metric, CHECK_MAX_ANSWER * 4);
		else if (otsdb_lookup_each(r->resp.p, r->resp.len, on_listed,
		    &lc, &err) < 0)
			fatal_set(run->fatal, "%s: series lookup of %s: %s",
			    run->cfg->shown_base, metric, err.msg);
		http_req_free(r);
		free(metric);
	}
	buf_free(&url);
	buf_free(&body);
	free(done);
	return run->fatal->set ? -1 : 0;
}

/* Looks the chunk's points up, reports them and empties the chunk. */
static void
check_chunk(struct run *run)
{
	struct span *group = NULL;
	size_t ngroup = 0, bytes = 0, i, ns = run->series_map.n;

	qsort(run->pts, run->npts, sizeof(*run->pts), by_series_time);
	for (i = 0; i < run->npts; i++) {
		struct cseries *s = &run->series[run->pts[i].series];

		if (s->n == 0)
			s->first = i;
		s->n++;
	}
	run->c->series += ns;
	if (run->cfg->by_tsuid && lookup_tsuids(run) < 0)
		ns = 0; /* fatal: nothing is asked */
	group = xreallocarray(NULL, GROUP_SERIES, sizeof(*group));
	for (i = 0; i <= ns && !run->fatal->set && !stopped(run); i++) {
		const struct cseries *s = i < ns ? &run->series[i] : NULL;

		if (ngroup > 0 && (s == NULL || ngroup == GROUP_SERIES ||
		    bytes + s->sel_len * 3 > GROUP_BYTES)) {
			while (http_busy(run->http) >=
			    (size_t)http_limit(run->http) &&
			    !run->fatal->set && !stopped(run)) {
				tick(run);
				http_pump(run->http, -1, 500);
			}
			if (run->fatal->set || stopped(run))
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
		if (run->cfg->by_tsuid && !s->listed)
			continue;
		group[ngroup].series = (uint32_t)i;
		group[ngroup].first = s->first;
		group[ngroup].n = s->n;
		ngroup++;
		/* URL-escaped, a selector may take three times its bytes */
		bytes += s->sel_len * (run->cfg->target == CHECK_TARGET_VM ?
		    3 : 1) + 1;
	}
	free(group);
	while (http_pending(run->http) > 0) {
		tick(run);
		http_pump(run->http, -1, 500);
	}
	if (!run->fatal->set && !stopped(run))
		report(run);
	strmap_reset(&run->series_map);
	run->npts = 0;
	buf_reset(&run->vals);
	buf_reset(&run->sels);
	tick(run);
}

static void
check_input(struct run *run, const struct restore_input *in)
{
	struct lineio lr;
	struct error err;
	const char *line;
	size_t len;
	enum input_result ires;

	if (lineio_open(&lr, in->path, run->cfg->max_line, &err) < 0) {
		fatal_set(run->fatal, "%s", err.msg);
		return;
	}
	lr.stop = run->cfg->stop;
	while (!run->fatal->set && !stopped(run)) {
		ires = restore_next_point(&lr, &run->dp, &line, &len, &err);
		if (ires == INPUT_EOF)
			break;
		if (ires == INPUT_ERROR) {
			if (!stopped(run))
				fatal_set(run->fatal, "%s", err.msg);
			break;
		}
		run->c->lines++;
		if (ires == INPUT_BLANK)
			continue;
		if (ires != INPUT_POINT) {
			bad_line(run, &lr, err.msg, line, len,
			    ires == INPUT_LONG);
			continue;
		}
		run->c->points++;
		add_point(run);
		if (chunk_full(run))
			check_chunk(run);
		if ((run->c->lines & 1023) == 0)
			tick(run);
	}
	lineio_close(&lr);
}

int
check_run(const struct check_config *cfg, const struct check_events *ev,
    struct http *http, const struct restore_input *inputs, size_t n,
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
	strmap_init(&run.series_map);
	buf_init(&run.vals);
	buf_init(&run.sels);
	buf_init(&run.key);
	buf_init(&run.strs);
	buf_init(&run.name);
	buf_init(&run.line);
	datapoint_init(&run.dp);
	datapoint_init(&run.rdp);
	json_init(&run.json);
	for (i = 0; i < n && !f->set && !stopped(&run); i++)
		check_input(&run, &inputs[i]);
	if (run.npts > 0 && !f->set && !stopped(&run))
		check_chunk(&run);
	while (http_pending(http) > 0) {
		tick(&run);
		http_pump(http, -1, 500);
	}
	strmap_free(&run.series_map);
	free(run.series);
	free(run.pts);
	free(run.tp);
	buf_free(&run.vals);
	buf_free(&run.sels);
	buf_free(&run.key);
	buf_free(&run.strs);
	buf_free(&run.name);
	buf_free(&run.line);
	datapoint_free(&run.dp);
	datapoint_free(&run.rdp);
	json_free(&run.json);
	return f->set ? -1 : 0;
}
