/* put.h - OpenTSDB's /api/put?details answer -> the points it refused */
#ifndef OTSDB_PUT_H
#define OTSDB_PUT_H

#include <stddef.h>
#include <stdint.h>

#include "datapoint.h"
#include "json.h"

struct batch_point;

/* The longest details answer read for a put whose plain body is n bytes:
 * one error a refused point, each naming its datapoint (at most about 4
 * times its bytes), and 64 KiB for the rest.  A gzip body is sized by
 * the plain body it holds. */
#define PUT_ANSWER_MAX(n) ((size_t)(n) * 4 + 65536)

/* One refused point: the batch point the server's error names (index,
 * or -1 when none matches: then `raw` is the server's datapoint JSON)
 * and the server's reason. */
struct put_refusal {
	long index;
	const char *raw;
	size_t raw_len;
	const char *reason;  /* NUL-terminated */
};

typedef void put_refused_fn(void *ctx, const struct put_refusal *r);

struct put_answer {
	struct json json;
	struct datapoint dp;
	unsigned char *used;
	size_t used_cap;
};

void put_answer_init(struct put_answer *pa);
void put_answer_free(struct put_answer *pa);

/* Reads a details answer to a put of the n points pts, whose objects
 * sit in the sent body.  Calls refused for each listed error, sets
 * *failed to the server's count of refused points and *listed to the
 * number of errors it listed (fewer when it did not name them all).
 * Returns 0, or -1 (before any call of refused) when the body is not a
 * details answer. */
int put_details(struct put_answer *pa, const char *body, size_t len,
    const char *sent, const struct batch_point *pts, size_t n,
    int64_t *failed, size_t *listed, put_refused_fn *refused, void *ctx);

/* Whether a refusal's reason is transient: the server could not take the
 * point now (HBase back-pressure "Please throttle", "Timeout exception",
 * with sync a "Storage exception"), so sending it again may store it;
 * every other reason (bad name, unknown metric, too many tags, bad
 * value) is permanent. */
int put_reason_transient(const char *reason);

#endif
