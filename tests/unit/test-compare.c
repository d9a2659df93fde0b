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
		const char *a, *b;  /* the stream's, the target's */
		double scale;
		int eq;
	} rows[] = {
		{ COMPARE_OPENTSDB, "42", "42", 0, 1 },
		{ COMPARE_OPENTSDB, "42", "43", 0, 0 },
		/* integers beyond 2^53 stay exact in OpenTSDB */
		{ COMPARE_OPENTSDB, "9007199254740993", "9007199254740992", 0,
		  0 },
		/* an integer and a float above 2^53: different either way
		 * round (the float is not the integer's exact value) */
		{ COMPARE_OPENTSDB, "9007199254740993.1966",
		  "9007199254740994", 0, 0 },
		{ COMPARE_OPENTSDB, "9007199254740994",
		  "9007199254740993.1966", 0, 0 },
		{ COMPARE_OPENTSDB, "-9223372036854775808",
		  "-9223372036854775808", 0, 1 },
		{ COMPARE_OPENTSDB, "1.5", "1.5", 0, 1 },
		{ COMPARE_OPENTSDB, "1.5", "1.50", 0, 1 },
		{ COMPARE_OPENTSDB, "15e-1", "1.5", 0, 1 },
		{ COMPARE_OPENTSDB, "5", "5.0", 0, 1 },
		{ COMPARE_OPENTSDB, "1", "", 0, 0 },
		{ COMPARE_OPENTSDB, "1", "NaN", 0, 0 },
		{ COMPARE_OPENTSDB, "1", "\"NaN\"", 0, 0 },
		{ COMPARE_OPENTSDB, "1", "null", 0, 0 },
		/* 2.4 and later keep a value exactly: a change in the last
		 * digit is a change (a float only when it is exact) */
		{ COMPARE_OPENTSDB, "12345678.8", "12345678.9", 0, 0 },
		{ COMPARE_OPENTSDB, "1.00000005", "1.00000001", 0, 0 },
		{ COMPARE_OPENTSDB, "100000003", "100000000.0", 0, 0 },
		{ COMPARE_OPENTSDB, "0.1", "0.10000000149011612", 0, 0 },
		{ COMPARE_OPENTSDB, "3.141592653589793", "3.141592653589793",
		  0, 1 },
		{ COMPARE_OPENTSDB, "0.5", "0.5", 0, 1 },
		/* before 2.4 a value that is not an integer is a 4-byte
		 * float: what the float of the stream's value is */
		{ COMPARE_OPENTSDB_FLOAT, "0.1", "0.10000000149011612", 0, 1 },
		{ COMPARE_OPENTSDB_FLOAT, "0.1", "0.1", 0, 0 },
		{ COMPARE_OPENTSDB_FLOAT, "0.1", "0.1000001", 0, 0 },
		{ COMPARE_OPENTSDB_FLOAT, "12345678.8", "1.2345679E7", 0, 1 },
		{ COMPARE_OPENTSDB_FLOAT, "12345678.8", "12345678.8", 0, 0 },
		{ COMPARE_OPENTSDB_FLOAT, "100000003", "100000000", 0, 0 },
		{ COMPARE_OPENTSDB_FLOAT, "100000003", "100000003", 0, 1 },
		/* version unknown: either */
		{ COMPARE_OPENTSDB_ANY, "0.1", "0.10000000149011612", 0, 1 },
		{ COMPARE_OPENTSDB_ANY, "0.1", "0.1", 0, 1 },
		{ COMPARE_OPENTSDB_ANY, "0.1", "0.1000001", 0, 0 },
		/* VictoriaMetrics: 12 significant digits */
		{ COMPARE_VM, "3.141592653589793", "3.141592653589", 0, 1 },
		{ COMPARE_VM, "0.3333333333333333", "0.333333333333", 0, 1 },
		{ COMPARE_VM, "1.00000000000999", "1", 0, 1 },
		{ COMPARE_VM, "3.141592653589793", "3.141", 0, 0 },
		{ COMPARE_VM, "123456789012345678", "123456789012345680", 0,
		  1 },
		{ COMPARE_VM, "1.2345678901234567e-5", "0", 0, 0 },
		{ COMPARE_VM, "0", "0", 0, 1 },
		{ COMPARE_VM, "-0.0", "0", 0, 1 },
		{ COMPARE_VM, "1e300", "1e300", 0, 1 },
		{ COMPARE_VM, "2", "1", 0, 0 },
		{ COMPARE_VM, "1", "x", 0, 0 },
		/* and a block's shared exponent: next to 123456789.12345676 a
		 * small value keeps about 18 digits of the largest */
		{ COMPARE_VM, "2.718281828459045", "2.7182818284",
		  123456789.12345676, 1 },
		{ COMPARE_VM, "2.718281828459045", "2.7182818284", 0, 0 },
		{ COMPARE_VM, "1e-5", "0", 1e20, 1 },
		/* a real change stays one */
		{ COMPARE_VM, "2.718281828459045", "2.718291828459045",
		  123456789.12345676, 0 },
		{ COMPARE_VM, "123456789.12345676", "123457789.12345676",
		  123457789.12345676, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ok(compare_values(rows[i].t, rows[i].a, strlen(rows[i].a),
		    rows[i].b, strlen(rows[i].b), rows[i].scale) == rows[i].eq,
		    "%s: %s %s %s (scale %g)", rows[i].t == COMPARE_VM ? "vm" :
		    rows[i].t == COMPARE_OPENTSDB ? "opentsdb 2.4+" :
		    rows[i].t == COMPARE_OPENTSDB_FLOAT ? "opentsdb 2.0-2.3" :
		    "opentsdb of unknown version", rows[i].a,
		    rows[i].eq ? "==" : "!=", rows[i].b, rows[i].scale);
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
