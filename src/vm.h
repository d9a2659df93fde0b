/* vm.h - VictoriaMetrics' HTTP API: requests built and answers read
 * (export lines); no I/O */
#ifndef OTSDB_VM_H
#define OTSDB_VM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "datapoint.h"
#include "json.h"

struct error;

/* The series selector {__name__="M",k="v",...} of exactly the labels
 * given (a series with more labels matches it too: the caller keeps the
 * exact one).  Label names are escaped with backslashes, values are
 * quoted strings. */
void vm_selector(struct buf *out, const char *metric, size_t metric_len,
    const struct dp_tag *tags, size_t ntags);
/* Starts the URL of /api/v1/export over [lo, hi] ms, both included;
 * each vm_export_match then adds one selector (match[]). */
void vm_export_url(struct buf *url, const char *base, int64_t lo,
    int64_t hi);
void vm_export_match(struct buf *url, const char *selector, size_t len);
/* The start of dp's series' /api/v1/import line, up to its values:
 * {"metric":{"__name__":M,"k":"v",...},"values":[ */
void vm_import_head(struct buf *out, const struct datapoint *dp);
/* Why VictoriaMetrics, through any of its write paths, would store dp
 * changed without an error whatever its settings, or NULL: a tag named
 * __name__ (it renames the series), a tag name over VM_MAX_LABEL_NAME
 * bytes (cut). */
const char *vm_label_problem(const struct datapoint *dp);
#define VM_MAX_LABEL_NAME 256
/* The import URL of base: a single node's base/api/v1/import; a
 * cluster's vminsert base .../insert/N[/prometheus] gets
 * .../insert/N/prometheus/api/v1/import. */
void vm_import_url(struct buf *url, const char *base);
/* Whether base is a cluster's vminsert URL (its path /insert/N or
 * /insert/N/prometheus); its root (scheme and host) is then root_len
 * bytes of base. */
int vm_insert_path(const char *base, size_t *root_len);
/* Advice for an import refused for its size (status, the server's
 * message), or NULL. */
const char *vm_import_size_advice(long status, const char *msg);
/* The URL that makes recent writes searchable at once. */
void vm_flush_url(struct buf *url, const char *base);

/* The URL that answers "OK" on VictoriaMetrics (single node; a vmselect
 * or vminsert, /select/N/... or /insert/N/..., at its root), and whether
 * an answer to it is that. */
void vm_health_url(struct buf *url, const char *base);
int vm_health_ok(const char *body, size_t len);

/* Whether a failed export says the answer is too large for one request
 * (truncated by the client, or refused for its series or samples):
 * asked in parts it can succeed.  status 0: no answer (a timeout is no
 * sign of size). */
int vm_export_too_large(long status, const char *body, size_t len,
    int truncated);

/* Reusable state of the export reader. */
struct vm_export {
	struct json json;
	struct datapoint dp;
	struct buf strs;
};

void vm_export_init(struct vm_export *x);
void vm_export_free(struct vm_export *x);

/* What vm_export_walk calls: series() for each series of the answer
 * (its metric from __name__, the other labels as tags, sorted; 0: read
 * its points, else skip them), point() for each of its points with an
 * integer time: the value's JSON text (a string with its quotes), number
 * set when it is a JSON number. */
struct vm_export_walker {
	int (*series)(void *ctx, const struct datapoint *dp);
	void (*point)(void *ctx, int64_t ts, const char *val, size_t len,
	    int number);
	void *ctx;
};

/* The one reader of /api/v1/export answers (a JSON object a line:
 * metric, values, timestamps).  A series without __name__, or whose
 * labels cannot make a datapoint, is skipped.  Returns 0, or -1 with err
 * ("line N: ...") when a line is not a series of an export. */
int vm_export_walk(struct vm_export *x, const char *body, size_t len,
    const struct vm_export_walker *w, struct error *err);

#endif
