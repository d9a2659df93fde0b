/* fuzz-compare.c - value comparison (compare.c): two texts split at the
 * first NUL; for exact models equality is symmetric, a number is equal
 * to itself where the model keeps it exactly, a larger scale accepts no
 * less, and text that is not a number equals nothing */
#include "config.h"

#include <string.h>

#include "compare.h"
#include "fuzz.h"
#include "json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data, *b;
	const char *nul = memchr(a, '\0', size);
	size_t an, bn;
	int m;

	if (nul == NULL)
		return 0;
	an = (size_t)(nul - a);
	b = nul + 1;
	bn = size - an - 1;
	for (m = COMPARE_OPENTSDB; m <= COMPARE_VM; m++) {
		int ab = compare_values(m, a, an, b, bn, 0);
		int64_t i;
		double d;

		/* symmetric where the model is: exact values and VM's */
		if (m == COMPARE_OPENTSDB || m == COMPARE_VM)
			PROPERTY(ab == compare_values(m, b, bn, a, an, 0));
		if (compare_parse_number(a, an, &i, &d) >= 0 &&
		    m != COMPARE_OPENTSDB_FLOAT)
			PROPERTY(compare_values(m, a, an, a, an, 0));
		else if (compare_parse_number(a, an, &i, &d) < 0)
			PROPERTY(!ab);
		/* a larger scale only accepts more */
		if (ab)
			PROPERTY(compare_values(m, a, an, b, bn, 1e300));
		if (!json_is_number(a, an) || !json_is_number(b, bn))
			PROPERTY(!ab);
	}
	return 0;
}
