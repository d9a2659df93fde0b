/* checkreport.c - the --check table and the mismatches file's lines */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkreport.h"
#include "datapoint.h"
#include "json.h"
#include "xalloc.h"

void
checkreport_init(struct check_summary *s)
{
	memset(s, 0, sizeof(*s));
	strmap_init(&s->names);
}

void
checkreport_free(struct check_summary *s)
{
	strmap_free(&s->names);
	free(s->m);
	memset(s, 0, sizeof(*s));
}

size_t
checkreport_metric(struct check_summary *s, const char *name, size_t n)
{
	int added;
	size_t i = strmap_add(&s->names, name, n, &added);

	if (i >= s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->m = xreallocarray(s->m, s->cap, sizeof(*s->m));
	}
	if (added)
		memset(&s->m[i], 0, sizeof(s->m[i]));
	return i;
}

static const struct check_summary *sort_summary;

static int
by_name(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b, xn, yn;
	const char *xs = strmap_key(&sort_summary->names, x, &xn);
	const char *ys = strmap_key(&sort_summary->names, y, &yn);
	int c = memcmp(xs, ys, xn < yn ? xn : yn);

	return c != 0 ? c : (xn > yn) - (xn < yn);
}

static int
plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n > 0 && s[0] != '"';
}

void
checkreport_table(const struct check_summary *s, FILE *out)
{
	size_t n = s->names.n, i, *order = xcalloc(n ? n : 1, sizeof(*order));
	struct buf b;

	buf_init(&b);
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_summary = s;
	qsort(order, n, sizeof(*order), by_name);
	fputs("metric\tpoints\tfound\tmissing\tdifferent\tduplicates\n", out);
	for (i = 0; i < n; i++) {
		size_t kn;
		const char *k = strmap_key(&s->names, order[i], &kn);
		const struct check_metric *m = &s->m[order[i]];

		buf_reset(&b);
		if (plain(k, kn))
			buf_append(&b, k, kn);
		else
			json_put_string(&b, k, kn);
		fprintf(out, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%"
		    PRIu64 "\t%" PRIu64 "\n", b.p, m->points, m->found,
		    m->missing, m->different, m->duplicates);
	}
	buf_free(&b);
	free(order);
}

void
checkreport_mismatch(struct buf *out, const char *head, size_t head_len,
    const char *tail, size_t tail_len, int64_t ts, const char *val,
    size_t val_len, const char *found, size_t found_len, int different,
    const char *reason)
{
	/* the point as read, its closing } left off, then the verdict */
	datapoint_encode_point(out, head, head_len, ts, NULL, 0, val, val_len,
	    tail, tail_len - 1);
	if (!different) {
		buf_puts(out, ",\"check\":\"missing\"");
		if (reason != NULL) {
			buf_puts(out, ",\"reason\":");
			json_put_string(out, reason, strlen(reason));
		}
		buf_puts(out, "}\n");
		return;
	}
	buf_puts(out, ",\"check\":\"different\",\"found\":");
	buf_append(out, found, found_len);
	buf_puts(out, "}\n");
}
