/* vm.c - VictoriaMetrics' HTTP API: export and flush requests built,
 * export answers read; no I/O.  MetricsQL reads an identifier's other
 * characters after a backslash, and a quoted string as Go does. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "error.h"
#include "json.h"
#include "otsdb.h"
#include "vm.h"

static int
ident_char(unsigned char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

/* A label name: a backslash before every other character (before the
 * lead byte of a UTF-8 sequence: the lexer takes the whole rune). */
static void
put_ident(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!ident_char(c, i == 0) && (c & 0xC0) != 0x80)
			buf_putc(out, '\\');
		buf_putc(out, (char)c);
	}
}

/* A double-quoted string: \\, \" and control characters escaped. */
static void
put_quoted(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"') {
			buf_putc(out, '\\');
			buf_putc(out, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			buf_append(out, e, 4);
		} else
			buf_putc(out, (char)c);
	}
	buf_putc(out, '"');
}

void
vm_selector(struct buf *out, const char *metric, size_t metric_len,
    const struct dp_tag *tags, size_t ntags)
{
	size_t i;

	buf_puts(out, "{__name__=");
	put_quoted(out, metric, metric_len);
	for (i = 0; i < ntags; i++) {
		buf_putc(out, ',');
		put_ident(out, tags[i].key, tags[i].key_len);
		buf_putc(out, '=');
		put_quoted(out, tags[i].val, tags[i].val_len);
	}
	buf_putc(out, '}');
}

/* Seconds with the milliseconds as a fraction: what start and end take. */
static void
put_seconds(struct buf *url, int64_t ms)
{
	char frac[5] = { '.', 0, 0, 0, 0 };

	buf_put_int64(url, ms / 1000);
	frac[1] = (char)('0' + ms % 1000 / 100);
	frac[2] = (char)('0' + ms % 100 / 10);
	frac[3] = (char)('0' + ms % 10);
	buf_append(url, frac, 4);
}

void
vm_export_url(struct buf *url, const char *base, int64_t lo, int64_t hi)
{
	buf_puts(url, base);
	buf_puts(url, "/api/v1/export?start=");
	put_seconds(url, lo);
	buf_puts(url, "&end=");
	put_seconds(url, hi);
}

void
vm_export_match(struct buf *url, const char *selector, size_t len)
{
	buf_puts(url, "&match%5B%5D=");
	otsdb_url_escape(url, selector, len);
}

void
vm_import_head(struct buf *out, const struct datapoint *dp)
{
	buf_puts(out, "{\"metric\":{\"__name__\":");
	json_put_string(out, dp->metric, dp->metric_len);
	datapoint_encode_tags(dp, out, 1);
	buf_puts(out, "},\"values\":[");
}

/* Whether base's path is /WHAT/N or /WHAT/N/prometheus (a cluster's
 * vminsert or vmselect); then root_len is the length of its root. */
static int
cluster_path(const char *base, const char *what, size_t *root_len)
{
	const char *p = strstr(base, "://"), *q;
	size_t n = strlen(what);

	if (p == NULL || (p = strchr(p + 3, '/')) == NULL || p[0] != '/' ||
	    strncmp(p + 1, what, n) != 0 || p[1 + n] != '/')
		return 0;
	/* the tenant: accountID or accountID:projectID */
	q = p + 2 + n;
	if (*q < '0' || *q > '9')
		return 0;
	q += strspn(q, "0123456789:");
	if (*q != '\0' && strcmp(q, "/prometheus") != 0)
		return 0;
	*root_len = (size_t)(p - base);
	return 1;
}

int
vm_insert_path(const char *base, size_t *root_len)
{
	return cluster_path(base, "insert", root_len);
}

void
vm_import_url(struct buf *url, const char *base)
{
	size_t root, n = strlen(base);

	buf_puts(url, base);
	if (vm_insert_path(base, &root) && (n < 11 ||
	    strcmp(base + n - 11, "/prometheus") != 0))
		buf_puts(url, "/prometheus");
	buf_puts(url, "/api/v1/import");
}

