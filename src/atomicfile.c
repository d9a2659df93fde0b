/* atomicfile.c - files replaced whole: a fresh temporary file, fsync,
 * rename */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "atomicfile.h"

/* Attempts at a free temporary name before giving up. */
#define TRIES 100

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
atomicfile_write(const char *path, const char *text, size_t n)
{
	char tmp[PATH_MAX + 32];
	int fd = -1, i, e;

	for (i = 0; i < TRIES && fd < 0; i++) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%d", path,
		    (long)getpid(), i) >= (int)sizeof(tmp)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	if (write_all(fd, text, n) < 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}
