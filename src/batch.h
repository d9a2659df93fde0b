/* batch.h - size-capped request body: an /api/put JSON array of points,
 * or VictoriaMetrics' /api/v1/import JSON lines (a series and its
 * points a line) */
#ifndef OTSDB_BATCH_H
#define OTSDB_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Where each point of a batch sits in the body (a body is at most 1 GiB
 * and these 16 bytes are most of a batch's memory besides it), and where
 * it came from, as from the batch's first point: batch_lineno() and
 * batch_end_offset() say. */
struct batch_point {
	uint32_t off;        /* the point's JSON object in body */
	uint32_t len;
	uint32_t line_delta; /* input line number - the first point's */
	uint32_t end_delta;  /* input offset just after the line - the
			      * first point's */
};

struct batch_gzip;

/* A request body that never exceeds `cap` bytes: "[" obj,obj... "]";
 * or, made by batch_new_gzip, a gzip body (gz) that never exceeds it
 * while `body` holds the same points uncompressed. */
struct batch {
	struct buf body;
	struct buf gz;       /* the gzip body (batch_new_gzip), once finished */
	struct batch_gzip *z; /* the deflate stream while points are added */
	size_t cap;
	size_t raw_cap;      /* bound of body */
	size_t max_points; /* 0 = no limit */
	struct batch_point *pts;
	size_t n;
	size_t pts_cap;
	uint64_t lineno0;  /* the first point's input line number */
	uint64_t end0;     /* and the input offset just after it */
	int source;        /* the input this batch was read from */
	int gzip;          /* made by batch_new_gzip, and still gzip */
	int finished;
	int import;        /* JSON lines (batch_new_import) */
	int open;          /* import: body ends in an open line, whose
			    * timestamps are in ts */
	struct buf head;   /* import: the open line's series head */
	struct buf ts;     /* import: its timestamps, "t1,t2" */
};

enum batch_result {
	BATCH_ADDED,  /* appended */
	BATCH_FULL,   /* would pass the cap or max_points: send this batch */
	BATCH_TOO_BIG /* can never fit, even alone */
};

/* A new empty batch; caller frees with batch_free (NULL is fine). */
struct batch *batch_new(size_t cap, size_t max_points, int source);
/* The same, for a gzip body of at most cap bytes.  Points are
 * compressed as they are added, once: before each, a bound of what the
 * bytes not yet flushed can take (their stored size) says whether it
 * fits; when it may not, a sync flush makes the size so far exact.  The
 * uncompressed body is bounded by 16 x cap, or cap when that is over
 * 4 MiB (VictoriaMetrics counts its 32 MiB after inflating).  A point
 * the gzip body cannot take but the plain one can makes the batch plain
 * (gzip cleared), as does a gzip body no smaller than the plain one when
 * it is finished: compressing never refuses a point nor packs fewer. */
struct batch *batch_new_gzip(size_t cap, size_t max_points, int source);
/* A batch of /api/v1/import JSON lines under cap (gzip: as
 * batch_new_gzip), added to by batch_add_import only.  Points of one
 * series in a row share a line:
 * {"metric":{...},"values":[v,...],"timestamps":[t,...]}. */
struct batch *batch_new_import(size_t cap, size_t max_points, int source,
    int gzip);
void batch_free(struct batch *b);
/* Appends one JSON object of len bytes, checking the cap before it
 * appends.  The closing "]" is counted, so the finished body fits.  A
 * point 4 Gi lines or bytes of input past the first is BATCH_FULL. */
enum batch_result batch_add(struct batch *b, const char *obj, size_t len,
    uint64_t lineno, uint64_t end_offset);
/* Appends a point to an import batch: head is its series' line up to
 * the values ({"metric":{...},"values":[, vm_import_head), val its value
 * text, ts_ms its time.  The lines' closing bytes are counted. */
enum batch_result batch_add_import(struct batch *b, const char *head,
    size_t head_len, const char *val, size_t vlen, int64_t ts_ms,
    uint64_t lineno, uint64_t end_offset);
/* Closes the array (import: the last line); the body is then b->body.p,
 * b->body.len bytes, and for a gzip batch its gzip b->gz.p, b->gz.len.
 * Returns 0, or -1 if the gzip body came out over the cap (a bug: it
 * must not be sent). */
int batch_finish(struct batch *b);
/* The input line number of point i, and the input offset just after
 * its line. */
uint64_t batch_lineno(const struct batch *b, size_t i);
uint64_t batch_end_offset(const struct batch *b, size_t i);
/* The bound of the uncompressed body of a batch of that cap. */
size_t batch_raw_cap(size_t cap, int gzip);
/* The smallest cap that holds an object of len bytes (/api/put). */
size_t batch_min_cap(size_t len);

#endif
