/* fuzz-walk.c - the /api/query answer reader (query.c's query_walk, as
 * --check reads answers): each series handed over has sorted, unique,
 * non-empty tags and a name, or says why it has none; every point's
 * time is 0 to 18 digits' worth and its text is what the answer holds */
#include "config.h"

#include <string.h>

#include "datapoint.h"
#include "error.h"
#include "fuzz.h"
#include "json.h"
#include "query.h"

static const char *body;
static size_t body_len;

static int
in_body(const char *p, size_t n)
{
	return n == 0 || (p >= body && p + n <= body + body_len);
}

static int
on_series(void *ctx, const struct query_series *s)
{
	size_t i;

	(void)ctx;
	PROPERTY((s->dp == NULL) == (s->why != NULL));
	if (s->dp == NULL) {
		PROPERTY(in_body(s->tags_raw, s->tags_raw_len) ||
		    s->tags_raw_len == 0);
		return 1;
	}
	PROPERTY(s->dp->metric_len > 0);
	for (i = 0; i < s->dp->ntags; i++)
		PROPERTY(s->dp->tags[i].key_len > 0 &&
		    s->dp->tags[i].val_len > 0);
	for (i = 1; i < s->dp->ntags; i++) {
		size_t a = s->dp->tags[i - 1].key_len;
		size_t b = s->dp->tags[i].key_len;
		int c = memcmp(s->dp->tags[i - 1].key, s->dp->tags[i].key,
		    a < b ? a : b);

		PROPERTY(c < 0 || (c == 0 && a < b));
	}
	return 0;
}

static int
on_point(void *ctx, const struct query_point *p, struct error *err)
{
	(void)ctx;
	(void)err;
	PROPERTY(p->ts >= 0);
	PROPERTY(in_body(p->ts_text, p->ts_len));
	PROPERTY(in_body(p->value, p->value_len));
	PROPERTY(!p->number || json_is_number(p->value, p->value_len));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct query q;
	static int ready;
	struct query_walker w = { on_series, on_point, NULL, NULL };
	struct error err;

	if (!ready) {
		query_init(&q);
		ready = 1;
	}
	body = (const char *)data;
	body_len = size;
	err.msg[0] = '\0';
	if (query_walk(&q, body, size, "", &w, &err) < 0)
		PROPERTY(err.msg[0] != '\0');
	return 0;
}
