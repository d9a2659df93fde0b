/* fuzz-put.c - the put details answer reader, against a put of three
 * points: it never names a point that was not sent, and never lists more
 * errors than it reports calls for */
#include "config.h"

#include <string.h>

#include "batch.h"
#include "fuzz.h"
#include "put.h"

static const char sent[] =
    "[{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,\"tags\":"
    "{\"k\":\"v\"}},{\"metric\":\"m\",\"timestamp\":1678233600001,\"value\":"
    "2,\"tags\":{\"k\":\"v\"}},{\"metric\":\"n\",\"timestamp\":"
    "1678233600002,\"value\":3,\"tags\":{\"a\":\"b\"}}]";

static size_t calls;

static void
refused(void *ctx, const struct put_refusal *r)
{
	(void)ctx;
	PROPERTY(r->index >= -1 && r->index < 3);
	PROPERTY(r->reason != NULL);
	calls++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct batch_point pts[3];
	struct put_answer pa;
	int64_t failed = 0;
	size_t listed = 0;

	if (pts[0].len == 0) {
		/* the three objects of `sent` */
		const char *p = sent + 1;
		int i;

		for (i = 0; i < 3; i++) {
			const char *end = strstr(p, "}}") + 2;

			pts[i].line_delta = (uint32_t)i;
			pts[i].off = (uint32_t)(p - sent);
			pts[i].len = (uint32_t)(end - p);
			p = end + 1;
		}
	}
	calls = 0;
	put_answer_init(&pa);
	if (put_details(&pa, (const char *)data, size, sent, pts, 3, &failed,
	    &listed, refused, NULL) == 0)
		PROPERTY(listed == calls);
	else
		PROPERTY(calls == 0);
	put_answer_free(&pa);
	return 0;
}
