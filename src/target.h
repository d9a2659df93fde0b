/* target.h - what kind of server a URL is (OpenTSDB and its version, or
 * VictoriaMetrics' HTTP API) and, per kind, its operations: the only
 * place that tells the kinds apart */
#ifndef OTSDB_TARGET_H
#define OTSDB_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "otsdb.h"
#include "query.h"
#include "vm.h"

struct buf;
struct datapoint;
struct error;
struct http;
struct http_req;
struct notes;

/* The one list of the kinds of server the tools talk to. */
enum target_kind {
	TARGET_GUESS = 0, /* ask the server (target_detect) */
	TARGET_OPENTSDB,  /* /api/query, 'none', ms; /api/put */
	TARGET_VM,        /* VictoriaMetrics' HTTP API: /api/v1/export,
			   * /api/v1/import */
	TARGET_VM_INSERT, /* a cluster's vminsert (.../insert/N): import */
	TARGET_VM_LISTENER, /* VictoriaMetrics' OpenTSDB listener: /api/put
			   * only, its settings unreadable there */
	TARGET_PUT        /* an /api/put server that says nothing more */
};

/* The request size a VictoriaMetrics import is cut at unless -s says
 * otherwise: it takes up to 32 MiB (-maxInsertRequestSize); 1 MiB keeps
 * a retry and the memory of the window small while a request carries
 * thousands of points. */
#define TARGET_IMPORT_SIZE ((size_t)1 << 20)

/* A series selector of a read-back request, as target_selector made it
 * (or, by TSUID, as target_tsuid_selector did). */
struct target_sel {
	const char *p;
	size_t n;
};

/* How a failed read-back is to be taken. */
enum target_failure {
	TARGET_FAILED,        /* an error to report */
	TARGET_TIMED_OUT,     /* no answer in time: an error too (a time
			       * is not a size: asking in parts would
			       * multiply the wait) */
	TARGET_TOO_LARGE,     /* ask again in parts */
	TARGET_UNKNOWN_NAME,  /* a name it never had fails the whole
			       * request: alone, the series holds nothing */
	TARGET_NO_NONE        /* OpenTSDB before 2.3 (its version hidden):
			       * read series by TSUID */
};

/* What a read-back answer holds, handed to the caller: series() gives
 * the caller's number of a series, or (size_t)-1 to skip it; point()
 * each point of a series taken: its value's JSON text (a number, or
 * what the target holds instead: a quoted string, null, ...). */
struct target_read_cb {
	size_t (*series)(void *ctx, const struct datapoint *dp);
	void (*point)(void *ctx, size_t series, int64_t ts, const char *val,
	    size_t len);
	void *ctx;
};

/* Reusable state of the answer readers. */
struct target_reader {
	struct query query;
	struct vm_export vm;
	const struct target_read_cb *cb;
	size_t cur;  /* the series being read */
	/* OpenTSDB: the series already met in this answer, by index (a
	 * server that ignores explicitTags answers a series once for each
	 * sub-query whose tags it has: only the first is read) */
	unsigned char *met;
	size_t met_cap;
};

struct target_ops;

struct target {
	enum target_kind kind;
	const char *base;       /* without trailing / */
	const char *shown;      /* the same, credentials masked */
	int by_tsuid;           /* OpenTSDB before 2.3, without 'none': each
				 * series by its TSUID, from a lookup */
	char what[96];          /* e.g. "OpenTSDB 2.4.1" */
	enum compare_model model; /* how it stores values */
	const struct target_ops *ops;
	/* the write side (target_detect_write) */
	int config_read;        /* OpenTSDB: /api/config was read */
	struct otsdb_config config;
	size_t body_max;        /* the largest body it takes, 0: unknown */
};

/* Finds out what answers at base: OpenTSDB when /api/version names a
 * version, VictoriaMetrics when /health says OK; with kind given, only
 * asks an OpenTSDB its version (whether it has 'none').  base and shown
 * are kept, not copied.  Returns 0, or -1 with err. */
