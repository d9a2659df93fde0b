/* compare.h - values as a target keeps them: whether the value a target
 * holds is the one a stream gave it (pure, no I/O) */
#ifndef OTSDB_COMPARE_H
#define OTSDB_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* How a target stores a number (from its source: OpenTSDB's
 * PutDataPointRpc and Tags.fitsInFloat, VictoriaMetrics' lib/decimal). */
enum compare_model {
	COMPARE_OPENTSDB,       /* 2.4 and later: an integer (no '.', 'e'
				 * or 'E') as a 64-bit integer, any other
				 * value as a 4-byte float when that is
				 * exact, else as a double: exactly */
	COMPARE_OPENTSDB_FLOAT, /* 2.0 to 2.3: other values as 4-byte
				 * floats (Float.parseFloat) */
	COMPARE_OPENTSDB_ANY,   /* OpenTSDB of unknown version: either */
	COMPARE_VM              /* VictoriaMetrics: about 12 significant
				 * digits, and a block's values share one
				 * decimal exponent */
};

/* The n bytes at s as a JSON number: 1 an integer that fits in 64 bits
 * (in *i, and in *d as a double), 0 another finite number (in *d), -1
 * not a number or not finite. */
int compare_parse_number(const char *s, size_t n, int64_t *i, double *d);

/* Whether the value text b (what the target holds) is what a target of
 * model m stores for the value text a (what the stream gave).  scale is
 * the largest magnitude among the values of a's series (VictoriaMetrics
 * keeps a block of a series' values as int64 mantissas of one shared
 * decimal exponent, so a small value next to a large one loses digits:
 * up to about 1e-18 of the largest); 0 when unknown.  Text that is not a
 * number is never equal. */
int compare_values(enum compare_model m, const char *a, size_t an,
    const char *b, size_t bn, double scale);
/* The magnitude of a value text, for scale: 0 when it is not a number. */
double compare_magnitude(const char *s, size_t n);

#endif
