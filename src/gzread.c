/* gzread.c - an input that may be gzip: the first bytes tell, and gzip
 * is inflated as it streams (several members, as `cat a.gz b.gz` makes),
 * in bounded memory; anything else is read as it is */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gzread.h"
#include "xalloc.h"

#define GZ_IN 65536

enum { GZ_UNKNOWN, GZ_PLAIN, GZ_GZIP, GZ_BETWEEN };

struct gzread *
gzread_new(void)
{
	struct gzread *g = xcalloc(1, sizeof(*g));

	g->state = GZ_UNKNOWN;
	return g;
}

void
gzread_free(struct gzread *g)
{
	if (g == NULL)
		return;
	if (g->z_init)
		inflateEnd(&g->z);
	free(g->in);
	free(g);
}

static ssize_t
raw(int fd, void *buf, size_t n, struct error *err)
{
	ssize_t r = read(fd, buf, n);

	if (r < 0 && errno != EINTR)
		error_set(err, "read error: %s", strerror(errno));
	return r;
}

/* More compressed input, when all of it was used.  0, or -1. */
static int
more_in(struct gzread *g, int fd, struct error *err)
{
	ssize_t r;

	if (g->z.avail_in > 0 || g->raw_eof)
		return 0;
	r = raw(fd, g->in, GZ_IN, err);
	if (r < 0)
		return -1;
	if (r == 0)
		g->raw_eof = 1;
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)r;
	return 0;
}

static ssize_t
inflate_some(struct gzread *g, int fd, void *buf, size_t n,
    struct error *err)
{
	int rc;

	for (;;) {
		if (more_in(g, fd, err) < 0)
			return -1;
		if (g->state == GZ_BETWEEN) {
			/* after a member: another one, or the end */
			if (g->z.avail_in == 0 && g->raw_eof)
				return 0;
			if (g->z.avail_in == 0)
				continue;
			if (g->z.next_in[0] != 0x1f) {
				error_set(err, "not gzip data after a gzip "
				    "member (%u bytes left)", g->z.avail_in);
				errno = EILSEQ;
				return -1;
			}
			inflateReset(&g->z);
			g->state = GZ_GZIP;
		}
		if (g->z.avail_in == 0 && g->raw_eof) {
			error_set(err, "gzip data cut short (the file ends "
			    "inside a member)");
			errno = EILSEQ;
			return -1;
		}
		g->z.next_out = buf;
		g->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
		rc = inflate(&g->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			g->state = GZ_BETWEEN;
		else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			error_set(err, "not valid gzip data (zlib: %s)",
			    g->z.msg ? g->z.msg : "error");
			errno = EILSEQ;
			return -1;
		}
		if (g->z.avail_out < n)
			return (ssize_t)(n - g->z.avail_out);
	}
}

ssize_t
gzread_read(struct gzread *g, int fd, void *buf, size_t n,
    struct error *err)
{
	unsigned char *b = buf;
	ssize_t r;
	size_t got = 0;

	if (g->state == GZ_PLAIN)
		return raw(fd, buf, n, err);
	if (g->state != GZ_UNKNOWN)
		return inflate_some(g, fd, buf, n, err);
	/* the first bytes: two tell gzip (1f 8b) from text */
	while (got < 2) {
		r = raw(fd, b + got, n - got, err);
		if (r < 0) {
			if (got > 0 && errno == EINTR)
				continue;
			return got > 0 ? (ssize_t)got : -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (b[0] != 0x1f)
			break;
	}
	if (got < 2 || b[0] != 0x1f || b[1] != 0x8b) {
		g->state = GZ_PLAIN;
		return (ssize_t)got;
	}
	g->in = xmalloc(GZ_IN > got ? GZ_IN : got);
	memcpy(g->in, b, got);
	memset(&g->z, 0, sizeof(g->z));
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		error_set(err, "cannot start inflating gzip data");
		errno = ENOMEM;
		return -1;
	}
	g->z_init = 1;
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)got;
	g->state = GZ_GZIP;
	g->gzip = 1;
	return inflate_some(g, fd, buf, n, err);
}
