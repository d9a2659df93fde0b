/* scripted.h - the unit programs' HTTP transport over a script (http.h's
 * http_script): 2 requests at once, 3 retries, answers up to 1 MiB; the
 * requests a scenario made are kept, one "URL BODY" a line, in
 * scripted_log for a failure's diagnosis */
#ifndef OTSDB_TEST_SCRIPTED_H
#define OTSDB_TEST_SCRIPTED_H

#include <stdio.h>
#include <string.h>

#include "http.h"

static char scripted_log[8192];

static void
scripted_seen(void *ctx, const struct http_req *r,
    const struct http_script_row *row)
{
	size_t n = strlen(scripted_log);

	(void)ctx;
	(void)row;
	snprintf(scripted_log + n, sizeof(scripted_log) - n, "%s %.*s\n",
	    r->url, r->body ? (int)r->body_len : 0, r->body ? r->body : "");
}

/* A transport answered by rows[0..n) (sc holds the script). */
static struct http *
scripted(struct http_script *sc, struct http_script_row *rows, size_t n)
{
	struct http_opts o;

	memset(&o, 0, sizeof(o));
	memset(sc, 0, sizeof(*sc));
	sc->rows = rows;
	sc->n = n;
	sc->seen = scripted_seen;
	o.max_in_flight = 2;
	o.retries = 3;
	o.timeout_ms = 1000;
	o.max_response = (size_t)1 << 20;
	o.script = sc;
	scripted_log[0] = '\0';
	return http_new(&o);
}

#endif
