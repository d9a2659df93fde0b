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

static int
same_point(const struct datapoint *a, const struct datapoint *b)
{
	size_t i;

	if (a->metric_len != b->metric_len || memcmp(a->metric, b->metric,
	    a->metric_len) != 0 || a->timestamp_ms != b->timestamp_ms ||
	    a->value_len != b->value_len || memcmp(a->value, b->value,
	    a->value_len) != 0 || a->ntags != b->ntags)
		return 0;
	for (i = 0; i < a->ntags; i++)
		if (a->tags[i].key_len != b->tags[i].key_len ||
		    a->tags[i].val_len != b->tags[i].val_len ||
		    memcmp(a->tags[i].key, b->tags[i].key,
		    a->tags[i].key_len) != 0 ||
		    memcmp(a->tags[i].val, b->tags[i].val,
		    a->tags[i].val_len) != 0)
			return 0;
	return 1;
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
		PROPERTY(same_point(&dp, &again));
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
