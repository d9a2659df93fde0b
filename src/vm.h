/* vm.h - VictoriaMetrics' HTTP API as otsdb-restore --check reads it:
 * requests built, answers read; no I/O */
#ifndef OTSDB_VM_H
#define OTSDB_VM_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct dp_tag;

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
/* The URL that makes recent writes searchable at once. */
void vm_flush_url(struct buf *url, const char *base);

#endif
