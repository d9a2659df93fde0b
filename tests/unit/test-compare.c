/* test-compare.c - unit tests of compare.c: number texts read, and
 * values equal or not as each target keeps numbers */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "compare.h"
#include "tap.h"

static void
test_equal(void)
{
	static const struct {
		enum compare_model t;
		const char *a, *b;
		int eq;
	} rows[] = {
		{ COMPARE_OPENTSDB, "42", "42", 1 },
		{ COMPARE_OPENTSDB, "42", "43", 0 },
		/* integers beyond 2^53 stay exact in OpenTSDB */
		{ COMPARE_OPENTSDB, "9007199254740993",
		  "9007199254740992", 0 },
		{ COMPARE_OPENTSDB, "-9223372036854775808",
		  "-9223372036854775808", 1 },
		{ COMPARE_OPENTSDB, "1.5", "1.5", 1 },
		{ COMPARE_OPENTSDB, "1.5", "1.50", 1 },
		{ COMPARE_OPENTSDB, "15e-1", "1.5", 1 },
		/* OpenTSDB before 2.3 keeps a 32-bit float */
		{ COMPARE_OPENTSDB, "0.1", "0.10000000149011612", 1 },
		{ COMPARE_OPENTSDB, "0.1", "0.1000001", 0 },
		{ COMPARE_OPENTSDB, "5", "5.0", 1 },
		{ COMPARE_OPENTSDB, "1", "", 0 },
		{ COMPARE_OPENTSDB, "1", "NaN", 0 },
		/* VictoriaMetrics: 12 significant digits */
		{ COMPARE_VM, "3.141592653589793", "3.141592653589", 1 },
		{ COMPARE_VM, "0.3333333333333333", "0.333333333333", 1 },
		{ COMPARE_VM, "1.00000000000999", "1", 1 },
		{ COMPARE_VM, "3.141592653589793", "3.141", 0 },
		{ COMPARE_VM, "123456789012345678",
		  "123456789012345680", 1 },
		{ COMPARE_VM, "1.2345678901234567e-5", "0", 0 },
		{ COMPARE_VM, "0", "0", 1 },
		{ COMPARE_VM, "-0.0", "0", 1 },
		{ COMPARE_VM, "1e300", "1e300", 1 },
		{ COMPARE_VM, "2", "1", 0 },
		{ COMPARE_VM, "1", "x", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ok(compare_values(rows[i].t, rows[i].a, strlen(rows[i].a),
		    rows[i].b, strlen(rows[i].b)) == rows[i].eq,
		    "%s: %s %s %s", rows[i].t == COMPARE_VM ? "vm" :
		    "opentsdb", rows[i].a, rows[i].eq ? "==" : "!=",
		    rows[i].b);
}

static void
test_parse(void)
{
	static const struct {
		const char *s;
		int kind;
		int64_t i;
		double d;
	} rows[] = {
		{ "42", 1, 42, 42 },
		{ "-0", 1, 0, 0 },
		{ "9223372036854775807", 1, INT64_MAX, 9223372036854775807.0 },
		/* beyond 64 bits: a double */
		{ "9223372036854775808", 0, 0, 9223372036854775808.0 },
		{ "1.5", 0, 0, 1.5 },
		{ "1e3", 0, 0, 1000 },
		{ "1E-2", 0, 0, 0.01 },
		{ "1e999", -1, 0, 0 },
		{ "NaN", -1, 0, 0 },
		{ "01", -1, 0, 0 },
		{ "", -1, 0, 0 },
		{ "1.", -1, 0, 0 },
		{ "\"1\"", -1, 0, 0 },
	};
	size_t k;

	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		int64_t i = 0;
		double d = 0;
		int kind = compare_parse_number(rows[k].s, strlen(rows[k].s),
		    &i, &d);

		ok(kind == rows[k].kind && (kind < 0 || (d == rows[k].d &&
		    (kind == 0 || i == rows[k].i))), "parse %s: %s",
		    rows[k].s, kind == 1 ? "an integer" : kind == 0 ?
		    "a double" : "not a number");
	}
}

int
main(void)
{
	test_equal();
	test_parse();
	return done();
}
