/* test-planest.c - unit tests of planest.c: the rows a query scans, and
 * the estimate of a metric's dump at an even rate, frames planned as the
 * dump plans them */
#include "config.h"

#include <math.h>

#include "dumprun.h"
#include "frames.h"
#include "planest.h"
#include "tap.h"

#define H 3600000LL
#define T0 1678233600000LL      /* 2023-03-08T00:00Z, on an hour */

static void
test_scan_hours(void)
{
	static const struct {
		long long lo, hi, hours;
	} rows[] = {
		{ T0, T0 + H, 2 },              /* an hour and the next */
		{ T0, T0 + 180000, 1 },         /* inside its hour */
		{ T0 + H - 180000, T0 + H, 2 }, /* the hour's last frame */
		{ T0, T0 + 2 * H, 3 },
		{ T0 + 1000, T0 + H - 2000, 1 },
		{ T0, T0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ok(planest_scan_hours(rows[i].lo, rows[i].hi) == rows[i].hours,
		    "scan hours %zu: %lld", i,
		    (long long)planest_scan_hours(rows[i].lo, rows[i].hi));
}

/* The dump's frames planned by the data over [start, stop) at an even
 * rate, frame after frame (no shortcut): frames and hours scanned. */
static void
reference(long long start, long long stop, double bytes_ms, size_t max,
    double *frames, double *hours)
{
	long long lo = start, hi, size = FRAMES_AUTO_FIRST_MS;
	int change;

	*frames = *hours = 0;
	for (; lo < stop; lo = hi) {
		hi = frames_auto_end(lo, stop, size);
		++*frames;
		*hours += (double)planest_scan_hours(lo, hi);
		size = frames_auto_adapt(size, lo, hi,
		    (uint64_t)(bytes_ms * (double)(hi - lo)),
		    max / DUMP_TARGET_SHARE, &change);
	}
}

static void
test_metric(void)
{
	static const struct {
		const char *name;
		long long start, stop, frame;
		size_t max, series, groups;
		int by_series;
		double bytes_h, points_h, series_h;
		double points, queries, rows;
	} rows[] = {
		/* fixed hour frames: each scans 2 hours of 10 rows */
		{ "fixed, a day of hours", T0, T0 + 24 * H, H, 1 << 20, 10, 1,
		  0, 1000, 60, 10, 1440, 24, 480 },
		/* 180-s frames: 21 scans of an hour's rows in 20 frames */
		{ "fixed, 180 s", T0, T0 + 24 * H, 180000, 1 << 20, 10, 1,
		  0, 1000, 60, 10, 1440, 480, 480 * 1.05 * 10 },
		/* nothing to read: frames grow 1, 2, ..., 128 h, then 7 days
		 * (168, 168, 81 h) */
		{ "auto, empty, 28 days", T0, T0 + 672 * H, 0, 1 << 20, 0, 1,
		  0, 0, 0, 0, 0, 11, 0 },
		/* dense: an hour answers more than 3/4 of the target (256 K):
		 * frames stay an hour */
		{ "auto, dense", T0, T0 + 24 * H, 0, 1 << 20, 40, 1, 0,
		  250000, 14400, 40, 345600, 24, 24 * 2 * 40 },
		/* an hour 3 times an answer: halved twice (3 queries too
		 * large: 1, then 2), 4 groups an hour-frame, each scanning
		 * every row */
		{ "auto, hour too large", T0, T0 + 24 * H, 0, 1 << 20, 100, 1,
		  0, 3.0 * (1 << 20), 1e5, 100, 24e5, 24 * 4 + 3,
		  (24 * 2 * 4 + 3 * 2) * 100 },
		/* read by 3 groups from the start (no 'none'), small */
		{ "fixed, 3 groups", T0, T0 + 24 * H, H, 1 << 20, 30, 3, 1,
		  1000, 60, 10, 1440, 72, 24 * 2 * 10 * 3 },
		{ "empty range", T0, T0, 0, 1 << 20, 10, 1, 0, 1000, 60, 10,
		  0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct planest_params p;
		struct planest_rate r;
		struct planest e;

		p.start_ms = rows[i].start;
		p.stop_ms = rows[i].stop;
		p.frame_ms = rows[i].frame;
		p.max_response = rows[i].max;
		p.series = rows[i].series;
		p.groups = rows[i].groups;
		p.by_series = rows[i].by_series;
		r.bytes_ms = rows[i].bytes_h / H;
		r.points_ms = rows[i].points_h / H;
		r.series = rows[i].series_h;
		planest_metric(&p, &r, &e);
		ok(fabs(e.points - rows[i].points) < 0.5 &&
		    fabs(e.queries - rows[i].queries) < 0.5 &&
		    fabs(e.rows - rows[i].rows) < 0.5,
		    "%s: %.1f points, %.1f queries, %.1f rows", rows[i].name,
		    e.points, e.queries, e.rows);
	}
}

/* The shortcut once frames keep their size gives what planning every
 * frame gives, at rates that settle at 1 hour to 7 days. */
static void
test_steady(void)
{
	static const double per_hour[] = { 0, 100, 4000, 16000, 30000,
	    70000, 200000 };
	static const long long starts[] = { T0, T0 + 1234567 };
	size_t i, j;

	for (i = 0; i < sizeof(per_hour) / sizeof(per_hour[0]); i++)
		for (j = 0; j < 2; j++) {
			struct planest_params p = { starts[j], T0 + 400 * 24 * H,
			    0, 1 << 20, 10, 1, 0 };
			struct planest_rate r = { per_hour[i] / H, 1, 10 };
			struct planest e;
			double frames, hours;

			reference(p.start_ms, p.stop_ms, r.bytes_ms,
			    p.max_response, &frames, &hours);
			planest_metric(&p, &r, &e);
			ok(e.queries == frames && e.rows == hours * 10,
			    "steady at %.0f bytes an hour, start %zu: %.0f "
			    "frames (%.0f planned one by one), %.0f rows "
			    "(%.0f)", per_hour[i], j, e.queries, frames,
			    e.rows, hours * 10);
		}
}

static void
test_cost(void)
{
	struct planest e = { 0, 10, 300 };

	ok(planest_cost_ms(&e) == 10 * PLANEST_QUERY_MS + 300 * PLANEST_ROW_MS,
	    "cost: queries and rows at the stated prices");
}

int
main(void)
{
	test_scan_hours();
	test_metric();
	test_steady();
	test_cost();
	return done();
}
