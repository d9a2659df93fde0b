/* compare.h - values as a target keeps them: whether the value a target
 * holds is the one a stream gave it (pure, no I/O) */
#ifndef OTSDB_COMPARE_H
#define OTSDB_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* How a target stores a number. */
enum compare_model {
	COMPARE_OPENTSDB, /* integers exactly; other values as doubles, or
			   * as 32-bit floats (OpenTSDB before 2.3) */
	COMPARE_VM        /* VictoriaMetrics: about 12 significant digits */
};

/* The n bytes at s as a JSON number: 1 an integer that fits in 64 bits
 * (in *i, and in *d as a double), 0 another finite number (in *d), -1
 * not a number or not finite. */
int compare_parse_number(const char *s, size_t n, int64_t *i, double *d);

/* Whether the value text b (what the target holds) is equal to a (what
 * the stream gave) as a target of model m keeps numbers.  Text that is
 * not a number is never equal. */
int compare_values(enum compare_model m, const char *a, size_t an,
    const char *b, size_t bn);

#endif
