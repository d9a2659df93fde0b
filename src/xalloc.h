/* xalloc.h - allocation that never returns NULL */
#ifndef OTSDB_XALLOC_H
#define OTSDB_XALLOC_H

#include <stddef.h>

/* Each returns valid memory or prints "out of memory" and exits with
 * EXIT_FATAL.  Sizes of zero are treated as one byte. Caller frees. */
/* "out of memory" on stderr, exit status 3. */
void xalloc_die(void) __attribute__((noreturn));
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xmemdup0(const char *p, size_t n);

#endif
