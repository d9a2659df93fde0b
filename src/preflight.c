/* preflight.c - otsdb-restore's look at the target before the first put
 * OpenTSDB publishes its settings at /api/config; VictoriaMetrics'
 * OpenTSDB listener answers every other path with 400 naming its "HTTP
 * OpenTSDB server"; anything else is an /api/put server as before. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "http.h"
#include "otsdb.h"
#include "preflight.h"
#include "probe.h"
#include "vm.h"

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
    const struct notes *notes, struct preflight *pf)
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

int
preflight_imports(const struct preflight *pf)
{
	return pf->kind == PREFLIGHT_VM || pf->kind == PREFLIGHT_VM_INSERT;
}

/* Whether VictoriaMetrics answers /health at base (a vminsert: at its
 * root).  -1 with err when it cannot be probed. */
static int
vm_health(struct http *http, const char *base, const char *shown,
    struct preflight *pf, struct error *err)
{
	struct buf url;
	struct http_req *r;
	size_t root;
	int insert = vm_insert_path(base, &root), rc = 0;

	buf_init(&url);
	vm_health_url(&url, base);
	r = probe_get(http, &url);
	if (r->outcome == HTTP_DONE_2XX && vm_health_ok(r->resp.p,
	    r->resp.len)) {
		pf->kind = insert ? PREFLIGHT_VM_INSERT : PREFLIGHT_VM;
		snprintf(pf->what, sizeof(pf->what), "%s", insert ?
		    "VictoriaMetrics' vminsert" : "VictoriaMetrics' HTTP API");
	} else if (unreachable(r, shown, "/health", err))
		rc = -1;
	http_req_free(r);
	buf_free(&url);
	return rc;
}

int
preflight_put(struct http *http, const char *base, const char *shown,
    enum preflight_kind kind, int api_given, const struct notes *notes,
    struct preflight *pf, struct error *err)
{
	struct otsdb_version v;
	struct buf url;
	struct http_req *r;
	size_t root;
	int whole, rc = 0;

	memset(pf, 0, sizeof(*pf));
	snprintf(pf->what, sizeof(pf->what), "an /api/put server");
	if (kind == PREFLIGHT_VM) {
		/* named by the user: the import, whatever /health says */
		if (vm_health(http, base, shown, pf, err) < 0)
			return -1;
		if (!preflight_imports(pf)) {
			note(notes, NOTE_WARN, "%s: no \"OK\" at /health: "
			    "written as VictoriaMetrics' HTTP API, as "
			    "--target-type says", shown);
			pf->kind = vm_insert_path(base, &root) ?
			    PREFLIGHT_VM_INSERT : PREFLIGHT_VM;
			snprintf(pf->what, sizeof(pf->what), "VictoriaMetrics");
		}
		return 0;
	}
	buf_init(&url);
	otsdb_version_url(&url, base);
	r = probe_get(http, &url);
	whole = r->outcome == HTTP_DONE_2XX && !r->resp_truncated;
	if (whole && otsdb_version_parse(r->resp.p, r->resp.len, &v) == 0) {
		pf->kind = PREFLIGHT_OPENTSDB;
		snprintf(pf->what, sizeof(pf->what), "OpenTSDB %s", v.text);
	} else if (r->outcome == HTTP_DONE_STATUS && r->status == 400 &&
	    mentions(r, VM_LISTENER_SIGN)) {
		pf->kind = PREFLIGHT_VM_LISTENER;
		snprintf(pf->what, sizeof(pf->what), "VictoriaMetrics' "
		    "OpenTSDB listener");
	} else if (unreachable(r, shown, "/api/version", err))
		rc = -1;
	http_req_free(r);
	buf_free(&url);
	if (rc < 0 || (pf->kind == PREFLIGHT_OTHER && kind != PREFLIGHT_OPENTSDB &&
	    vm_health(http, base, shown, pf, err) < 0))
		return -1;
	if (pf->kind == PREFLIGHT_OPENTSDB)
		read_config(http, base, shown, notes, pf);
	else if (pf->kind == PREFLIGHT_VM_LISTENER && !api_given)
		note(notes, NOTE_WARN, "%s is %s: its settings (retention, "
		    "deduplication, label limits) cannot be read there, so "
		    "points it drops without an error would go unnoticed: name "
		    "its HTTP API (port 8428) with --target-api", shown,
		    pf->what);
	else if (pf->kind == PREFLIGHT_OTHER)
		note(notes, NOTE_VERBOSE, "%s: no OpenTSDB version at "
		    "/api/version: %s, written as before", shown, pf->what);
	if (pf->kind != PREFLIGHT_OTHER)
		note(notes, NOTE_VERBOSE, "%s: %s", shown, pf->what);
	return 0;
}
