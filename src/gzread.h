/* gzread.h - an input that may be gzip, told by its first bytes */
#ifndef OTSDB_GZREAD_H
#define OTSDB_GZREAD_H

#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

struct error;

struct gzread {
	int state;
	int gzip;       /* the input was found to be gzip */
	int z_init;
	int raw_eof;
	z_stream z;
	unsigned char *in;
};

struct gzread *gzread_new(void);
void gzread_free(struct gzread *g);
/* Like read(2) on fd: the bytes of the input, inflated when it starts
 * with the gzip magic (1f 8b).  Returns the bytes put in buf, 0 at the
 * end, or -1: errno EINTR (call again), else err says why (an I/O
 * error, gzip data that is corrupt or cut short). */
ssize_t gzread_read(struct gzread *g, int fd, void *buf, size_t n,
    struct error *err);

#endif