int target_detect(struct target *t, enum target_kind kind,
    struct http *http, const char *base, const char *shown,
    struct error *err);
/* What to write to at base, before the first write: asks
 * base/api/version and, of an OpenTSDB, base/api/config; of anything
 * else VictoriaMetrics' /health (each one request with the run's
 * retries).  With kind given (--target-type: TARGET_OPENTSDB or
 * TARGET_VM), asks only what that kind publishes.  Says what it found
 * (notes, with -v), and once each setting that will refuse points, or
 * that could not be read (VictoriaMetrics' listener: unless api_given,
 * its HTTP API named by --target-api).  Returns 0, or -1 with err when
 * the target cannot be probed: no answer after the retries, or its
 * credentials refused. */
int target_detect_write(struct target *t, enum target_kind kind,
    int api_given, struct http *http, const char *base, const char *shown,
    const struct notes *notes, struct error *err);
/* Whether points go to it through VictoriaMetrics' /api/v1/import (else
 * OpenTSDB's /api/put). */
int target_imports(const struct target *t);
/* Its write URL: the import, or /api/put (with sync, answered once
 * written, after sync_timeout_ms at most when not 0). */
void target_write_url(const struct target *t, struct buf *url, int sync,
    long sync_timeout_ms);
/* The request size it takes unless -s says otherwise: the import's
 * default, an OpenTSDB's largest body, or 0 (the tool's default). */
size_t target_write_size(const struct target *t);

/* A target of a known kind, without asking (tests); an OpenTSDB of
 * unknown version. */
void target_set(struct target *t, enum target_kind kind, const char *base,
    const char *shown);

/* How values compare in the target. */
enum compare_model target_model(const struct target *t);
/* Appends the read-back selector of dp's series (by TSUID, the lookup
 * gives it instead: target_tsuid_selector). */
void target_selector(const struct target *t, struct buf *out,
    const struct datapoint *dp);
void target_tsuid_selector(struct buf *out, const char *tsuid);
/* Bytes a selector's byte may take in a request (URL escaping). */
size_t target_selector_cost(const struct target *t);
/* The request that reads the n series back over [lo, hi] ms, both
 * included; its answer is read up to max_resp bytes. */
struct http_req *target_read_request(const struct target *t, int64_t lo,
    int64_t hi, const struct target_sel *sels, size_t n, size_t max_resp);
/* Reads a read-back answer.  -1 with err when it is not one. */
int target_read_answer(const struct target *t, struct target_reader *rd,
    const char *body, size_t len, const struct target_read_cb *cb,
    struct error *err);
/* How to take a read-back that did not end in a whole 2xx answer. */
enum target_failure target_read_failure(const struct target *t,
    const struct http_req *r);
/* What a read-back answer is called in messages ("an export"). */
const char *target_answer_name(const struct target *t);

/* Whether points written a moment ago may take seconds to be read back
 * (VictoriaMetrics: new series under load): a missing point is asked
 * for again before it is reported. */
int target_lags(const struct target *t);
/* Asks the target to make what it was sent searchable now (VictoriaMetrics'
 * /internal/force_flush; nothing for OpenTSDB). */
void target_flush(const struct target *t, struct http *http);

/* What the target drops without an error, as far as it says: points
 * before lo or after hi (ms), and whether it merges points. */
struct target_limits {
	int64_t lo, hi;
	char why_old[160];      /* e.g. "older than the target's retention
				 * (-retentionPeriod=1: 31 days)" */
	char merges[96];        /* e.g. "-dedup.minScrapeInterval=1s", or "" */
};

/* Asks the target its limits (VictoriaMetrics: /metrics; OpenTSDB keeps
 * every point).  0 when l holds them, -1 when they are unknown. */
int target_limits(const struct target *t, struct http *http,
    struct target_limits *l);

void target_reader_init(struct target_reader *rd);
void target_reader_free(struct target_reader *rd);

#endif
