/* target.c - the kind of a target and its operations: detection, and
 * per kind a table of what reading points back takes */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "datapoint.h"
#include "error.h"
#include "http.h"
#include "otsdb.h"
#include "probe.h"
#include "target.h"
#include "vm.h"
#include "vmsettings.h"
#include "xalloc.h"

struct target_ops {
	int lags;               /* new writes may take seconds to show */
	size_t selector_cost;
	const char *answer_name;
	void (*selector)(struct buf *out, const struct datapoint *dp);
	struct http_req *(*read_request)(const struct target *t, int64_t lo,
	    int64_t hi, const struct target_sel *sels, size_t n);
	int (*read_answer)(struct target_reader *rd, const char *body,
	    size_t len, struct error *err);
	enum target_failure (*read_failure)(const struct http_req *r);
	/* makes recent writes searchable now, or NULL */
	void (*flush)(const struct target *t, struct http *http);
	/* what it drops without an error, or NULL: keeps everything */
	int (*limits)(const struct target *t, struct http *http,
	    struct target_limits *l);
};

/* ------------------------------------------------------------ OpenTSDB */

static struct http_req *
otsdb_read_request(const struct target *t, int64_t lo, int64_t hi,
    const struct target_sel *sels, size_t n)
{
	struct buf url, body, subs;
	struct http_req *r;
	size_t i;

	buf_init(&url);
	buf_init(&body);
	buf_init(&subs);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&subs, ',');
		buf_append(&subs, sels[i].p, sels[i].n);
	}
	otsdb_series_request(&url, &body, t->base, lo, hi, subs.p, subs.len);
	r = http_req_new(xmemdup0(url.p, url.len), body.p, body.len);
	buf_free(&url);
	buf_free(&subs);
	return r;
}

static int
otsdb_series(void *ctx, const struct query_series *s)
{
	struct target_reader *rd = ctx;

	/* an aggregate of several series is none of them */
	if (s->dp == NULL || s->aggregated)
		return 1;
	rd->cur = rd->cb->series(rd->cb->ctx, s->dp);
	if (rd->cur == (size_t)-1)
		return 1;
	if (rd->cur >= rd->met_cap) {
		size_t cap = rd->met_cap ? rd->met_cap : 64;

		while (cap <= rd->cur)
			cap *= 2;
		rd->met = xreallocarray(rd->met, cap, 1);
		memset(rd->met + rd->met_cap, 0, cap - rd->met_cap);
		rd->met_cap = cap;
	}
	if (rd->met[rd->cur])
		return 1; /* the same series again: its points are read */
	rd->met[rd->cur] = 1;
	return 0;
}

static int
otsdb_point(void *ctx, const struct query_point *p, struct error *err)
{
	struct target_reader *rd = ctx;

	(void)err;
	rd->cb->point(rd->cb->ctx, rd->cur, p->ts, p->json, p->json_len);
	return 0;
}

static int
otsdb_read_answer(struct target_reader *rd, const char *body, size_t len,
    struct error *err)
{
	struct query_walker w = { otsdb_series, otsdb_point, NULL, rd };

	if (rd->met_cap > 0)
		memset(rd->met, 0, rd->met_cap);
	/* a result without a metric name is no series of the request */
	return query_walk(&rd->query, body, len, "", &w, err);
}

static enum target_failure
otsdb_read_failure(const struct http_req *r)
{
	if (r->outcome == HTTP_DONE_STATUS &&
	    otsdb_query_no_such_name(r->status, r->resp.p, r->resp.len))
		return TARGET_UNKNOWN_NAME;
	if (r->resp_truncated)
		return TARGET_TOO_LARGE;
	switch (otsdb_query_classify(r->status, r->timed_out, r->resp.p,
	    r->resp.len, 0)) {
	case OTSDB_QUERY_TIMED_OUT:
		return TARGET_TIMED_OUT;
	case OTSDB_QUERY_NO_NONE:
		return TARGET_NO_NONE;
	case OTSDB_QUERY_TOO_LARGE:
	case OTSDB_QUERY_TOO_MANY_SERIES:
		return TARGET_TOO_LARGE;
	default:
		return TARGET_FAILED;
	}
}

static const struct target_ops otsdb_ops = {
	0, 1, "a query answer", otsdb_series_subquery,
	otsdb_read_request, otsdb_read_answer, otsdb_read_failure, NULL, NULL
};

