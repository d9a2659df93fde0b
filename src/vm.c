/* vm.c - VictoriaMetrics' HTTP API: export and flush requests built; no
 * I/O.  MetricsQL reads an identifier's other characters after a
 * backslash, and a quoted string as Go does. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "datapoint.h"
#include "otsdb.h"
#include "vm.h"

static int
ident_char(unsigned char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

/* A label name: a backslash before every other character (before the
 * lead byte of a UTF-8 sequence: the lexer takes the whole rune). */
static void
put_ident(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!ident_char(c, i == 0) && (c & 0xC0) != 0x80)
			buf_putc(out, '\\');
		buf_putc(out, (char)c);
	}
}

/* A double-quoted string: \\, \" and control characters escaped. */
static void
put_quoted(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"') {
			buf_putc(out, '\\');
			buf_putc(out, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			buf_append(out, e, 4);
		} else
			buf_putc(out, (char)c);
	}
	buf_putc(out, '"');
}

void
vm_selector(struct buf *out, const char *metric, size_t metric_len,
    const struct dp_tag *tags, size_t ntags)
{
	size_t i;

	buf_puts(out, "{__name__=");
	put_quoted(out, metric, metric_len);
	for (i = 0; i < ntags; i++) {
		buf_putc(out, ',');
		put_ident(out, tags[i].key, tags[i].key_len);
		buf_putc(out, '=');
		put_quoted(out, tags[i].val, tags[i].val_len);
	}
	buf_putc(out, '}');
}

/* Seconds with the milliseconds as a fraction: what start and end take. */
static void
put_seconds(struct buf *url, int64_t ms)
{
	char frac[5] = { '.', 0, 0, 0, 0 };

	buf_put_int64(url, ms / 1000);
	frac[1] = (char)('0' + ms % 1000 / 100);
	frac[2] = (char)('0' + ms % 100 / 10);
	frac[3] = (char)('0' + ms % 10);
	buf_append(url, frac, 4);
}

void
vm_export_url(struct buf *url, const char *base, int64_t lo, int64_t hi)
{
	buf_puts(url, base);
	buf_puts(url, "/api/v1/export?start=");
	put_seconds(url, lo);
	buf_puts(url, "&end=");
	put_seconds(url, hi);
}

void
vm_export_match(struct buf *url, const char *selector, size_t len)
{
	buf_puts(url, "&match%5B%5D=");
	otsdb_url_escape(url, selector, len);
}

void
vm_flush_url(struct buf *url, const char *base)
{
	buf_puts(url, base);
	buf_puts(url, "/internal/force_flush");
}
