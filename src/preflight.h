/* preflight.h - otsdb-restore: what the target is, asked before the
 * first write (OpenTSDB and its settings, VictoriaMetrics' HTTP API or
 * its OpenTSDB listener, or an /api/put server of another kind) */
#ifndef OTSDB_PREFLIGHT_H
#define OTSDB_PREFLIGHT_H

#include <stddef.h>

#include "otsdb.h"

struct error;
struct http;
struct notes;

enum preflight_kind {
	PREFLIGHT_OTHER = 0,    /* an /api/put server that says nothing */
	PREFLIGHT_OPENTSDB,     /* /api/version names a version */
	PREFLIGHT_VM_LISTENER,  /* VictoriaMetrics' OpenTSDB listener */
	PREFLIGHT_VM,           /* VictoriaMetrics' HTTP API: /health OK */
	PREFLIGHT_VM_INSERT     /* a cluster's vminsert, .../insert/N */
};

struct preflight {
	enum preflight_kind kind;
	char what[96];          /* e.g. "OpenTSDB 2.4.1" */
	int config_read;        /* OpenTSDB: /api/config was read */
	struct otsdb_config config;
	size_t body_max;        /* the largest body it takes, 0: unknown */
};

/* Asks base/api/version and, of an OpenTSDB, base/api/config; of
 * anything else VictoriaMetrics' /health (each one request with the
 * run's retries).  With kind given (--target-type), asks only what that
 * kind publishes.  Says what it found (notes, with -v),
 * and once each setting that will refuse points, or that could not be
 * read (VictoriaMetrics' listener: unless api_given, its HTTP API named
 * by --target-api).  Returns 0, or -1 with err when the target cannot
 * be probed: no answer after the retries, or its credentials refused. */
int preflight_put(struct http *http, const char *base, const char *shown,
    enum preflight_kind kind, int api_given, const struct notes *notes,
    struct preflight *pf, struct error *err);
/* Whether the target is written through VictoriaMetrics' import. */
int preflight_imports(const struct preflight *pf);

#endif
