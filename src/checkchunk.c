/* checkchunk.c - a --check chunk: points by series, and each one's
 * verdict against what an answer holds */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "checkchunk.h"
#include "compare.h"
#include "datapoint.h"
#include "xalloc.h"

void
checkchunk_init(struct check_chunk *ch)
{
	memset(ch, 0, sizeof(*ch));
	strmap_init(&ch->series_map);
	buf_init(&ch->vals);
	buf_init(&ch->sels);
	buf_init(&ch->key);
}

void
checkchunk_free(struct check_chunk *ch)
{
	strmap_free(&ch->series_map);
	free(ch->series);
	free(ch->pts);
	free(ch->got);
	buf_free(&ch->vals);
	buf_free(&ch->sels);
	buf_free(&ch->key);
}

void
checkchunk_reset(struct check_chunk *ch)
{
	strmap_reset(&ch->series_map);
	ch->npts = 0;
	ch->ngot = 0;
	buf_reset(&ch->vals);
	buf_reset(&ch->sels);
}

size_t
checkchunk_add(struct check_chunk *ch, const struct datapoint *dp,
    int *added)
{
	struct cseries *s;
	struct cpoint *p;
	size_t head_len, idx;

	buf_reset(&ch->key);
	datapoint_encode_head(dp, &ch->key);
	head_len = ch->key.len;
	datapoint_encode_tail(dp, &ch->key);
	idx = strmap_add(&ch->series_map, ch->key.p, ch->key.len, added);
	if (*added) {
		if (idx >= ch->series_cap) {
			ch->series_cap = ch->series_cap ?
			    ch->series_cap * 2 : 256;
			ch->series = xreallocarray(ch->series, ch->series_cap,
			    sizeof(*ch->series));
		}
		s = &ch->series[idx];
		memset(s, 0, sizeof(*s));
		s->head_len = head_len;
	}
	if (ch->npts == ch->pts_cap) {
		ch->pts_cap = ch->pts_cap ? ch->pts_cap * 2 : 1024;
		ch->pts = xreallocarray(ch->pts, ch->pts_cap, sizeof(*ch->pts));
	}
	p = &ch->pts[ch->npts];
	memset(p, 0, sizeof(*p));
	p->ts = dp->timestamp_ms;
	p->series = (uint32_t)idx;
	p->seq = (uint32_t)ch->npts;
	p->val_off = (uint32_t)ch->vals.len;
	p->val_len = (uint32_t)dp->value_len;
	buf_append(&ch->vals, dp->value, dp->value_len);
	ch->npts++;
	return idx;
}

int
checkchunk_full(const struct check_chunk *ch, size_t max_points,
    size_t max_bytes)
{
	return ch->npts >= max_points || ch->vals.len + ch->sels.len +
	    ch->series_map.keys.len >= max_bytes;
}