const char *
vm_import_size_advice(long status, const char *msg)
{
	if (status == 413 || strstr(msg, "maxInsertRequestSize") != NULL ||
	    strstr(msg, "too big") != NULL)
		return "VictoriaMetrics takes at most -maxInsertRequestSize "
		    "bytes a request (32 MiB by default): lower "
		    "--request-size-limit";
	return NULL;
}

void
vm_flush_url(struct buf *url, const char *base)
{
	buf_puts(url, base);
	buf_puts(url, "/internal/force_flush");
}

void
vm_health_url(struct buf *url, const char *base)
{
	size_t root;

	if (cluster_path(base, "insert", &root) ||
	    cluster_path(base, "select", &root))
		buf_append(url, base, root);
	else
		buf_puts(url, base);
	buf_puts(url, "/health");
}

int
vm_health_ok(const char *body, size_t len)
{
	return len >= 2 && memcmp(body, "OK", 2) == 0;
}

/* Whether the n bytes at s hold the string w. */
static int
has(const char *s, size_t n, const char *w)
{
	return s != NULL && memmem(s, n, w, strlen(w)) != NULL;
}

int
vm_export_too_large(long status, const char *body, size_t len,
    int truncated)
{
	if (truncated)
		return 1;
	return (status < 200 || status > 299) &&
	    (has(body, len, "exceed") || has(body, len, "too many"));
}

void
vm_export_init(struct vm_export *x)
{
	json_init(&x->json);
	datapoint_init(&x->dp);
	buf_init(&x->strs);
}

void
vm_export_free(struct vm_export *x)
{
	json_free(&x->json);
	datapoint_free(&x->dp);
	buf_free(&x->strs);
}

static int
is_name(const struct dp_tag *t)
{
	return t->key_len == 8 && memcmp(t->key, "__name__", 8) == 0;
}

/* Makes x->dp the series of labels object m: __name__ the metric, the
 * other labels its tags, sorted.  -1 when they cannot be a series. */
static int
export_series(struct vm_export *x, int m)
{
	struct datapoint *dp = &x->dp;
	struct error err;
	size_t i;

	buf_reset(&x->strs);
	if (datapoint_json_tags(dp, &x->json, m, &x->strs) > 0)
		return -1;
	for (i = 0; i < dp->ntags; i++)
		if (is_name(&dp->tags[i]))
			break;
	if (i == dp->ntags)
		return -1;
	dp->metric = dp->tags[i].val;
	dp->metric_len = dp->tags[i].val_len;
	dp->tags[i] = dp->tags[--dp->ntags];
	/* a repeated label (JSON allows it) makes no series */
	for (i = 0; i < dp->ntags; i++)
		if (is_name(&dp->tags[i]))
			return -1;
	return datapoint_sort_tags(dp, &err);
}

int
vm_export_walk(struct vm_export *x, const char *body, size_t len,
    const struct vm_export_walker *w, struct error *err)
{
	struct json *j = &x->json;
	size_t at = 0, lineno = 0;

	while (at < len) {
		const char *nl = memchr(body + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (body + at)) : len - at;
		int m, vals, tss, k, nv, v, t;

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
		if (export_series(x, m) < 0 || w->series(w->ctx, &x->dp) != 0)
			continue;
		nv = json_count(j, vals);
		for (k = 0, v = vals + 1, t = tss + 1; k < nv; k++,
		    v = json_next(j, v), t = json_next(j, t)) {
			int64_t ts;
			size_t vn;
			const char *vv = json_text(j, v, &vn);

			if (json_int64(j, t, &ts) < 0)
				continue;
			w->point(w->ctx, ts, vv, vn,
			    json_type(j, v) == JSON_NUMBER);
		}
	}
	return 0;
}

const char *
vm_label_problem(const struct datapoint *dp)
{
	size_t i;

	for (i = 0; i < dp->ntags; i++) {
		if (dp->tags[i].key_len == 8 &&
		    memcmp(dp->tags[i].key, "__name__", 8) == 0)
			return "a tag named __name__: VictoriaMetrics keeps the "
			    "metric's name under that label (the series would "
			    "be renamed); rename the tag in the input";
		if (dp->tags[i].key_len > VM_MAX_LABEL_NAME)
			return "a tag name longer than 256 bytes: "
			    "VictoriaMetrics would cut it silently; shorten "
			    "it in the input";
	}
	return NULL;
}
