/* seedcsv.c - the old kilda-otsdb-dump's rows: timestamp|metric|tags|value
 * Its dump files are named .ndjson but hold these rows (see seed.md), so
 * otsdb-restore reads them too, line by line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "error.h"
#include "json.h"
#include "seedcsv.h"
#include "xalloc.h"

struct field {
	const char *p;
	size_t n;
};

/* Splits a csv row on '|' into 4 fields, unquoting into tmp. */
static int
split(const char *s, size_t n, struct buf *tmp, struct field f[4],
    struct error *err)
{
	size_t i = 0, k, off[4], len[4];
	int nf = 0;

	buf_reset(tmp);
	for (;;) {
		if (nf == 4) {
			error_set(err, "more than 4 '|'-separated fields");
			return -1;
		}
		off[nf] = tmp->len;
		if (i < n && s[i] == '"') {
			for (i++;; i++) {
				if (i >= n) {
					error_set(err, "unterminated quoted field");
					return -1;
				}
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						buf_putc(tmp, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				buf_putc(tmp, s[i]);
			}
			if (i < n && s[i] != '|') {
				error_set(err, "text after a quoted field");
				return -1;
			}
		} else {
			for (k = i; k < n && s[k] != '|'; k++)
				;
			buf_append(tmp, s + i, k - i);
			i = k;
		}
		len[nf] = tmp->len - off[nf];
		nf++;
		if (i >= n)
			break;
		i++; /* the '|' */
	}
	if (nf != 4) {
		error_set(err, "not an old dump row: %d '|'-separated fields "
		    "instead of 4 (timestamp|metric|tags|value)", nf);
		return -1;
	}
	for (k = 0; k < 4; k++) {
		/* all fields empty: nothing was appended, tmp->p is NULL */
		f[k].p = tmp->p != NULL ? tmp->p + off[k] : "";
		f[k].n = len[k];
	}
	return 0;
}

/* Float seconds ("1678233600.0", "1678233600.123", "1.6e+09") to ms. */
static int
seconds_to_ms(const char *s, size_t n, int64_t *out)
{
	char tmp[64], *end;
	size_t i, dot = n, frac;
	int64_t v = 0, ms = 0;
	double d;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] == 'e' || s[i] == 'E') {
			memcpy(tmp, s, n);
			tmp[n] = '\0';
			d = strtod(tmp, &end);
			if (*end != '\0' || !(d > 0 && d < 1e13))
				return -1;
			*out = (int64_t)(d * 1000.0 + 0.5);
			return 0;
		}
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && dot == n) {
			dot = i;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	if (dot == 0 || dot > 13)
		return -1;
	for (i = 0; i < dot; i++)
		v = v * 10 + (s[i] - '0');
	/* the fraction: exact to the millisecond, rounded beyond */
	for (i = dot + 1, frac = 0; i < n && frac < 3; i++, frac++)
		ms = ms * 10 + (s[i] - '0');
	for (; frac < 3; frac++)
		ms *= 10;
	if (i < n && s[i] >= '5')
		ms++;
	*out = v * 1000 + ms;
	return 0;
}

