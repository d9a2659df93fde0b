/* discover.c - which metrics a dump reads: names given, or discovered
 * by prefix with /api/suggest, narrowed where an answer may be cut off */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "discover.h"
#include "error.h"
#include "fnv.h"
#include "http.h"
#include "json.h"
#include "lineio.h"
#include "otsdb.h"
#include "strvec.h"
#include "xalloc.h"

struct disco {
	const struct discover_config *cfg;
	struct http *http;
	uint64_t *requests, *retries;
	struct fatal *f;
	struct strvec todo;     /* prefixes to ask, in order */
	size_t next;            /* the next one to send */
	struct strvec *names;
	struct strvec unknown;  /* names given that the server lacks */
	int checking;           /* asking for names given, not a prefix */
};

/* An empty q is answered from '!' up to '~' excluded (OpenTSDB's
 * START_ROW and END_ROW): the first bytes outside are asked one by one. */
#define EMPTY_Q_FIRST 0x21u
#define EMPTY_Q_END 0x7Eu

/* Queues prefix + c for every character c from `first` to `last`. */
static void
narrow_range(struct disco *d, const char *prefix, unsigned first,
    unsigned last)
{
	struct buf q;
	unsigned c;

	if (strlen(prefix) > 256)
		return;
	buf_init(&q);
	for (c = first; c <= last; c++) {
		buf_reset(&q);
		buf_puts(&q, prefix);
		json_put_utf8(&q, c);
		strvec_add(&d->todo, q.p, q.len);
	}
	buf_free(&q);
}

static void
narrow(struct disco *d, const char *prefix, unsigned first)
{
	narrow_range(d, prefix, first, OTSDB_NAME_CP_MAX);
}

/* The error names what the user asked for: the prefix given, or every
 * metric; the narrowed prefix that failed (from U+0001 on, shown as a
 * JSON string) is an internal step, said with -v. */
static void
discovery_failed(struct disco *d, const char *prefix, const char *why)
{
	const char *given = d->cfg->prefix;
	struct buf q;

	buf_init(&q);
	json_put_string(&q, prefix, strlen(prefix));
	buf_putc(&q, '\0');
	if (d->checking) {
		fatal_set(d->f, "%s: looking up metric %s: %s",
		    d->cfg->shown, q.p, why);
		buf_free(&q);
		return;
	}
	if (d->cfg->notes != NULL)
		note(d->cfg->notes, NOTE_VERBOSE, "metric discovery: "
		    "/api/suggest for the names that start with %s: %s", q.p,
		    why);
	buf_reset(&q);
	if (given != NULL && *given != '\0') {
		json_put_string(&q, given, strlen(given));
		buf_putc(&q, '\0');
		fatal_set(d->f, "%s: metric discovery (prefix %s): %s",
		    d->cfg->shown, q.p, why);
	} else
		fatal_set(d->f, "%s: metric discovery (all metrics): %s",
		    d->cfg->shown, why);
	buf_free(&q);
}

static void
on_suggest(struct http_req *r, void *ctx)
{
	struct disco *d = ctx;
	const char *prefix = r->user;
	struct strvec *names = d->names;
	struct error err;
	size_t plen = strlen(prefix), before = names->n;
	unsigned last = 0;
	char msg[400];
	int cut, rc;

	http_count(r, d->requests, d->retries);
	if (r->outcome != HTTP_DONE_2XX) {
		otsdb_failure_text(r, msg, sizeof(msg));
		discovery_failed(d, prefix, msg);
		http_req_free(r);
		return;
	}
	rc = r->resp_truncated ? -1 : otsdb_suggest_parse(r->resp.p,
	    r->resp.len, prefix, names, &cut, &err);
	http_req_free(r);
	if (rc < 0) {
		discovery_failed(d, prefix, "not a JSON array of names");
		return;
	}
	if (plen == 0) {
		/* every name from '!' up to the last one returned (or to
		 * '~' when not cut off) is known: the first bytes below '!'
		 * and from there on are asked one by one */
		narrow_range(d, prefix, 1, EMPTY_Q_FIRST - 1);
		if (cut && names->n > before)
			last = otsdb_codepoint_at(names->v[names->n - 1], 0);
		narrow(d, prefix, cut ? (last ? last : EMPTY_Q_FIRST) :
		    EMPTY_Q_END);
		return;
	}
	if (!cut)
		return;
	/* names below the last one returned are complete; from its next
	 * character on, ask again with a longer prefix */
	if (names->n > before && strlen(names->v[names->n - 1]) > plen)
		last = otsdb_codepoint_at(names->v[names->n - 1], plen);
	narrow(d, prefix, last ? last : 1);
}

/* Sends a suggest call for every entry of d->todo (which the answers may
 * lengthen), at most `max` names each, as many at once as the engine
 * allows; one waiting for a retry holds none back.  0, or -1 with f. */
