/* fuzz-json.c - the JSON layer: what parses is walked token by token to
 * its end, its strings unescape to valid UTF-8 and its numbers are JSON
 * numbers; what does not parse says why */
#include "config.h"

#include "buf.h"
#include "error.h"
#include "fuzz.h"
#include "json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json j;
	struct error err;
	struct buf b;
	const char *raw;
	size_t n;
	int t;

	json_init(&j);
	buf_init(&b);
	if (json_parse(&j, (const char *)data, size, &err) == 0) {
		PROPERTY(j.ntok > 0 && json_next(&j, 0) == j.ntok);
		for (t = 0; t < j.ntok; t++) {
			raw = json_raw(&j, t, &n);
			if (json_type(&j, t) == JSON_STRING) {
				buf_reset(&b);
				json_unescape(&j, t, &b);
				PROPERTY(json_utf8_valid(b.p ? b.p : "", b.len));
			} else if (json_type(&j, t) == JSON_NUMBER)
				PROPERTY(json_is_number(raw, n));
		}
	} else
		PROPERTY(err.msg[0] != '\0');
	buf_free(&b);
	json_free(&j);
	return 0;
}
