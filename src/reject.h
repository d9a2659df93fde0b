/* reject.h - the reject file: every refused line or point as NDJSON
 * {"source":"FILE:LINE","error":REASON,"line":TEXT} */
#ifndef OTSDB_REJECT_H
#define OTSDB_REJECT_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct reject_file;

/* Creates (truncates) path.  NULL with err on failure. */
struct reject_file *reject_open(const char *path, struct error *err);
/* Appends one record and flushes it: source and line number (0 when
 * unknown: "FILE:?"), the reason, the line's bytes (any bytes: they are
 * escaped), and whether the line was cut short.  0, or -1 with err. */
int reject_write(struct reject_file *rf, const char *source,
    uint64_t lineno, const char *reason, const char *line, size_t len,
    int truncated, struct error *err);
/* Closes the file (NULL is fine).  0, or -1 with err on a write error. */
int reject_close(struct reject_file *rf, struct error *err);

#endif
