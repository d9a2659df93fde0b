/* fuzz-datapoint.c - the NDJSON line decoder and the old tool's rows:
 * whatever decodes encodes to a canonical line that decodes again to the
 * same datapoint and re-encodes to the same bytes; the fast way for
 * canonical lines and the tokenizer give the same answer */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "error.h"
#include "fuzz.h"
#include "json.h"
#include "seedcsv.h"

static void
roundtrip(struct datapoint *dp, struct datapoint *again)
{
	struct buf a, b;
	struct error err;

	buf_init(&a);
	buf_init(&b);
	datapoint_encode(dp, &a);
	PROPERTY(json_utf8_valid(a.p, a.len));
	PROPERTY(datapoint_decode(again, a.p, a.len, &err) == 0);
	PROPERTY(again->timestamp_ms == dp->timestamp_ms);
	datapoint_encode(again, &b);
	PROPERTY(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
	buf_free(&a);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct datapoint dp, again;
	struct error err, err2;
	struct buf enc;
	const char *line = (const char *)data;
	int rc, rc2;

	datapoint_init(&dp);
	datapoint_init(&again);
	rc = datapoint_decode(&dp, line, size, &err);
	rc2 = datapoint_decode_json(&again, line, size, &err2);
	PROPERTY(rc == rc2);
	if (rc == 0 && rc2 == 0) {
		PROPERTY(datapoint_equal(&dp, &again));
		if (dp.canonical) {
			/* then the line is its own encoding */
			buf_init(&enc);
			datapoint_encode(&dp, &enc);
			PROPERTY(enc.len == size && memcmp(enc.p, line, size) ==
			    0);
			buf_free(&enc);
		}
	}
	if (rc == 0)
		roundtrip(&dp, &again);
	else
		PROPERTY(err.msg[0] != '\0');
	if (seedcsv_decode(&dp, line, size, &err) == 0)
		roundtrip(&dp, &again);
	datapoint_free(&dp);
	datapoint_free(&again);
	return 0;
}
