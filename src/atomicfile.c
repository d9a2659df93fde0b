/* atomicfile.c - files replaced whole: a fresh temporary file, fsync,
 * rename */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "xalloc.h"

/* Attempts at a free temporary name before giving up. */
#define TRIES 100

static void
clear(struct atomicfile *af)
{
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof(*af));
}

int
atomicfile_open(struct atomicfile *af, const char *path)
{
	size_t n = strlen(path) + 32;
	int fd = -1, i, e;

	memset(af, 0, sizeof(*af));
	af->path = xstrdup(path);
	af->tmp = xmalloc(n);
	for (i = 0; i < TRIES && fd < 0; i++) {
		snprintf(af->tmp, n, "%s.tmp.%ld.%d", path, (long)getpid(), i);
		fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0 && (af->f = fdopen(fd, "w")) != NULL)
		return 0;
	e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(af->tmp);
	}
	clear(af);
	errno = e;
	return -1;
}

int
atomicfile_commit(struct atomicfile *af)
{
	int bad = fflush(af->f) != 0 || ferror(af->f) ||
	    fsync(fileno(af->f)) != 0, e = errno;

	if (fclose(af->f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	af->f = NULL;
	if (!bad && rename(af->tmp, af->path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad)
		unlink(af->tmp);
	clear(af);
	errno = e;
	return bad ? -1 : 0;
}

void
atomicfile_abort(struct atomicfile *af)
{
	if (af->f != NULL) {
		fclose(af->f);
		unlink(af->tmp);
	}
	clear(af);
}

int
atomicfile_write(const char *path, const char *text, size_t n)
{
	struct atomicfile af;
	int e;

	if (atomicfile_open(&af, path) < 0)
		return -1;
	if (fwrite(text, 1, n, af.f) != n) {
		e = errno;
		atomicfile_abort(&af);
		errno = e;
		return -1;
	}
	return atomicfile_commit(&af);
}
