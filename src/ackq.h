/* ackq.h - the resume ledger of one input: the byte offset up to which
 * every line is acknowledged, while batches complete in any order */
#ifndef OTSDB_ACKQ_H
#define OTSDB_ACKQ_H

#include <stddef.h>
#include <stdint.h>

struct ackq_entry {
	uint64_t offset; /* input offset just after the entry's last line */
	unsigned holds;  /* requests still to answer for it; 0: done */
};

/* Entries in input order; the first ones done are folded into acked. */
struct ackq {
	struct ackq_entry *q;
	uint64_t base;   /* sequence number of q[0] */
	size_t len, cap;
	uint64_t acked;  /* every byte before it is acknowledged */
};

/* An empty ledger whose input is acknowledged up to `start`. */
void ackq_init(struct ackq *a, uint64_t start);
void ackq_free(struct ackq *a);
/* Appends an entry for the bytes up to offset, already done or not;
 * returns its sequence number for ackq_done. */
uint64_t ackq_push(struct ackq *a, uint64_t offset, int done);
/* One more request must answer for entry seq before it is done (points
 * of its batch sent again). */
void ackq_hold(struct ackq *a, uint64_t seq);
/* One request answered for entry seq (ACKQ_NONE: none, just fold); folds
 * the done entries at the front.  Returns 1 when acked moved, else 0. */
int ackq_done(struct ackq *a, uint64_t seq);
#define ACKQ_NONE UINT64_MAX
/* Entries not yet folded (batches in flight or before them). */
size_t ackq_pending(const struct ackq *a);

#endif
