/* progress.h - the progress line and the final summary of both tools,
 * from their engines' counters (main layer: prints to stderr) */
#ifndef OTSDB_PROGRESS_H
#define OTSDB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct dump_counters;
struct restore_counters;
struct check_counters;

struct http;

/* Throttles progress lines to one a second, and keeps the --stats-file
 * written every few seconds. */
struct progress {
	int64_t next_ms;
	int64_t waited_ms;       /* the time while retries waited for the
				  * source: not counted in the dump's ETA */
	struct http *http;       /* its wire bytes, or NULL */
	int show_rates;          /* the summary gives the rates reached */
	struct stats stats;      /* the --stats-file */
};

/* The start of a run: the wall clock, and where to write the stats. */
void progress_start(struct progress *p, const char *stats_file,
    struct http *http, int show_rates);
/* The HTTP engine, once there is one: its wire bytes. */
void progress_set_http(struct progress *p, struct http *http);

void progress_dump(struct progress *p, const struct dump_counters *c);
void progress_restore(struct progress *p, const struct restore_counters *c);
void progress_check(struct progress *p, const struct check_counters *c);

/* The summary line; "stopped: " first when the run did not finish.
 * Printed unless quiet, and always when stopped by an error.  With
 * p->show_rates it ends with the requests and bytes a second reached. */
void summary_dump(const struct dump_counters *c, int stopped, int fatal,
    const struct progress *p);
void summary_restore(const struct restore_counters *c, int dry_run,
    size_t size_limit, int stopped, int fatal, const struct progress *p);

/* The summary of otsdb-restore --check: points found, missing and
 * different in the target (what, at shown).  Printed unless quiet, and
 * always when something did not match or an error stopped it. */
void summary_check(const struct check_counters *c, const char *what,
    const char *shown, int stopped, int fatal, const struct progress *p);

#endif
