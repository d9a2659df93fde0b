/* test-frames.c - unit tests of frames.c: exact tiling, halving, the
 * stack of ranges and TSUID groups */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "tap.h"

static void
test_tiling(void)
{
	static const struct {
		long long start, stop, size, count;
		long long last_lo, last_hi;
	} rows[] = {
		{ 0, 360000, 180000, 2, 180000, 360000 },
		/* the last partial frame is included, nothing past stop */
		{ 0, 360001, 180000, 3, 360000, 360001 },
		{ 1000, 1001, 180000, 1, 1000, 1001 },
		{ 5, 5, 1000, 0, 0, 0 },
		{ 10, 5, 1000, 0, 0, 0 },
		{ 1678233600000LL, 1678233600000LL + 86400000, 180000, 480,
		  1678233600000LL + 86400000 - 180000,
		  1678233600000LL + 86400000 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long long n = frames_count(rows[i].start, rows[i].stop,
		    rows[i].size), k, gap = 0;
		struct frame_range prev, r;

		ok(n == rows[i].count, "tiling %zu: %lld frames", i, n);
		if (n == 0)
			continue;
		r = frames_nth(rows[i].start, rows[i].stop, rows[i].size, n - 1);
		ok(r.lo == rows[i].last_lo && r.hi == rows[i].last_hi,
		    "tiling %zu: last frame", i);
		prev = frames_nth(rows[i].start, rows[i].stop, rows[i].size, 0);
		gap = prev.lo != rows[i].start;
		for (k = 1; k < n; k++) {
			r = frames_nth(rows[i].start, rows[i].stop,
			    rows[i].size, k);
			gap |= r.lo != prev.hi || r.hi <= r.lo;
			prev = r;
		}
		ok(!gap && prev.hi == rows[i].stop,
		    "tiling %zu: no gap, no overlap", i);
	}
}

static void
test_halving(void)
{
	static const struct {
		struct frame_range in;
		int can;
		struct frame_range a, b;
	} rows[] = {
		{ { 0, 180000, 0, 0 }, 1, { 0, 90000, 0, 0 },
		  { 90000, 180000, 0, 0 } },
		{ { 0, 1001, 0, 0 }, 1, { 0, 500, 0, 0 }, { 500, 1001, 0, 0 } },
		{ { 0, 1000, 0, 0 }, 0, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } },
		/* several series: by series first, time unchanged */
		{ { 0, 1000, 4, 9 }, 1, { 0, 1000, 4, 6 }, { 0, 1000, 6, 9 } },
		{ { 0, 180000, 4, 5 }, 1, { 0, 90000, 4, 5 },
		  { 90000, 180000, 4, 5 } },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct frame_range a, b;

		ok(frames_can_split(&rows[i].in) == rows[i].can,
		    "halving %zu: can split", i);
		if (!rows[i].can)
			continue;
		frames_halve(&rows[i].in, &a, &b);
		ok(memcmp(&a, &rows[i].a, sizeof(a)) == 0 &&
		    memcmp(&b, &rows[i].b, sizeof(b)) == 0,
		    "halving %zu: halves", i);
	}
}

static void
test_stack(void)
{
	struct frame_todo t;
	struct frame_range r = { 1, 2, 0, 0 }, got;
	int i, full = 0;

	t.n = 0;
	ok(frames_pop(&t, &got) == 0, "stack: empty pops nothing");
	for (i = 0; i < FRAMES_MAX_DEPTH; i++) {
		r.lo = i;
		full |= frames_push(&t, &r);
	}
	ok(full == 0 && frames_push(&t, &r) == -1, "stack: bounded");
	ok(frames_pop(&t, &got) == 1 && got.lo == FRAMES_MAX_DEPTH - 1,
	    "stack: last in, first out");
}

static void
test_groups(void)
{
	char *t[600];
	size_t g[FRAMES_MAX_GROUPS][2], n, i, covered = 0, bad = 0;
	static char text[600][20];

	for (i = 0; i < 600; i++) {
		snprintf(text[i], sizeof(text[i]), "%018zu", i);
		t[i] = text[i];
	}
	n = frames_tsuid_groups(t, 1, 7000, g, FRAMES_MAX_GROUPS);
	ok(n == 1 && g[0][0] == 0 && g[0][1] == 1, "groups: one TSUID");
	ok(frames_tsuid_groups(t, 0, 7000, g, FRAMES_MAX_GROUPS) == 0,
	    "groups: none");
	/* 58 bytes a TSUID: 116 fit in 7000 bytes with the base */
	n = frames_tsuid_groups(t, 600, 7000, g, FRAMES_MAX_GROUPS);
	ok(n == 6, "groups: 600 TSUIDs in %zu groups", n);
	for (i = 0; i < n; i++) {
		bad |= g[i][0] != covered || g[i][1] <= g[i][0] ||
		    200 + (g[i][1] - g[i][0]) * 58 > 7000;
		covered = g[i][1];
	}
	ok(!bad && covered == 600, "groups: consecutive, each under the cap");
	ok(frames_tsuid_groups(t, 600, 7000, g, 5) == 0,
	    "groups: more than allowed is refused");
	/* a TSUID longer than the cap still gets a group of its own */
	n = frames_tsuid_groups(t, 3, 10, g, FRAMES_MAX_GROUPS);
	ok(n == 3, "groups: tiny cap, one TSUID a group");
	is_str(t[599], "000000000000000599", "groups: TSUIDs untouched");
}

int
main(void)
{
	test_tiling();
	test_halving();
	test_stack();
	test_groups();
	return done();
}
