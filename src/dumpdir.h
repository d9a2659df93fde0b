/* dumpdir.h - the --dump-dir layout of otsdb-dump: safe file names and
 * the per-metric resume metadata METRIC.dmeta.json */
#ifndef OTSDB_DUMPDIR_H
#define OTSDB_DUMPDIR_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* Appends the file-name form of a metric name: bytes other than
 * A-Z a-z 0-9 . _ - become %XX (upper-case hex), and so does a leading
 * '.', so no name can be "." or "..", hidden, or contain '/'.  Decoding
 * %XX gives the name back. */
void dumpdir_encode_name(struct buf *out, const char *name, size_t n);
/* The reverse; returns -1 if `s` is not an encoded name. */
int dumpdir_decode_name(struct buf *out, const char *s, size_t n);

/* Resume state of one metric: the last completed frame [start, end]
 * (inclusive, seconds with millisecond fractions, as the seed wrote it)
 * and the size of METRIC.ndjson after it (-1 when unknown). */
struct dumpdir_meta {
	int64_t start_ms;
	int64_t end_ms;  /* inclusive */
	int64_t size;
};

/* Reads path; 1 if read, 0 if absent, -1 if unreadable (errno set). */
int dumpdir_read_meta(const char *path, struct dumpdir_meta *m);
/* Replaces the file at path with n bytes of text atomically: path.upd,
 * fsync, rename.  0, or -1 with errno. */
int dumpdir_write_atomic(const char *path, const char *text, size_t n);
/* Writes METRIC.dmeta.json with dumpdir_write_atomic.  0 or -1. */
int dumpdir_write_meta(const char *path, const struct dumpdir_meta *m);

#endif
