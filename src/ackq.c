/* ackq.c - the resume ledger of one input (contiguous acked offset) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ackq.h"
#include "xalloc.h"

void
ackq_init(struct ackq *a, uint64_t start)
{
	memset(a, 0, sizeof(*a));
	a->acked = start;
}

void
ackq_free(struct ackq *a)
{
	if (a == NULL)
		return;
	free(a->q);
	ackq_init(a, 0);
}

uint64_t
ackq_push(struct ackq *a, uint64_t offset, int done)
{
	if (a->len == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->q = xreallocarray(a->q, a->cap, sizeof(*a->q));
	}
	a->q[a->len].offset = offset;
	a->q[a->len].holds = done ? 0 : 1;
	a->len++;
	return a->base + a->len - 1;
}

void
ackq_hold(struct ackq *a, uint64_t seq)
{
	if (seq >= a->base && seq - a->base < a->len)
		a->q[seq - a->base].holds++;
}

int
ackq_done(struct ackq *a, uint64_t seq)
{
	size_t k = 0;
	uint64_t off = a->acked;

	if (seq != ACKQ_NONE && seq >= a->base && seq - a->base < a->len &&
	    a->q[seq - a->base].holds > 0)
		a->q[seq - a->base].holds--;
	while (k < a->len && a->q[k].holds == 0)
		off = a->q[k++].offset;
	if (k == 0)
		return 0;
	memmove(a->q, a->q + k, (a->len - k) * sizeof(*a->q));
	a->len -= k;
	a->base += k;
	if (off == a->acked)
		return 0;
	a->acked = off;
	return 1;
}

size_t
ackq_pending(const struct ackq *a)
{
	return a->len;
}
