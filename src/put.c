/* put.c - OpenTSDB's /api/put?details answer -> the points it refused
 * An error names its point by metric, timestamp (seconds or ms) and
 * tags; each names a different point of the batch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "buf.h"
#include "error.h"
#include "put.h"
#include "xalloc.h"

void
put_answer_init(struct put_answer *pa)
{
	memset(pa, 0, sizeof(*pa));
	json_init(&pa->json);
	datapoint_init(&pa->dp);
}

void
put_answer_free(struct put_answer *pa)
{
	if (pa == NULL)
		return;
	json_free(&pa->json);
	datapoint_free(&pa->dp);
	free(pa->used);
	memset(pa, 0, sizeof(*pa));
}

/* The batch point the error's datapoint dpt names; -1 if none. */
static long
match_point(struct put_answer *pa, int dpt, const char *sent,
    const struct batch_point *pts, size_t n)
{
	const struct json *j = &pa->json;
	struct datapoint *dp = &pa->dp;
	int tm = json_member(j, dpt, "metric");
	int tt = json_member(j, dpt, "timestamp");
	int tg = json_member(j, dpt, "tags");
	int64_t ts;
	size_t i, k;
	struct error err;
	struct buf key;

	if (tm < 0 || tt < 0 || json_int64(j, tt, &ts) < 0)
		return -1;
	if (ts > 0 && ts <= 4294967295LL)
		ts *= 1000;
	buf_init(&key);
	for (i = 0; i < n; i++) {
		if (pa->used[i] ||
		    datapoint_decode(dp, sent + pts[i].off, pts[i].len, &err) < 0)
			continue;
		if (dp->timestamp_ms != ts ||
		    !json_streq(j, tm, dp->metric, dp->metric_len))
			continue;
		if (tg >= 0) {
			if (json_type(j, tg) != JSON_OBJECT ||
			    (size_t)json_count(j, tg) != dp->ntags)
				continue;
			for (k = 0; k < dp->ntags; k++) {
				int tv;

				buf_reset(&key);
				buf_append(&key, dp->tags[k].key,
				    dp->tags[k].key_len);
				tv = json_member(j, tg, key.p ? key.p : "");
				if (tv < 0 || !json_streq(j, tv, dp->tags[k].val,
				    dp->tags[k].val_len))
					break;
			}
			if (k < dp->ntags)
				continue;
		}
		pa->used[i] = 1;
		buf_free(&key);
		return (long)i;
	}
	buf_free(&key);
	return -1;
}

int
put_details(struct put_answer *pa, const char *body, size_t len,
    const char *sent, const struct batch_point *pts, size_t n,
    int64_t *failed, size_t *listed, put_refused_fn *refused, void *ctx)
{
	struct json *j = &pa->json;
	struct error err;
	struct buf msg;
	int ts, tf, te, i, k, ne;
	int64_t success;

	if (json_parse(j, body ? body : "", len, &err) < 0 ||
	    json_type(j, 0) != JSON_OBJECT ||
	    (ts = json_member(j, 0, "success")) < 0 ||
	    (tf = json_member(j, 0, "failed")) < 0 ||
	    json_int64(j, ts, &success) < 0 ||
	    json_int64(j, tf, failed) < 0 || *failed < 0 ||
	    (uint64_t)*failed > n)
		return -1;
	if (pa->used_cap < n) {
		free(pa->used);
		pa->used = xmalloc(n);
		pa->used_cap = n;
	}
	if (n > 0)
		memset(pa->used, 0, n);
	te = json_member(j, 0, "errors");
	ne = json_type(j, te) == JSON_ARRAY ? json_count(j, te) : 0;
	*listed = (size_t)ne;
	buf_init(&msg);
	for (i = 0, k = te + 1; i < ne; i++, k = json_next(j, k)) {
		int tdp = json_member(j, k, "datapoint");
		int terr = json_member(j, k, "error");
		struct put_refusal r;

		buf_reset(&msg);
		if (terr >= 0 && json_type(j, terr) == JSON_STRING)
			json_unescape(j, terr, &msg);
		if (msg.len == 0)
			buf_puts(&msg, "refused by the server");
		r.index = tdp >= 0 ? match_point(pa, tdp, sent, pts, n) : -1;
		r.raw = "";
		r.raw_len = 0;
		if (r.index < 0 && tdp >= 0)
			r.raw = json_raw(j, tdp, &r.raw_len);
		r.reason = msg.p;
		if (refused)
			refused(ctx, &r);
	}
	buf_free(&msg);
	return 0;
}

int
put_reason_transient(const char *reason)
{
	static const char *const transient[] = {
		"Please throttle",   /* PleaseThrottleException */
		"Timeout exception", /* the write timed out in the TSD */
		"Storage exception", /* ?sync: HBase refused the write */
	};
	size_t i;

	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (strncmp(reason, transient[i], strlen(transient[i])) == 0)
			return 1;
	return 0;
}
