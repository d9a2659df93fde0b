/* compare.c - values as a target keeps them: number texts compared the
 * way each target stores them */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json.h"
#include "xalloc.h"

int
compare_parse_number(const char *s, size_t n, int64_t *i, double *d)
{
	char tmp[64], *copy = tmp, *end;
	int rc = 0, integer;

	if (n == 0 || !json_is_number(s, n))
		return -1;
	integer = memchr(s, '.', n) == NULL && memchr(s, 'e', n) == NULL &&
	    memchr(s, 'E', n) == NULL;
	if (n >= sizeof(tmp))
		copy = xmemdup0(s, n);
	else {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
	}
	errno = 0;
	if (integer) {
		long long v = strtoll(copy, &end, 10);

		if (errno == 0) {
			*i = v;
			rc = 1;
		}
	}
	if (rc == 0) {
		*d = strtod(copy, &end);
		if (!isfinite(*d))
			rc = -1;
	}
	if (copy != tmp)
		free(copy);
	if (rc == 1)
		*d = (double)*i;
	return rc;
}

/* The 4-byte float a decimal text is read as (Java's Float.parseFloat
 * and strtof both round it correctly). */
static double
as_float(const char *s, size_t n)
{
	char tmp[64], *copy = tmp;
	double d;

	if (n >= sizeof(tmp))
		copy = xmemdup0(s, n);
	else {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
	}
	d = (double)strtof(copy, NULL);
	if (copy != tmp)
		free(copy);
	return d;
}

int
compare_values(enum compare_model m, const char *a, size_t an,
    const char *b, size_t bn, double scale)
{
	int64_t ia = 0, ib = 0;
	double da = 0, db = 0, tol;
	int ka = compare_parse_number(a, an, &ia, &da);
	int kb = compare_parse_number(b, bn, &ib, &db);

	if (ka < 0 || kb < 0)
		return 0;
	if (m == COMPARE_VM) {
		if (da == db)
			return 1;
		tol = 1e-11 * fmax(fabs(da), fabs(db));
		if (1e-17 * scale > tol)
			tol = 1e-17 * scale;
		return fabs(da - db) <= tol;
	}
	if (ka == 1 && kb == 1)
		return ia == ib; /* 64-bit integers, exactly */
	if (ka == 1 || (kb == 1 && m == COMPARE_OPENTSDB))
		/* an integer and a float: only where a double holds every
		 * integer (beyond 2^53 the float is not that integer's exact
		 * value); for the exact model the same either way round */
		return db == da && fabs(db) <= 9007199254740992.0;
	if (m == COMPARE_OPENTSDB_FLOAT)
		return db == as_float(a, an);
	if (m == COMPARE_OPENTSDB_ANY)
		return db == da || db == as_float(a, an);
	return db == da;
}

double
compare_magnitude(const char *s, size_t n)
{
	int64_t i;
	double d;

	return compare_parse_number(s, n, &i, &d) < 0 ? 0 : fabs(d);
}