/* ------------------------------------------------------- VictoriaMetrics */

static void
vm_sel(struct buf *out, const struct datapoint *dp)
{
	vm_selector(out, dp->metric, dp->metric_len, dp->tags, dp->ntags);
}

static struct http_req *
vm_read_request(const struct target *t, int64_t lo, int64_t hi,
    const struct target_sel *sels, size_t n)
{
	struct buf url;
	struct http_req *r;
	size_t i;

	buf_init(&url);
	vm_export_url(&url, t->base, lo, hi);
	for (i = 0; i < n; i++)
		vm_export_match(&url, sels[i].p, sels[i].n);
	r = http_req_new(xmemdup0(url.p, url.len), NULL, 0);
	buf_free(&url);
	return r;
}

static int
vm_series(void *ctx, const struct datapoint *dp)
{
	struct target_reader *rd = ctx;

	rd->cur = rd->cb->series(rd->cb->ctx, dp);
	return rd->cur == (size_t)-1;
}

static void
vm_point(void *ctx, int64_t ts, const char *val, size_t len, int number)
{
	struct target_reader *rd = ctx;

	(void)number;
	rd->cb->point(rd->cb->ctx, rd->cur, ts, val, len);
}

static int
vm_read_answer(struct target_reader *rd, const char *body, size_t len,
    struct error *err)
{
	struct vm_export_walker w = { vm_series, vm_point, rd };

	return vm_export_walk(&rd->vm, body, len, &w, err);
}

static enum target_failure
vm_read_failure(const struct http_req *r)
{
	if (r->status == 0 && r->timed_out)
		return TARGET_TIMED_OUT;
	return vm_export_too_large(r->status, r->resp.p, r->resp.len,
	    r->resp_truncated) ? TARGET_TOO_LARGE : TARGET_FAILED;
}

/* /internal/force_flush: single-node; elsewhere a harmless 404 */
static void
vm_flush(const struct target *t, struct http *http)
{
	struct buf url;

	buf_init(&url);
	vm_flush_url(&url, t->base);
	http_req_free(probe_get(http, &url));
	buf_free(&url);
}

/* Its retention and deduplication, from the flag{...} lines of
 * /metrics; points more than 2 days ahead are dropped too. */
static int
vm_limits(const struct target *t, struct http *http,
    struct target_limits *l)
{
	struct vm_settings v;
	struct error err;
	int64_t now = clock_wall_ms();

	memset(l, 0, sizeof(*l));
	if (probe_vm_settings(http, t->base, t->shown, NULL, &v, &err) < 0 ||
	    v.retention_ms < 0)
		return -1;
	l->lo = now - v.retention_ms;
	l->hi = now + 2 * 86400000LL;
	snprintf(l->why_old, sizeof(l->why_old), "older than the target's "
	    "retention (-retentionPeriod=%s: %lld days)", v.retention,
	    (long long)(v.retention_ms / 86400000));
	if (v.dedup_ms > 1)
		snprintf(l->merges, sizeof(l->merges),
		    "-dedup.minScrapeInterval=%s", v.dedup);
	return 0;
}

/* URL-escaped, a selector may take three times its bytes */
static const struct target_ops vm_ops = {
	1, 3, "an export", vm_sel, vm_read_request, vm_read_answer,
	vm_read_failure, vm_flush, vm_limits
};

/* ------------------------------------------------------------ detect */

void
target_set(struct target *t, enum target_kind kind, const char *base,
    const char *shown)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->base = base;
	t->shown = shown;
	t->ops = kind == TARGET_VM ? &vm_ops : &otsdb_ops;
	/* an OpenTSDB of unknown version may keep either */
	t->model = kind == TARGET_VM ? COMPARE_VM : COMPARE_OPENTSDB_ANY;
	snprintf(t->what, sizeof(t->what), "%s", kind == TARGET_VM ?
	    "VictoriaMetrics" : "OpenTSDB");
}