static int
ask_all(struct disco *d, void (*done)(struct http_req *, void *), int max)
{
	struct buf url;
	struct http_req *r;

	while (!d->f->set) {
		while (d->next < d->todo.n && http_busy(d->http) <
		    (size_t)http_limit(d->http)) {
			buf_init(&url);
			otsdb_suggest_url(&url, d->cfg->base,
			    d->todo.v[d->next], max);
			r = http_req_new(xmemdup0(url.p, url.len), NULL, 0);
			buf_free(&url);
			r->done = done;
			r->ctx = d;
			r->user = d->todo.v[d->next++];
			http_submit(d->http, r);
		}
		if (http_pending(d->http) == 0 && d->next == d->todo.n)
			break;
		http_pump(d->http, -1, 500);
		http_waiting(d->http);
	}
	return d->f->set ? -1 : 0;
}

/* All metric names starting with prefix: suggest, and where an answer
 * may be cut off (OTSDB_SUGGEST_MAX names, or the server's own cap of
 * 25), narrow the prefix by every possible next character. */
static int
suggest_all(struct disco *d, const char *prefix)
{
	int rc;

	strvec_init(&d->todo);
	d->next = 0;
	/* an empty q first: its answer says which first bytes remain */
	strvec_add(&d->todo, prefix, strlen(prefix));
	rc = ask_all(d, on_suggest, OTSDB_SUGGEST_MAX);
	strvec_free(&d->todo);
	return rc;
}

/* A name given exists when a suggest call for it, one name at most,
 * answers that name (the server answers in byte order). */
static void
on_exists(struct http_req *r, void *ctx)
{
	struct disco *d = ctx;
	const char *name = r->user;
	struct strvec got;
	struct error err;
	char msg[400];
	int cut, rc;

	http_count(r, d->requests, d->retries);
	if (r->outcome != HTTP_DONE_2XX) {
		otsdb_failure_text(r, msg, sizeof(msg));
		discovery_failed(d, name, msg);
		http_req_free(r);
		return;
	}
	strvec_init(&got);
	rc = r->resp_truncated ? -1 : otsdb_suggest_parse(r->resp.p,
	    r->resp.len, name, &got, &cut, &err);
	http_req_free(r);
	if (rc < 0)
		discovery_failed(d, name, "not a JSON array of names");
	else if (got.n == 0 || strcmp(got.v[0], name) != 0)
		strvec_add(&d->unknown, name, strlen(name));
	strvec_free(&got);
}

/* Every name of `names` (sorted) the server knows, or a fatal error
 * listing those it does not (-2), before any data is read. */
static int
check_names(struct disco *d, const struct strvec *names)
{
	struct strvec shared, grouped, found;
	struct buf q;
	char from[300];
	size_t i, j;
	int rc;

	strvec_init(&d->todo);
	strvec_init(&d->unknown);
	d->next = 0;
	d->checking = 1;
	/* names alone in their first character: one suggest call each;
	 * the others (grouped), by the longest prefix they share, narrowed
	 * as discovery is: a few calls for a whole list of names */
	strvec_init(&shared);
	strvec_init(&grouped);
	for (i = 0; i < names->n; i = j) {
		size_t lcp = strlen(names->v[i]), k;

		for (j = i + 1; j < names->n && otsdb_codepoint_at(names->v[j],
		    0) == otsdb_codepoint_at(names->v[i], 0); j++) {
			for (k = 0; k < lcp && names->v[j][k] ==
			    names->v[i][k]; k++)
				;
			lcp = k;
		}
		/* whole characters only (UTF-8 continuation bytes) */
		while (lcp > 0 && ((unsigned char)names->v[i][lcp] & 0xC0) ==
		    0x80)
			lcp--;
		if (j - i > 1 && lcp > 0)
			strvec_add(&shared, names->v[i], lcp);
		for (k = i; k < j; k++)
			strvec_add(j - i > 1 && lcp > 0 ? &grouped : &d->todo,
			    names->v[k], strlen(names->v[k]));
	}
	rc = ask_all(d, on_exists, 1);
	if (rc == 0 && shared.n > 0) {
		struct strvec *keep = d->names;

		strvec_free(&d->todo);
		strvec_init(&d->todo);
		strvec_init(&found);
		d->next = 0;
		d->names = &found;
		for (i = 0; i < shared.n; i++)
			strvec_add(&d->todo, shared.v[i], strlen(shared.v[i]));
		rc = ask_all(d, on_suggest, OTSDB_SUGGEST_MAX);
		d->names = keep;
		strvec_sort_unique(&found);
		for (i = 0; rc == 0 && i < grouped.n; i++)
			if (!strvec_has(&found, found.n, grouped.v[i]))
				strvec_add(&d->unknown, grouped.v[i],
				    strlen(grouped.v[i]));
		strvec_free(&found);
	}
	strvec_free(&shared);
	strvec_free(&grouped);
	if (rc == 0 && d->unknown.n > 0) {
		strvec_sort_unique(&d->unknown);
		buf_init(&q);
		for (i = 0; i < d->unknown.n && i < 10; i++) {
			if (i > 0)
				buf_puts(&q, ", ");
			json_put_string(&q, d->unknown.v[i],
			    strlen(d->unknown.v[i]));
		}
		if (d->unknown.n > 10) {
			buf_puts(&q, " and ");
			buf_put_int64(&q, (long long)(d->unknown.n - 10));
			buf_puts(&q, " more");
		}
		buf_putc(&q, '\0');
		if (d->cfg->nmetrics && d->cfg->metrics_file)
			snprintf(from, sizeof(from), "by --metric and in %s",
			    d->cfg->metrics_file);
		else if (d->cfg->metrics_file)
			snprintf(from, sizeof(from), "in %s",
			    d->cfg->metrics_file);
		else
			snprintf(from, sizeof(from), "by --metric");
		if (names->n == 1)
			fatal_set(d->f, "%s: no such metric: %s (given %s); "
			    "nothing dumped", d->cfg->shown, q.p, from);
		else
			fatal_set(d->f, "%s: no such metric: %s (%zu of the "
			    "%zu names given %s); nothing dumped",
			    d->cfg->shown, q.p, d->unknown.n, names->n, from);
		buf_free(&q);
		rc = -2;
	}
	strvec_free(&d->todo);
	strvec_free(&d->unknown);
	return rc;
}

