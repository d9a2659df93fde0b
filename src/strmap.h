/* strmap.h - byte strings to dense indexes: a hash set whose members are
 * numbered 0, 1, ... in the order they were added */
#ifndef OTSDB_STRMAP_H
#define OTSDB_STRMAP_H

#include <stddef.h>

#include "buf.h"

/* Zero-initialise or strmap_init.  Keys are copied into `keys`. */
struct strmap {
	struct buf keys;     /* the keys, back to back */
	size_t *off;         /* key i is keys.p + off[i], off[i+1] - off[i] */
	size_t n;            /* keys */
	size_t cap;          /* room in off (n + 1 used) */
	size_t *slot;        /* open addressing: index + 1, 0 empty */
	size_t nslot;        /* a power of two, or 0 */
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* Forgets every key, keeping the memory. */
void strmap_reset(struct strmap *m);
/* The index of the n bytes at key, added when new (*added says so). */
size_t strmap_add(struct strmap *m, const char *key, size_t n, int *added);
/* The index of key, or (size_t)-1. */
size_t strmap_find(const struct strmap *m, const char *key, size_t n);
/* Key i and its length (it is not NUL-terminated). */
const char *strmap_key(const struct strmap *m, size_t i, size_t *n);

#endif