/* Reads one Python string literal at s[*i]; appends its value to out. */
static int
py_string(const char *s, size_t n, size_t *i, struct buf *out)
{
	char q = s[*i];
	size_t k = *i + 1;
	unsigned cp;
	int digits, d;

	if (q != '\'' && q != '"')
		return -1;
	for (; k < n && s[k] != q; k++) {
		if (s[k] != '\\') {
			buf_putc(out, s[k]);
			continue;
		}
		if (++k >= n)
			return -1;
		switch (s[k]) {
		case '\\': case '\'': case '"':
			buf_putc(out, s[k]);
			continue;
		case 'n': buf_putc(out, '\n'); continue;
		case 't': buf_putc(out, '\t'); continue;
		case 'r': buf_putc(out, '\r'); continue;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			return -1;
		}
		for (cp = 0, d = 0; d < digits; d++) {
			char c = ++k < n ? s[k] : 0;

			cp <<= 4;
			if (c >= '0' && c <= '9')
				cp |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				cp |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				cp |= (unsigned)(c - 'A' + 10);
			else
				return -1;
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		json_put_utf8(out, cp);
	}
	if (k >= n)
		return -1;
	*i = k + 1;
	return 0;
}

static void
skip_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

int
seedcsv_decode(struct datapoint *dp, const char *line, size_t len,
    struct error *err)
{
	struct buf tmp;
	struct field f[4];
	size_t i, moff, vlen, voff, ntags = 0, k;
	size_t (*offs)[4] = NULL;
	int rc = -1;
	const char *why;

	buf_init(&tmp);
	buf_reset(&dp->store);
	dp->ntags = 0;
	if (split(line, len, &tmp, f, err) < 0)
		goto out;
	if (seconds_to_ms(f[0].p, f[0].n, &dp->timestamp_ms) < 0 ||
	    dp->timestamp_ms <= 0) {
		error_set(err, "timestamp is not a number of seconds");
		goto out;
	}
	if (dp->timestamp_ms > DATAPOINT_MAX_MS) {
		/* the rule of otsdb-ndjson(5) and OpenTSDB */
		error_set(err, "timestamp has more than 13 digits in "
		    "milliseconds");
		goto out;
	}
	if ((why = datapoint_timestamp_problem(dp->timestamp_ms)) != NULL) {
		error_set(err, "%s", why);
		goto out;
	}
	if (f[1].n == 0) {
		error_set(err, "metric is empty");
		goto out;
	}
	if (!json_utf8_valid(f[1].p, f[1].n) ||
	    !json_utf8_valid(f[2].p, f[2].n)) {
		error_set(err, "invalid UTF-8");
		goto out;
	}
	moff = dp->store.len;
	buf_append(&dp->store, f[1].p, f[1].n);
	/* tags: {'k': 'v', ...} */
	i = 0;
	skip_ws(f[2].p, f[2].n, &i);
	if (i >= f[2].n || f[2].p[i] != '{') {
		error_set(err, "tags is not a Python dict");
		goto out;
	}
	i++;
	offs = xcalloc(f[2].n / 4 + 1, sizeof(*offs));
	for (;;) {
		skip_ws(f[2].p, f[2].n, &i);
		if (i < f[2].n && f[2].p[i] == '}' && ntags == 0) {
			i++;
			break;
		}
		offs[ntags][0] = dp->store.len;
		if (py_string(f[2].p, f[2].n, &i, &dp->store) < 0)
			goto badtags;
		offs[ntags][1] = dp->store.len - offs[ntags][0];
		skip_ws(f[2].p, f[2].n, &i);
		if (i >= f[2].n || f[2].p[i++] != ':')
			goto badtags;
		skip_ws(f[2].p, f[2].n, &i);
		offs[ntags][2] = dp->store.len;
		if (py_string(f[2].p, f[2].n, &i, &dp->store) < 0)
			goto badtags;
		offs[ntags][3] = dp->store.len - offs[ntags][2];
		if (offs[ntags][1] == 0 || offs[ntags][3] == 0) {
			error_set(err, "tag key or value is empty");
			goto out;
		}
		ntags++;
		skip_ws(f[2].p, f[2].n, &i);
		if (i < f[2].n && f[2].p[i] == ',') {
			i++;
			continue;
		}
		if (i < f[2].n && f[2].p[i] == '}') {
			i++;
			break;
		}
		goto badtags;
	}
	skip_ws(f[2].p, f[2].n, &i);
	if (i != f[2].n)
		goto badtags;
	/* the value: Python's text, kept when it is a JSON number */
	voff = dp->store.len;
	vlen = f[3].n;
	if (datapoint_check_value(f[3].p, f[3].n, err) < 0)
		goto out;
	buf_append(&dp->store, f[3].p, f[3].n);
	if (ntags > dp->tags_cap) {
		dp->tags_cap = ntags;
		dp->tags = xreallocarray(dp->tags, ntags, sizeof(*dp->tags));
	}
	dp->metric = dp->store.p + moff;
	dp->metric_len = f[1].n;
	dp->value = dp->store.p + voff;
	dp->value_len = vlen;
	for (k = 0; k < ntags; k++) {
		dp->tags[k].key = dp->store.p + offs[k][0];
		dp->tags[k].key_len = offs[k][1];
		dp->tags[k].val = dp->store.p + offs[k][2];
		dp->tags[k].val_len = offs[k][3];
	}
	dp->ntags = ntags;
	rc = datapoint_sort_tags(dp, err);
	goto out;
badtags:
	error_set(err, "tags is not a Python dict of strings");
out:
	free(offs);
	buf_free(&tmp);
	return rc;
}

int
seedcsv_is_row(const char *s, size_t n)
{
	size_t i, bars = 0;

	if (n == 0 || ((s[0] < '0' || s[0] > '9') && s[0] != '"'))
		return 0;
	for (i = 0; i < n; i++)
		bars += s[i] == '|';
	return bars >= 3;
}
