/* target.c - the kind of a target and its operations: detection (for
 * reading back, and before the first write), per kind a table of what
 * reading points back takes, and the write path a kind takes.
 * OpenTSDB publishes its settings at /api/config; VictoriaMetrics'
 * OpenTSDB listener answers every other path with 400 naming its "HTTP
 * OpenTSDB server"; anything else is an /api/put server. */
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

/* What /health at base (a vminsert: at its root) says. */
enum health {
	HEALTH_OK,        /* "OK": VictoriaMetrics */
	HEALTH_NOT,       /* an answer, but not that */
	HEALTH_REFUSED,   /* 401 or 403 (err) */
	HEALTH_FAILED     /* no usable answer after the retries (err) */
};

static enum health health(struct http *http, const char *base,
    const char *shown, struct error *err);

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

	memset(l, 0, sizeof(*l));
	if (probe_vm_settings(http, t->base, t->shown, NULL, &v, &err) < 0 ||
	    v.retention_ms < 0)
		return -1;
	vm_window(&v, clock_wall_ms(), 0, &l->lo, &l->hi, l->why_old,
	    sizeof(l->why_old));
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
	t->model = kind == TARGET_VM || kind == TARGET_VM_INSERT ||
	    kind == TARGET_VM_LISTENER ? COMPARE_VM : COMPARE_OPENTSDB_ANY;
	snprintf(t->what, sizeof(t->what), "%s", kind == TARGET_VM ?
	    "VictoriaMetrics" : "OpenTSDB");
}

