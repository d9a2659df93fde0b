/* batch.h - size-capped /api/put request body: a JSON array of points */
#ifndef OTSDB_BATCH_H
#define OTSDB_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Where each point of a batch came from, and where it sits in the body. */
struct batch_point {
	uint64_t lineno;     /* input line number */
	uint64_t end_offset; /* input offset just after the line */
	size_t off;          /* the point's JSON object in body */
	size_t len;
};

/* A request body that never exceeds `cap` bytes: "[" obj,obj... "]". */
struct batch {
	struct buf body;
	size_t cap;
	size_t max_points; /* 0 = no limit */
	struct batch_point *pts;
	size_t n;
	size_t pts_cap;
	int source;        /* the input this batch was read from */
	int finished;
};

enum batch_result {
	BATCH_ADDED,  /* appended */
	BATCH_FULL,   /* would pass the cap or max_points: send this batch */
	BATCH_TOO_BIG /* can never fit, even alone */
};

/* A new empty batch; caller frees with batch_free (NULL is fine). */
struct batch *batch_new(size_t cap, size_t max_points, int source);
void batch_free(struct batch *b);
/* Appends one JSON object of len bytes, checking the cap before it
 * appends.  The closing "]" is counted, so the finished body fits. */
enum batch_result batch_add(struct batch *b, const char *obj, size_t len,
    uint64_t lineno, uint64_t end_offset);
/* Closes the array; the body is then b->body.p, b->body.len bytes. */
void batch_finish(struct batch *b);
/* The smallest cap that holds an object of len bytes. */
size_t batch_min_cap(size_t len);

#endif
