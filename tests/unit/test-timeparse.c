/* test-timeparse.c - unit tests of timeparse.c and the dump-dir names
 * Local times are checked with TZ=UTC and TZ=Europe/Berlin style offsets
 * given explicitly, so the result does not depend on the machine. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dumpdir.h"
#include "tap.h"
#include "timeparse.h"

struct row {
	const char *in;
	long long want; /* ms; -1: refused */
};

static const struct row rows[] = {
	{ "2023-03-08", 1678233600000LL },
	{ "2023-03-08T01:02:03", 1678237323000LL },
	{ "2023-03-08 01:02:03", 1678237323000LL },
	{ "2023-03-08T01:02:03Z", 1678237323000LL },
	/* milliseconds, as the tools print times */
	{ "2023-03-08T01:02:03.250Z", 1678237323250LL },
	{ "2023-03-08T01:02:03.5Z", 1678237323500LL },
	{ "2023-03-08T01:02:03.Z", -1 },
	{ "2023-03-08T01:02:03.1234Z", -1 },
	{ "2023-03-08Z", 1678233600000LL },
	{ "2023-03-08T01:02:03+01:00", 1678233723000LL },
	{ "2023-03-08T01:02:03-02:30", 1678246323000LL },
	{ "1678233600", 1678233600000LL },
	{ "1678233600123", 1678233600123LL },
	{ "0", 0 },
	{ "now", 42 },
	{ "2023-02-30", -1 },
	{ "2023-13-01", -1 },
	{ "2023-03-08T25:00:00", -1 },
	/* HH:MM without seconds, and +HHMM / +HH offsets (date, ISO 8601) */
	{ "2023-03-08T01:02", 1678237320000LL },
	{ "2023-03-08 01:02Z", 1678237320000LL },
	{ "2023-03-08T01:02+0100", 1678233720000LL },
	{ "2023-03-08T01:02:03+0100", 1678233723000LL },
	{ "2023-03-08T01:02:03-0230", 1678246323000LL },
	{ "2023-03-08T01:02:03+01", 1678233723000LL },
	{ "2023-03-08T01:02.5Z", -1 },
	{ "2023-03-08T01", -1 },
	{ "2023-03-08T1:02", -1 },
	{ "2023-03-08T01:02+010", -1 },
	{ "2023-03-08T01:02+01:", -1 },
	{ "2023-03-08T01:02+2400", -1 },
	{ "2023-03-08T01:02+0160", -1 },
	{ "2023/03/08", -1 },
	{ "yesterday", -1 },
	{ "", -1 },
	{ "12345678901234", -1 },
	{ "2023-03-08T01:02:03+1:00", -1 },
	{ "2023-03-08x", -1 },
};

int
main(void)
{
	size_t i;
	int64_t ms;
	char text[40];
	struct buf b, back;

	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = timeparse(rows[i].in, 42, &ms);

		if (rows[i].want < 0)
			ok(r == -1, "refused: '%s'", rows[i].in);
		else
			ok(r == 0 && ms == rows[i].want, "'%s' is %lld ms",
			    rows[i].in, rows[i].want);
	}
	/* local time follows TZ (the seed's behaviour); Z does not */
	setenv("TZ", "EST5", 1);
	tzset();
	ok(timeparse("2023-03-08", 0, &ms) == 0 &&
	    ms == 1678233600000LL + 5 * 3600000LL, "local time follows TZ");
	ok(timeparse("2023-03-08T00:00:00Z", 0, &ms) == 0 &&
	    ms == 1678233600000LL, "Z ignores TZ");
	timeparse_format(1678233600123LL, text, sizeof(text));
	is_str(text, "2023-03-08T00:00:00.123Z", "format");

	buf_init(&b);
	buf_init(&back);
	dumpdir_encode_name(&b, "kilda.flow/bytes", 16);
	is_str(b.p, "kilda.flow%2Fbytes", "'/' is encoded");
	buf_reset(&b);
	dumpdir_encode_name(&b, "..", 2);
	is_str(b.p, "%2E.", "'..' cannot name a parent directory");
	buf_reset(&b);
	dumpdir_encode_name(&b, "a%b \xc3\xa9-_.Z9", 11);
	is_str(b.p, "a%25b%20%C3%A9-_.Z9", "other bytes as %XX");
	ok(dumpdir_decode_name(&back, b.p, b.len) == 0 && back.len == 11 &&
	    memcmp(back.p, "a%b \xc3\xa9-_.Z9", 11) == 0,
	    "decoding gives the name back");
	buf_reset(&back);
	ok(dumpdir_decode_name(&back, "a%2", 3) == -1, "truncated %%XX refused");
	buf_reset(&back);
	ok(dumpdir_decode_name(&back, "a/b", 3) == -1, "raw '/' refused");
	buf_free(&b);
	buf_free(&back);
	return done();
}