static int
read_metrics_file(struct disco *d, const char *path, struct strvec *names)
{
	struct lineio lr;
	struct error err;
	const char *line;
	size_t len;
	enum lineio_result res;

	if (lineio_open(&lr, path, 65536, &err) < 0) {
		fatal_set(d->f, "%s", err.msg);
		return -1;
	}
	while ((res = lineio_next(&lr, &line, &len, &err)) != LINEIO_EOF) {
		if (res == LINEIO_ERROR) {
			fatal_set(d->f, "%s", err.msg);
			break;
		}
		if (res == LINEIO_LONG) {
			fatal_set(d->f, "%s:%llu: line too long for a metric "
			    "name", lr.name, (unsigned long long)lr.lineno);
			break;
		}
		while (len > 0 && (line[len - 1] == ' ' ||
		    line[len - 1] == '\t'))
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		if (!json_utf8_valid(line, len) || memchr(line, 0, len)) {
			fatal_set(d->f, "%s:%llu: metric name is not valid "
			    "UTF-8", lr.name, (unsigned long long)lr.lineno);
			break;
		}
		strvec_add(names, line, len);
	}
	lineio_close(&lr);
	return d->f->set ? -1 : 0;
}

unsigned
discover_shard_of(const char *name, unsigned n)
{
	return (unsigned)(fnv1a(FNV1A_OFFSET, name, strlen(name)) % n);
}

int
discover_metrics(const struct discover_config *cfg, struct http *http,
    struct strvec *names, uint64_t *requests, uint64_t *retries,
    struct fatal *f)
{
	struct disco d;
	struct strvec all;
	struct buf q;
	size_t i, before = names->n;
	int rc = 0, given = cfg->nmetrics || cfg->metrics_file;

	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.http = http;
	d.requests = requests;
	d.retries = retries;
	d.f = f;
	d.names = &all;
	strvec_init(&all);
	if (given) {
		for (i = 0; i < cfg->nmetrics; i++)
			strvec_add(&all, cfg->metrics[i],
			    strlen(cfg->metrics[i]));
		if (cfg->metrics_file)
			rc = read_metrics_file(&d, cfg->metrics_file, &all);
	} else
		rc = suggest_all(&d, cfg->prefix ? cfg->prefix : "");
	if (rc == 0) {
		strvec_sort_unique(&all);
		for (i = 0; i < all.n; i++)
			if (cfg->nshards == 0 || discover_shard_of(all.v[i],
			    cfg->nshards) == cfg->shard)
				strvec_add(names, all.v[i], strlen(all.v[i]));
	}
	if (rc == 0 && all.n == 0 && cfg->require) {
		buf_init(&q);
		if (given)
			fatal_set(f, "no metric selected: %s holds no "
			    "metric name", strcmp(cfg->metrics_file, "-") == 0 ?
			    "standard input" : cfg->metrics_file);
		else if (cfg->prefix != NULL && *cfg->prefix != '\0') {
			json_put_string(&q, cfg->prefix, strlen(cfg->prefix));
			buf_putc(&q, '\0');
			fatal_set(f, "no metric selected: %s has no metric "
			    "whose name starts with %s (--metrics-prefix)",
			    cfg->shown, q.p);
		} else
			fatal_set(f, "no metric selected: %s has no metric",
			    cfg->shown);
		buf_free(&q);
		rc = -2;
	} else if (rc == 0 && names->n == before && cfg->nshards > 0 &&
	    cfg->notes != NULL)
		note(cfg->notes, NOTE_WARN, "--shard %u/%u: none of the %zu "
		    "metrics selected is in this shard", cfg->shard,
		    cfg->nshards, all.n);
	if (rc == 0 && given && cfg->require && names->n > before) {
		struct strvec mine;

		/* a name the server lacks is found before any data */
		strvec_init(&mine);
		for (i = before; i < names->n; i++)
			strvec_add(&mine, names->v[i], strlen(names->v[i]));
		rc = check_names(&d, &mine);
		strvec_free(&mine);
	}
	strvec_free(&all);
	return rc;
}
