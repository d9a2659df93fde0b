/* strmap.c - byte strings to dense indexes (FNV-1a, linear probing) */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "strmap.h"
#include "xalloc.h"

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->keys);
}

void
strmap_free(struct strmap *m)
{
	buf_free(&m->keys);
	free(m->off);
	free(m->slot);
	strmap_init(m);
}

void
strmap_reset(struct strmap *m)
{
	buf_reset(&m->keys);
	m->n = 0;
	if (m->slot != NULL)
		memset(m->slot, 0, m->nslot * sizeof(*m->slot));
}

const char *
strmap_key(const struct strmap *m, size_t i, size_t *n)
{
	*n = m->off[i + 1] - m->off[i];
	return m->keys.p + m->off[i];
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t
probe(const struct strmap *m, const char *key, size_t n)
{
	size_t mask = m->nslot - 1, s = (size_t)fnv1a(FNV1A_OFFSET, key, n) & mask;

	for (;; s = (s + 1) & mask) {
		size_t i = m->slot[s], kn;
		const char *k;

		if (i == 0)
			return s;
		k = strmap_key(m, i - 1, &kn);
		if (kn == n && memcmp(k, key, n) == 0)
			return s;
	}
}

static void
grow(struct strmap *m)
{
	size_t i;

	free(m->slot);
	m->nslot = m->nslot ? m->nslot * 2 : 64;
	m->slot = xcalloc(m->nslot, sizeof(*m->slot));
	for (i = 0; i < m->n; i++) {
		size_t kn;
		const char *k = strmap_key(m, i, &kn);

		m->slot[probe(m, k, kn)] = i + 1;
	}
}

size_t
strmap_find(const struct strmap *m, const char *key, size_t n)
{
	size_t s;

	if (m->nslot == 0)
		return (size_t)-1;
	s = probe(m, key, n);
	return m->slot[s] ? m->slot[s] - 1 : (size_t)-1;
}

size_t
strmap_add(struct strmap *m, const char *key, size_t n, int *added)
{
	size_t s;

	if ((m->n + 1) * 2 > m->nslot)
		grow(m);
	s = probe(m, key, n);
	if (m->slot[s] != 0) {
		*added = 0;
		return m->slot[s] - 1;
	}
	if (m->n + 2 > m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->off = xreallocarray(m->off, m->cap, sizeof(*m->off));
	}
	if (m->n == 0)
		m->off[0] = 0;
	buf_append(&m->keys, key, n);
	m->off[m->n + 1] = m->keys.len;
	m->slot[s] = ++m->n;
	*added = 1;
	return m->n - 1;
}
