/* output.h - where otsdb-dump's lines go: stdout, --output FILE, or
 * --dump-dir DIR with per-metric files and resume metadata */
#ifndef OTSDB_OUTPUT_H
#define OTSDB_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct error;
struct notes;

enum output_status {
	OUTPUT_OK = 0,
	OUTPUT_ERROR = -1,      /* err says why */
	OUTPUT_BROKEN_PIPE = -2 /* the reader went away: end silently */
};

/* An output to stream (named `name` in messages, e.g. "stdout" or the
 * --output path), or, when dir is set, to DIR/METRIC.ndjson files (the
 * directory is created); remove_metadata deletes a metric's
 * METRIC.dmeta.json once it is complete.  Notes of non-fatal trouble go
 * to notes.  The stream stays the caller's.  NULL with err. */
struct output *output_new(FILE *stream, const char *name, const char *dir,
    int remove_metadata, const struct notes *notes, struct error *err);
/* Flushes and closes what the output opened; frees it (NULL is fine). */
enum output_status output_free(struct output *o, struct error *err);

/* Registers metric number idx (0, 1, ... in dump order) and says where
 * its frames start: at start_ms, or with a dump dir after the last
 * frame recorded in its metadata (the data file is trimmed to the size
 * recorded there). */
enum output_status output_metric(struct output *o, size_t idx,
    const char *name, int64_t start_ms, int64_t *resume_ms,
    struct error *err);
/* Writes the lines of metric idx's frame [lo, hi) and, with a dump dir,
 * then records the frame as done. */
enum output_status output_frame(struct output *o, size_t idx, int64_t lo,
    int64_t hi, const char *data, size_t len, struct error *err);
/* Metric idx is complete: closes its file, removes its metadata when
 * asked to. */
enum output_status output_metric_done(struct output *o, size_t idx,
    struct error *err);

#endif
