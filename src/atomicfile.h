/* atomicfile.h - the one way the tools replace a file: readers see the
 * old contents or the new, never a part, and a crash keeps one of them */
#ifndef OTSDB_ATOMICFILE_H
#define OTSDB_ATOMICFILE_H

#include <stddef.h>
#include <stdio.h>

/* A replacement being written: f is the temporary file. */
struct atomicfile {
	char *path;
	char *tmp;
	FILE *f;
};

/* Starts replacing path: a new temporary file in the same directory
 * (created with O_EXCL and O_NOFOLLOW, so a file or link planted at its
 * name is never followed; mode 0666 less the umask), open for writing
 * in af->f.  0, or -1 with errno. */
int atomicfile_open(struct atomicfile *af, const char *path);
/* Flushes, fsyncs and closes the temporary file and renames it over the
 * path.  0, or -1 with errno (the temporary file removed). */
int atomicfile_commit(struct atomicfile *af);
/* Drops the replacement: path keeps what it held (NULL f is fine). */
void atomicfile_abort(struct atomicfile *af);

/* Replaces path with the n bytes of text in one call.  0, or -1 with
 * errno. */
int atomicfile_write(const char *path, const char *text, size_t n);

#endif
