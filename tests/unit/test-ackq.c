/* test-ackq.c - unit tests of ackq.c: the acknowledged offset only moves
 * over a prefix of done entries, whatever order they complete in */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ackq.h"
#include "tap.h"

int
main(void)
{
	/* each row: entries pushed (offsets), then the order in which they
	 * complete, and the acked offset after each completion */
	static const struct {
		unsigned long long offsets[4];
		int order[4];
		unsigned long long acked[4];
	} rows[] = {
		{ { 10, 20, 30, 40 }, { 0, 1, 2, 3 }, { 10, 20, 30, 40 } },
		{ { 10, 20, 30, 40 }, { 3, 2, 1, 0 }, { 5, 5, 5, 40 } },
		{ { 10, 20, 30, 40 }, { 1, 0, 3, 2 }, { 5, 20, 20, 40 } },
		{ { 10, 20, 30, 40 }, { 2, 0, 3, 1 }, { 5, 10, 10, 40 } },
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ackq a;
		uint64_t seq[4];
		int good = 1;

		ackq_init(&a, 5);
		for (k = 0; k < 4; k++)
			seq[k] = ackq_push(&a, rows[i].offsets[k], 0);
		for (k = 0; k < 4; k++) {
			ackq_done(&a, seq[rows[i].order[k]]);
			good &= a.acked == rows[i].acked[k];
		}
		ok(good && ackq_pending(&a) == 0, "ledger order %zu", i);
		ackq_free(&a);
	}
	{
		struct ackq a;
		uint64_t s;

		ackq_init(&a, 0);
		ok(ackq_done(&a, ACKQ_NONE) == 0, "empty: nothing moves");
		s = ackq_push(&a, 100, 0);
		ackq_push(&a, 150, 1); /* bad lines after it: done at once */
		ok(ackq_done(&a, ACKQ_NONE) == 0 && a.acked == 0,
		    "a done entry behind a pending one waits");
		ok(ackq_done(&a, s) == 1 && a.acked == 150,
		    "both fold once the first is done");
		ok(ackq_done(&a, s) == 0 && a.acked == 150,
		    "a repeated ack changes nothing");
		for (s = 0; s < 1000; s++)
			ackq_done(&a, ackq_push(&a, 200 + s, 0));
		ok(a.acked == 1199 && ackq_pending(&a) == 0 && a.cap <= 16,
		    "memory stays bounded while acks keep up");
		ackq_free(&a);
	}
	return done();
}