static int
by_series_time(const void *a, const void *b)
{
	const struct cpoint *x = a, *y = b;

	if (x->series != y->series)
		return (x->series > y->series) - (x->series < y->series);
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void
checkchunk_sort(struct check_chunk *ch)
{
	size_t i;

	if (ch->npts > 1)
		qsort(ch->pts, ch->npts, sizeof(*ch->pts), by_series_time);
	for (i = 0; i < ch->npts; i++) {
		struct cseries *s = &ch->series[ch->pts[i].series];

		if (s->n == 0)
			s->first = i;
		s->n++;
	}
}

size_t
checkchunk_find(struct check_chunk *ch, const struct datapoint *dp)
{
	buf_reset(&ch->key);
	datapoint_encode_head(dp, &ch->key);
	datapoint_encode_tail(dp, &ch->key);
	return strmap_find(&ch->series_map, ch->key.p, ch->key.len);
}

void
checkchunk_got_reset(struct check_chunk *ch)
{
	ch->ngot = 0;
}

void
checkchunk_got(struct check_chunk *ch, size_t span, int64_t ts,
    const char *val, size_t len)
{
	struct check_got *t;

	if (ch->ngot == ch->got_cap) {
		ch->got_cap = ch->got_cap ? ch->got_cap * 2 : 1024;
		ch->got = xreallocarray(ch->got, ch->got_cap,
		    sizeof(*ch->got));
	}
	t = &ch->got[ch->ngot++];
	t->span = span;
	t->ts = ts;
	t->val = val;
	t->len = len;
}

static int
by_span_time(const void *a, const void *b)
{
	const struct check_got *x = a, *y = b;

	if (x->span != y->span)
		return (x->span > y->span) - (x->span < y->span);
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* The largest magnitude among a series' values: the stream's and the
 * target's. */
static double
series_scale(const struct check_chunk *ch, const struct span *sp,
    const struct check_got *got, size_t n)
{
	double m = 0, x;
	size_t i;

	for (i = sp->first; i < sp->first + sp->n; i++) {
		x = compare_magnitude(ch->vals.p + ch->pts[i].val_off,
		    ch->pts[i].val_len);
		if (x > m)
			m = x;
	}
	for (i = 0; i < n; i++) {
		x = compare_magnitude(got[i].val, got[i].len);
		if (x > m)
			m = x;
	}
	return m;
}

void
checkchunk_match(struct check_chunk *ch, const struct span *spans,
    size_t nspans, enum compare_model model)
{
	const struct check_got *got = ch->got;
	size_t t = 0, s, ngot = ch->ngot;

	if (ngot > 1) /* (never qsort a NULL array) */
		qsort(ch->got, ngot, sizeof(*ch->got), by_span_time);
	for (s = 0; s < nspans; s++) {
		const struct span *sp = &spans[s];
		size_t i, end, j;
		double scale = 0;

		while (t < ngot && got[t].span < s)
			t++;
		end = t;
		while (end < ngot && got[end].span == s)
			end++;
		/* (an answer without points: got is NULL, never offset) */
		if (model == COMPARE_VM)
			scale = series_scale(ch, sp, end > t ? got + t : NULL,
			    end - t);
		for (i = sp->first, j = t; i < sp->first + sp->n; i++) {
			struct cpoint *p = &ch->pts[i];
			size_t k;

			while (j < end && got[j].ts < p->ts)
				j++;
			p->state = ST_MISSING;
			p->extra = 0;
			if (i == sp->first || p[-1].ts != p->ts) {
				/* the input's and the target's points at
				 * this time */
				size_t a = 1, g = 0;

				while (i + a < sp->first + sp->n &&
				    p[a].ts == p->ts)
					a++;
				while (j + g < end && got[j + g].ts == p->ts)
					g++;
				if (g > a)
					p->extra = (uint32_t)(g - a);
			}
			for (k = j; k < end && got[k].ts == p->ts; k++) {
				if (compare_values(model, ch->vals.p +
				    p->val_off, p->val_len, got[k].val,
				    got[k].len, scale)) {
					p->state = ST_FOUND;
					break;
				}
				if (p->state == ST_MISSING) {
					p->state = ST_DIFFERENT;
					p->got_off = (uint32_t)ch->vals.len;
					p->got_len = (uint32_t)got[k].len;
					buf_append(&ch->vals, got[k].val,
					    got[k].len);
				}
			}
		}
		t = end;
	}
}

void
checkchunk_missing(struct check_chunk *ch, const struct span *spans,
    size_t nspans)
{
	size_t s, i;

	for (s = 0; s < nspans; s++)
		for (i = 0; i < spans[s].n; i++)
			ch->pts[spans[s].first + i].state = ST_MISSING;
}

int
checkchunk_series_missing(const struct check_chunk *ch,
    const struct cseries *s)
{
	size_t i;

	for (i = s->first; i < s->first + s->n; i++)
		if (ch->pts[i].state == ST_MISSING)
			return 1;
	return 0;
}

int
checkchunk_any_missing(const struct check_chunk *ch)
{
	size_t i;

	for (i = 0; i < ch->npts; i++)
		if (ch->pts[i].state == ST_MISSING)
			return 1;
	return 0;
}

void
checkchunk_series_text(const struct check_chunk *ch, size_t s,
    struct buf *out)
{
	/* the canonical head ends with the time's key, which a series
	 * has not */
	static const char time_key[] = ",\"timestamp\":";
	size_t kn, head = ch->series[s].head_len;
	const char *k = strmap_key(&ch->series_map, s, &kn);

	buf_append(out, k, head - (sizeof(time_key) - 1));
	buf_append(out, k + head, kn - head);
}
