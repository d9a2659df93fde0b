/* progress.h - the progress line and the final summary of both tools,
 * from their engines' counters (main layer: prints to stderr) */
#ifndef OTSDB_PROGRESS_H
#define OTSDB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct dump_counters;
struct restore_counters;

/* Throttles progress lines to one a second. */
struct progress {
	int64_t next_ms;
};

void progress_dump(struct progress *p, const struct dump_counters *c);
void progress_restore(struct progress *p, const struct restore_counters *c);

/* The summary line; "stopped: " first when the run did not finish.
 * Printed unless quiet, and always when stopped by an error. */
void summary_dump(const struct dump_counters *c, int stopped, int fatal);
void summary_restore(const struct restore_counters *c, int dry_run,
    size_t size_limit, int stopped, int fatal);

#endif
