/* atomicfile.h - the one way the tools replace a file: readers see the
 * old contents or the new, never a part, and a crash keeps one of them */
#ifndef OTSDB_ATOMICFILE_H
#define OTSDB_ATOMICFILE_H

#include <stddef.h>

/* Replaces path with the n bytes of text: a new temporary file in the
 * same directory (created with O_EXCL and O_NOFOLLOW, so a file or link
 * planted at its name is never followed; mode 0666 less the umask),
 * written, fsynced, then renamed over path.  0, or -1 with errno (the
 * temporary file removed). */
int atomicfile_write(const char *path, const char *text, size_t n);

#endif
