/* dumpdir.h - the --dump-dir layout, both halves: otsdb-dump's safe file
 * names and METRIC.dmeta.json, otsdb-restore's listing of *.ndjson files
 * and FILE.rmeta.json */
#ifndef OTSDB_DUMPDIR_H
#define OTSDB_DUMPDIR_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct error;
struct strvec;

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
/* Writes METRIC.dmeta.json with atomicfile_write.  0 or -1. */
int dumpdir_write_meta(const char *path, const struct dumpdir_meta *m);

/* The data and metadata paths of metric name in dir: DIR/NAME.ndjson and
 * DIR/NAME.dmeta.json with the name encoded.  Caller frees both. */
void dumpdir_metric_paths(const char *dir, const char *name, char **file,
    char **meta);

/* Adds the paths of dir's *.ndjson files (not hidden ones) to paths, in
 * byte order of their names.  0, or -1 with err. */
int dumpdir_list(const char *dir, struct strvec *paths, struct error *err);
/* FILE.rmeta.json for a data file.  Caller frees. */
char *dumpdir_rmeta_path(const char *file);
/* Reads FILE.rmeta.json, {"offset": N}: the bytes of FILE already
 * stored.  *offset is 0 when it is absent.  0, or -1 with errno. */
int dumpdir_read_rmeta(const char *path, uint64_t *offset);
/* Writes FILE.rmeta.json atomically (the old tool's format).  0 or -1. */
int dumpdir_write_rmeta(const char *path, uint64_t offset);

#endif