int
target_detect(struct target *t, enum target_kind kind, struct http *http,
    const char *base, const char *shown, struct error *err)
{
	struct otsdb_version v;
	struct buf url;
	struct http_req *r;
	int is_otsdb = 0;

	memset(&v, 0, sizeof(v));
	if (kind != TARGET_VM) {
		enum probe_version pv = probe_version(http, base, shown, &v,
		    NULL, err);

		/* a server that fails, or refuses the credentials, is not
		 * one that is something else */
		if (pv == PROBE_VERSION_REFUSED || (kind == TARGET_GUESS &&
		    pv == PROBE_VERSION_FAILED))
			return -1;
		is_otsdb = pv == PROBE_VERSION_FOUND;
	}
	buf_init(&url);
	if (kind == TARGET_GUESS && !is_otsdb) {
		vm_health_url(&url, base);
		r = probe_get(http, &url);
		if (r->outcome == HTTP_DONE_2XX &&
		    vm_health_ok(r->resp.p, r->resp.len))
			kind = TARGET_VM;
		else if (probe_refused(r, shown, "/health", err)) {
			http_req_free(r);
			buf_free(&url);
			return -1;
		}
		http_req_free(r);
		if (kind == TARGET_GUESS) {
			error_set(err, "%s answers neither /api/version as "
			    "OpenTSDB does nor /health as VictoriaMetrics "
			    "does (give VictoriaMetrics' HTTP port, not its "
			    "OpenTSDB put port, or name the kind with "
			    "--target-type)", shown);
			buf_free(&url);
			return -1;
		}
	} else if (kind == TARGET_GUESS)
		kind = TARGET_OPENTSDB;
	target_set(t, kind, base, shown);
	if (kind == TARGET_OPENTSDB) {
		/* before 2.3: series by TSUID, from a lookup */
		t->by_tsuid = is_otsdb && !otsdb_version_has_none(&v);
		/* before 2.4 a value that is not an integer is a 4-byte
		 * float (PutDataPointRpc: Float.parseFloat), since 2.4 it is
		 * kept exactly (a float when Tags.fitsInFloat, else a
		 * double) */
		if (is_otsdb)
			t->model = v.major > 2 || (v.major == 2 &&
			    v.minor >= 4) ? COMPARE_OPENTSDB :
			    COMPARE_OPENTSDB_FLOAT;
		snprintf(t->what, sizeof(t->what), "OpenTSDB%s%s",
		    is_otsdb ? " " : "", is_otsdb ? v.text : "");
	} else {
		/* recent writes become searchable within a second or two:
		 * ask for them now */
		target_flush(t, http);
	}
	buf_free(&url);
	return 0;
}

/* ------------------------------------------------------------ operations */

enum compare_model
target_model(const struct target *t)
{
	return t->model;
}

void
target_selector(const struct target *t, struct buf *out,
    const struct datapoint *dp)
{
	t->ops->selector(out, dp);
}

void
target_tsuid_selector(struct buf *out, const char *tsuid)
{
	otsdb_tsuid_subquery(out, tsuid);
}

size_t
target_selector_cost(const struct target *t)
{
	return t->ops->selector_cost;
}

struct http_req *
target_read_request(const struct target *t, int64_t lo, int64_t hi,
    const struct target_sel *sels, size_t n, size_t max_resp)
{
	struct http_req *r = t->ops->read_request(t, lo, hi, sels, n);

	r->max_resp = max_resp;
	return r;
}

int
target_read_answer(const struct target *t, struct target_reader *rd,
    const char *body, size_t len, const struct target_read_cb *cb,
    struct error *err)
{
	rd->cb = cb;
	if (body == NULL) /* an empty answer has no buffer */
		body = "";
	return t->ops->read_answer(rd, body, len, err);
}

enum target_failure
target_read_failure(const struct target *t, const struct http_req *r)
{
	return t->ops->read_failure(r);
}

const char *
target_answer_name(const struct target *t)
{
	return t->ops->answer_name;
}

int
target_lags(const struct target *t)
{
	return t->ops->lags;
}

void
target_flush(const struct target *t, struct http *http)
{
	if (t->ops->flush != NULL)
		t->ops->flush(t, http);
}

void
target_reader_init(struct target_reader *rd)
{
	memset(rd, 0, sizeof(*rd));
	query_init(&rd->query);
	vm_export_init(&rd->vm);
}

void
target_reader_free(struct target_reader *rd)
{
	query_free(&rd->query);
	vm_export_free(&rd->vm);
	free(rd->met);
}

int
target_limits(const struct target *t, struct http *http,
    struct target_limits *l)
{
	memset(l, 0, sizeof(*l));
	return t->ops->limits != NULL ? t->ops->limits(t, http, l) : -1;
}
