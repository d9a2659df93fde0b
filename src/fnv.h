/* fnv.h - the 64-bit FNV-1a hash: map slots, series keys and --shard,
 * whose values must stay the same across versions */
#ifndef OTSDB_FNV_H
#define OTSDB_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_OFFSET 14695981039346656037ULL

/* h (FNV1A_OFFSET to start) with the n bytes at p hashed in. */
static inline uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#endif
