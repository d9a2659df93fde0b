/* test-frames.c - unit tests of frames.c: exact tiling, halving, the
 * stack of ranges and TSUID groups */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "strvec.h"
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
		/* the dump's tiling: each frame from the end of the one
		 * before, as many as frames_count says */
		memset(&r, 0, sizeof(r));
		r.lo = rows[i].start;
		r.hi = frames_fixed_end(r.lo, rows[i].stop, rows[i].size);
		for (k = 1; k < n; k++) {
			prev = r;
			r.lo = prev.hi;
			r.hi = frames_fixed_end(r.lo, rows[i].stop,
			    rows[i].size);
			gap |= r.hi <= r.lo;
		}
		ok(r.lo == rows[i].last_lo && r.hi == rows[i].last_hi,
		    "tiling %zu: last frame", i);
		ok(!gap && r.hi == rows[i].stop,
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
	struct frame_todo t = { NULL, 0, 0 };
	struct frame_range r = { 1, 2, 0, 0 }, got;
	int i, full = 0;

	ok(frames_pop(&t, &got) == 0, "stack: empty pops nothing");
	for (i = 0; i < FRAMES_MAX_DEPTH; i++) {
		r.lo = i;
		full |= frames_push(&t, &r);
	}
	ok(full == 0 && frames_push(&t, &r) == -1, "stack: bounded");
	ok(frames_pop(&t, &got) == 1 && got.lo == FRAMES_MAX_DEPTH - 1,
	    "stack: last in, first out");
	frames_todo_free(&t);
}

static void
test_groups(void)
{
	char *t[600];
	size_t from, to, n = 0, bad = 0;
	static char text[600][20];

	for (from = 0; from < 600; from++) {
		snprintf(text[from], sizeof(text[from]), "%018zu", from);
		t[from] = text[from];
	}
	ok(frames_tsuid_group_end(t, 1, 0, 7000, 40, 0) == 1,
	    "groups: one TSUID");
	/* 58 bytes a TSUID: 116 fit in 7000 bytes with the base */
	for (from = 0; from < 600; from = to, n++) {
		to = frames_tsuid_group_end(t, 600, from, 7000, 40, 0);
		bad |= to <= from || 200 + (to - from) * 58 > 7000 ||
		    (to < 600 && 200 + (to - from + 1) * 58 <= 7000);
	}
	ok(!bad && n == 6, "groups: 600 TSUIDs in %zu full groups under the "
	    "cap", n);
	ok(frames_tsuid_group_end(t, 600, 0, 7000, 3, 0) == 323,
	    "groups: 21 bytes a TSUID in a list");
	ok(frames_tsuid_group_end(t, 600, 10, 7000, 3, 50) == 60,
	    "groups: at most max_count");
	ok(frames_tsuid_group_end(t, 600, 599, 7000, 3, 50) == 600,
	    "groups: the last one");
	/* a TSUID longer than the cap still gets a group of its own */
	ok(frames_tsuid_group_end(t, 3, 1, 10, 40, 0) == 2,
	    "groups: tiny cap, one TSUID a group");
	is_str(t[599], "000000000000000599", "groups: TSUIDs untouched");
}

/* --follow's arithmetic: the output is complete before the end of the
 * last whole frame LAG old; new metrics are looked for every 10 frames,
 * within 10 s and 10 min. */
static void
test_follow(void)
{
	const int64_t t0 = 1678233600000LL, f = 180000;
	struct strvec sv;

	ok(frames_complete_before(t0, f, t0 - 5) == t0,
	    "follow: before the start, nothing is complete");
	ok(frames_complete_before(t0, f, t0 + f - 1) == t0,
	    "follow: a frame not yet LAG old is not complete");
	ok(frames_complete_before(t0, f, t0 + f) == t0 + f,
	    "follow: a frame that ends exactly then is");
	ok(frames_complete_before(t0, f, t0 + 5 * f + 7) == t0 + 5 * f,
	    "follow: whole frames only");
	ok(frames_rediscover_ms(180000) == 600000,
	    "follow: 10 frames of 180 s is over 10 min: 10 min");
	ok(frames_rediscover_ms(30000) == 300000,
	    "follow: every 10 frames of 30 s");
	ok(frames_rediscover_ms(100) == 10000, "follow: at most every 10 s");
	strvec_init(&sv);
	strvec_add(&sv, "a", 1);
	strvec_add(&sv, "c", 1);
	strvec_add(&sv, "e", 1);
	strvec_add(&sv, "b", 1); /* found later, not sorted */
	ok(strvec_has(&sv, 3, "c") && strvec_has(&sv, 3, "a") &&
	    strvec_has(&sv, 3, "e") && strvec_has(&sv, 3, "b") &&
	    !strvec_has(&sv, 3, "d") && !strvec_has(&sv, 3, ""),
	    "follow: a name among the sorted ones and the later ones");
	strvec_free(&sv);
}

static void
test_auto(void)
{
	const int64_t H = FRAMES_HOUR_MS, t0 = 1678233600000LL;
	struct frame_range r = { t0 + 1000, t0 + 5 * H, 0, 0 }, a, b;
	int ch;

	ok(frames_hour_floor(t0 + H - 1) == t0 && frames_hour_floor(t0) == t0,
	    "auto: the hour at or before");
	ok(frames_hour_floor(-1) == -H, "auto: the hour before 1970 too");
	ok(frames_auto_end(t0 + 1000, t0 + 10 * H, H) == t0 + H,
	    "auto: a frame from inside an hour ends on the next edge");
	ok(frames_auto_end(t0, t0 + 10 * H, 4 * H) == t0 + 4 * H,
	    "auto: from an edge, its size");
	ok(frames_auto_end(t0, t0 + 90 * 60000, 4 * H) == t0 + 90 * 60000,
	    "auto: at most the end of the range");
	ok(frames_auto_adapt(H, t0, t0 + H, 100, 4096, &ch) == 2 * H &&
	    ch == 1, "auto: a small answer doubles the frame");
	ok(frames_auto_adapt(H, t0, t0 + H, 1025, 4096, &ch) == H && ch == 0,
	    "auto: twice over half the target: kept");
	ok(frames_auto_adapt(8 * H, t0, t0 + 8 * H, 4096, 4096, &ch) == 4 * H
	    && ch == -1, "auto: at the target: halved till under 3/4 of it");
	ok(frames_auto_adapt(H, t0, t0 + H, 1 << 30, 4096, &ch) == H &&
	    ch == 0, "auto: never under an hour");
	ok(frames_auto_adapt(128 * H, t0, t0 + 128 * H, 0, 4096, &ch) ==
	    FRAMES_AUTO_MAX_MS && ch == 1, "auto: at most 7 days");
	ok(frames_auto_adapt(H, t0 + H - 60000, t0 + H, 100, 4096, &ch) == H
	    && ch == 0, "auto: a partial frame counts at its rate");
	ok(frames_halve_hours(&r, &a, &b) && a.lo == r.lo &&
	    a.hi == t0 + 2 * H && b.lo == t0 + 2 * H && b.hi == r.hi,
	    "auto: split on the whole hour nearest the middle");
	r.lo = t0 + 1000;
	r.hi = t0 + H + 1000;
	ok(frames_halve_hours(&r, &a, &b) && a.hi == t0 + H,
	    "auto: across one edge: on it");
	r.hi = t0 + H;
	ok(!frames_halve_hours(&r, &a, &b), "auto: inside one hour: no");
}

int
main(void)
{
	test_auto();
	test_follow();
	test_tiling();
	test_halving();
	test_stack();
	test_groups();
	return done();
}
