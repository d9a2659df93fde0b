/* dumpdir.c - the --dump-dir layout, both halves: safe file names,
 * METRIC.dmeta.json, the *.ndjson listing and FILE.rmeta.json */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "buf.h"
#include "dumpdir.h"
#include "error.h"
#include "json.h"
#include "strvec.h"
#include "xalloc.h"

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
dumpdir_write_meta(const char *path, const struct dumpdir_meta *m)
{
	char text[256], a[32], b[32];
	int n;

	put_seconds(a, sizeof(a), m->start_ms);
	put_seconds(b, sizeof(b), m->end_ms);
	n = snprintf(text, sizeof(text),
	    "{\"start\": %s, \"end\": %s, \"size\": %lld}\n", a, b,
	    (long long)m->size);
	return atomicfile_write(path, text, (size_t)n);
}

/* Appends DIR and the / before a name in it. */
static void
put_dir(struct buf *b, const char *dir)
{
	size_t n = strlen(dir);

	buf_puts(b, dir);
	if (n > 0 && dir[n - 1] != '/')
		buf_putc(b, '/');
}

void
dumpdir_metric_paths(const char *dir, const char *name, char **file,
    char **meta)
{
	struct buf b;

	buf_init(&b);
	put_dir(&b, dir);
	dumpdir_encode_name(&b, name, strlen(name));
	*file = xmalloc(b.len + sizeof(".ndjson"));
	*meta = xmalloc(b.len + sizeof(".dmeta.json"));
	sprintf(*file, "%s.ndjson", b.p);
	sprintf(*meta, "%s.dmeta.json", b.p);
	buf_free(&b);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int
dumpdir_list(const char *dir, struct strvec *paths, struct error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct strvec names;
	struct buf p;
	size_t i;

	if (d == NULL) {
		error_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	strvec_init(&names);
	while ((e = readdir(d)) != NULL)
		if (ends_with(e->d_name, ".ndjson") && e->d_name[0] != '.')
			strvec_add(&names, e->d_name, strlen(e->d_name));
	closedir(d);
	strvec_sort_unique(&names);
	buf_init(&p);
	for (i = 0; i < names.n; i++) {
		buf_reset(&p);
		put_dir(&p, dir);
		buf_puts(&p, names.v[i]);
		strvec_add(paths, p.p, p.len);
	}
	buf_free(&p);
	strvec_free(&names);
	return 0;
}

char *
dumpdir_rmeta_path(const char *file)
{
	char *p = xmalloc(strlen(file) + sizeof(".rmeta.json"));

	sprintf(p, "%s.rmeta.json", file);
	return p;
}

int
dumpdir_read_rmeta(const char *path, uint64_t *offset)
{
	char text[512];
	struct json j;
	struct error err;
	int64_t v;
	int fd = open(path, O_RDONLY | O_CLOEXEC), t;
	ssize_t got;

	*offset = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got < 0)
		return -1;
	json_init(&j);
	if (json_parse(&j, text, (size_t)got, &err) < 0 ||
	    (t = json_member(&j, 0, "offset")) < 0 ||
	    json_int64(&j, t, &v) < 0 || v < 0) {
		json_free(&j);
		errno = EINVAL;
		return -1;
	}
	json_free(&j);
	*offset = (uint64_t)v;
	return 0;
}

int
dumpdir_write_rmeta(const char *path, uint64_t offset)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "{\"offset\": %llu}\n",
	    (unsigned long long)offset);

	return atomicfile_write(path, text, (size_t)n);
}
