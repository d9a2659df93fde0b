/* fuzz-query.c - the /api/query answer renderer: every line it writes is
 * a datapoint otsdb-restore takes, with its time inside the frame, and
 * there are as many lines as it counts points */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "error.h"
#include "fuzz.h"
#include "query.h"

#define LO 1678233600000LL
#define HI (LO + 180000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct query q;
	static int ready;
	struct datapoint dp;
	struct query_counts qc;
	struct error err;
	struct buf out;
	size_t at, lines = 0;

	if (!ready) {
		query_init(&q);
		ready = 1;
	}
	datapoint_init(&dp);
	buf_init(&out);
	memset(&qc, 0, sizeof(qc));
	if (query_render(&q, (const char *)data, size, "m", LO, HI, &out, &qc,
	    NULL, NULL, &err) == 0) {
		for (at = 0; at < out.len; lines++) {
			const char *nl = memchr(out.p + at, '\n', out.len - at);

			PROPERTY(nl != NULL);
			PROPERTY(datapoint_decode(&dp, out.p + at,
			    (size_t)(nl - (out.p + at)), &err) == 0);
			PROPERTY(dp.timestamp_ms >= LO && dp.timestamp_ms < HI);
			at = (size_t)(nl - out.p) + 1;
		}
		PROPERTY(lines == qc.points);
	} else
		PROPERTY(out.len == 0 && err.msg[0] != '\0');
	buf_free(&out);
	datapoint_free(&dp);
	return 0;
}