int
target_detect(struct target *t, enum target_kind kind, struct http *http,
    const char *base, const char *shown, struct error *err)
{
	struct otsdb_version v;
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
	if (kind == TARGET_GUESS && !is_otsdb) {
		enum health h = health(http, base, shown, err);

		if (h == HEALTH_REFUSED)
			return -1;
		if (h != HEALTH_OK) {
			error_set(err, "%s answers neither /api/version as "
			    "OpenTSDB does nor /health as VictoriaMetrics "
			    "does (give VictoriaMetrics' HTTP port, not its "
			    "OpenTSDB put port, or name the kind with "
			    "--target-type)", shown);
			return -1;
		}
		kind = TARGET_VM;
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

/* ------------------------------------------------------------ writing */

/* The words VictoriaMetrics' listener answers an unknown path with. */
#define VM_LISTENER_SIGN "HTTP OpenTSDB server"

static int
mentions(const struct http_req *r, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; r->resp.p != NULL && i + n <= r->resp.len; i++)
		if (memcmp(r->resp.p + i, s, n) == 0)
			return 1;
	return 0;
}

/* Whether r failed for good: err says why. */
static int
unreachable(const struct http_req *r, const char *shown, const char *path,
    struct error *err)
{
	char msg[400];

	if (probe_refused(r, shown, path, err))
		return 1;
	if (r->outcome != HTTP_GAVE_UP_TRANSPORT &&
	    r->outcome != HTTP_GAVE_UP_STATUS)
		return 0;
	otsdb_failure_text(r, msg, sizeof(msg));
	error_set(err, "%s%s: the target cannot be probed before the first "
	    "write: %s", shown, path, msg);
	return 1;
}

/* Reads an OpenTSDB's /api/config; says what it could not read. */
static void
read_config(struct http *http, const char *base, const char *shown,
    const struct notes *notes, struct target *pf)
{
	struct buf url;
	struct http_req *r;
	char msg[400];

	buf_init(&url);
	buf_puts(&url, base);
	buf_puts(&url, "/api/config");
	r = probe_get(http, &url);
	if (r->outcome == HTTP_DONE_2XX && !r->resp_truncated &&
	    otsdb_config_parse(r->resp.p, r->resp.len, &pf->config) == 0)
		pf->config_read = 1;
	else {
		if (r->outcome == HTTP_DONE_2XX)
			snprintf(msg, sizeof(msg), "not a JSON object of "
			    "settings");
		else
			otsdb_failure_text(r, msg, sizeof(msg));
		note(notes, NOTE_WARN, "%s/api/config: %s: the target's "
		    "settings are unknown (request size, metrics created, tags "
		    "a point)", shown, msg);
	}
	http_req_free(r);
	buf_free(&url);
	if (!pf->config_read)
		return;
	pf->body_max = otsdb_config_body_max(&pf->config);
	if (pf->config.chunked > 0 &&
	    pf->config.max_chunk > (long)OTSDB_CHUNK_CAP)
		note(notes, NOTE_VERBOSE, "%s: tsd.http.request.max_chunk=%ld "
		    "is more than requests need: they are capped at %zu bytes "
		    "(-s sets another cap, up to 1G)", pf->what,
		    pf->config.max_chunk, OTSDB_CHUNK_CAP);
	if (pf->config.chunked < 0)
		note(notes, NOTE_WARN, "%s/api/config: no "
		    "tsd.http.request.enable_chunked: the largest request the "
		    "target takes is unknown", shown);
	if (pf->config.auto_metrics == 0)
		note(notes, NOTE_WARN, "%s does not create metrics "
		    "(tsd.core.auto_create_metrics=false): the points of a "
		    "metric it lacks will be refused (create them with "
		    "'tsdb mkmetric' first)", pf->what);
	note(notes, NOTE_VERBOSE, "%s: requests up to %zu bytes "
	    "(tsd.http.request.enable_chunked=%s, max_chunk=%ld), at most "
	    "%ld tags a point (tsd.storage.max_tags), metrics %screated on "
	    "first use", pf->what, pf->body_max, pf->config.chunked > 0 ?
	    "true" : pf->config.chunked == 0 ? "false" : "unknown",
	    pf->config.max_chunk, pf->config.max_tags,
	    pf->config.auto_metrics > 0 ? "" : pf->config.auto_metrics == 0 ?
	    "not " : "perhaps ");
}

static enum health
health(struct http *http, const char *base, const char *shown,
    struct error *err)
{
	struct buf url;
	struct http_req *r;
	enum health h = HEALTH_NOT;

	buf_init(&url);
	vm_health_url(&url, base);
	r = probe_get(http, &url);
	if (r->outcome == HTTP_DONE_2XX && vm_health_ok(r->resp.p,
	    r->resp.len))
		h = HEALTH_OK;
	else if (probe_refused(r, shown, "/health", err))
		h = HEALTH_REFUSED;
	else if (unreachable(r, shown, "/health", err))
		h = HEALTH_FAILED;
	http_req_free(r);
	buf_free(&url);
	return h;
}

/* VictoriaMetrics at base: its HTTP API, or a cluster's vminsert. */
static void
set_vm(struct target *t, const char *base, const char *shown,
    const char *what)
{
	size_t root;
	int insert = vm_insert_path(base, &root);

	target_set(t, insert ? TARGET_VM_INSERT : TARGET_VM, base, shown);
	snprintf(t->what, sizeof(t->what), "%s", what != NULL ? what :
	    insert ? "VictoriaMetrics' vminsert" : "VictoriaMetrics' HTTP API");
}

int
target_detect_write(struct target *t, enum target_kind kind, int api_given,
    struct http *http, const char *base, const char *shown,
    const struct notes *notes, struct error *err)
{
	struct otsdb_version v;
	struct buf url;
	struct http_req *r;
	enum health h;
	int whole, rc = 0;

	target_set(t, TARGET_PUT, base, shown);
	snprintf(t->what, sizeof(t->what), "an /api/put server");
	if (kind == TARGET_VM) {
		/* named by the user: the import, whatever /health says */
		h = health(http, base, shown, err);
		if (h == HEALTH_REFUSED || h == HEALTH_FAILED)
			return -1;
		if (h == HEALTH_NOT)
			note(notes, NOTE_WARN, "%s: no \"OK\" at /health: "
			    "written as VictoriaMetrics' HTTP API, as "
			    "--target-type says", shown);
		set_vm(t, base, shown, h == HEALTH_OK ? NULL :
		    "VictoriaMetrics");
		return 0;
	}
	buf_init(&url);
	otsdb_version_url(&url, base);
	r = probe_get(http, &url);
	whole = r->outcome == HTTP_DONE_2XX && !r->resp_truncated;
	if (whole && otsdb_version_parse(r->resp.p, r->resp.len, &v) == 0) {
		target_set(t, TARGET_OPENTSDB, base, shown);
		snprintf(t->what, sizeof(t->what), "OpenTSDB %s", v.text);
	} else if (r->outcome == HTTP_DONE_STATUS && r->status == 400 &&
	    mentions(r, VM_LISTENER_SIGN)) {
		target_set(t, TARGET_VM_LISTENER, base, shown);
		snprintf(t->what, sizeof(t->what), "VictoriaMetrics' "
		    "OpenTSDB listener");
	} else if (unreachable(r, shown, "/api/version", err))
		rc = -1;
	http_req_free(r);
	buf_free(&url);
	if (rc == 0 && t->kind == TARGET_PUT && kind != TARGET_OPENTSDB) {
		h = health(http, base, shown, err);
		if (h == HEALTH_REFUSED || h == HEALTH_FAILED)
			return -1;
		if (h == HEALTH_OK)
			set_vm(t, base, shown, NULL);
	}
	if (rc < 0)
		return -1;
	if (t->kind == TARGET_OPENTSDB)
		read_config(http, base, shown, notes, t);
	else if (t->kind == TARGET_VM_LISTENER && !api_given)
		note(notes, NOTE_WARN, "%s is %s: its settings (retention, "
		    "deduplication, label limits) cannot be read there, so "
		    "points it drops without an error would go unnoticed: name "
		    "its HTTP API (port 8428) with --target-api", shown,
		    t->what);
	else if (t->kind == TARGET_PUT)
		note(notes, NOTE_VERBOSE, "%s: no OpenTSDB version at "
		    "/api/version: %s, written as before", shown, t->what);
	if (t->kind != TARGET_PUT)
		note(notes, NOTE_VERBOSE, "%s: %s", shown, t->what);
	return 0;
}

int
target_imports(const struct target *t)
{
	return t->kind == TARGET_VM || t->kind == TARGET_VM_INSERT;
}

void
target_write_url(const struct target *t, struct buf *url, int sync,
    long sync_timeout_ms)
{
	if (target_imports(t))
		vm_import_url(url, t->base);
	else
		otsdb_put_url(url, t->base, sync, sync_timeout_ms);
}

size_t
target_write_size(const struct target *t)
{
	return target_imports(t) ? TARGET_IMPORT_SIZE : t->body_max;
}
