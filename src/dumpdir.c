/* dumpdir.c - the --dump-dir layout of otsdb-dump: safe file names and
 * the per-metric resume metadata METRIC.dmeta.json */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dumpdir.h"
#include "error.h"
#include "json.h"

static int
plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

void
dumpdir_encode_name(struct buf *out, const char *name, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (plain(c) && !(i == 0 && c == '.')) {
			buf_putc(out, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_append(out, e, 3);
		}
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dumpdir_decode_name(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int a, b;

			if (i + 2 >= n)
				return -1;
			a = hexval(s[i + 1]);
			b = hexval(s[i + 2]);
			if (a < 0 || b < 0)
				return -1;
			buf_putc(out, (char)(a * 16 + b));
			i += 2;
		} else if (plain((unsigned char)s[i])) {
			buf_putc(out, s[i]);
		} else
			return -1;
	}
	return 0;
}

static int
number_ms(const struct json *j, int t, int64_t *out)
{
	size_t n;
	const char *s = json_raw(j, t, &n);
	char tmp[64];
	double d;

	if (json_type(j, t) != JSON_NUMBER || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	d = strtod(tmp, NULL);
	if (!isfinite(d))
		return -1;
	*out = (int64_t)llround(d * 1000.0);
	return 0;
}

int
dumpdir_read_meta(const char *path, struct dumpdir_meta *m)
{
	char text[1024];
	struct json j;
	struct error err;
	ssize_t got;
	int fd, ts, te, tz, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	got = read(fd, text, sizeof(text));
	close(fd);
	if (got < 0)
		return -1;
	json_init(&j);
	m->size = -1;
	if (json_parse(&j, text, (size_t)got, &err) == 0 &&
	    (ts = json_member(&j, 0, "start")) >= 0 &&
	    (te = json_member(&j, 0, "end")) >= 0 &&
	    number_ms(&j, ts, &m->start_ms) == 0 &&
	    number_ms(&j, te, &m->end_ms) == 0) {
		int64_t size;

		tz = json_member(&j, 0, "size");
		if (tz >= 0 && json_int64(&j, tz, &size) == 0 && size >= 0)
			m->size = size;
		rc = 1;
	} else
		errno = EINVAL;
	json_free(&j);
	return rc;
}

static void
put_seconds(char *out, size_t n, int64_t ms)
{
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);

	snprintf(out, n, "%lld.%03lld", (long long)s,
	    (long long)(ms - s * 1000));
}

int
dumpdir_write_atomic(const char *path, const char *text, size_t n)
{
	char tmp[PATH_MAX + 8];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.upd", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
dumpdir_write_meta(const char *path, const struct dumpdir_meta *m)
{
	char text[256], a[32], b[32];
	int n;

	put_seconds(a, sizeof(a), m->start_ms);
	put_seconds(b, sizeof(b), m->end_ms);
	n = snprintf(text, sizeof(text),
	    "{\"start\": %s, \"end\": %s, \"size\": %lld}\n", a, b,
	    (long long)m->size);
	return dumpdir_write_atomic(path, text, (size_t)n);
}
