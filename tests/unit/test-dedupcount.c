/* test-dedupcount.c - unit tests of dedupcount.c: which points of a
 * stream a VictoriaMetrics with -dedup.minScrapeInterval merges, as
 * its 1.79 DeduplicateSamples draws the intervals (k d, (k + 1) d] */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "datapoint.h"
#include "dedupcount.h"
#include "error.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *line;
		int merged;       /* 1: merged into an earlier point */
	} rows[] = {
		/* 1000 ms: (0, 1000], (1000, 2000], ... */
		{ "{\"metric\":\"m\",\"timestamp\":1678233600000,\"value\":1,"
		  "\"tags\":{\"a\":\"1\"}}", 0 },
		/* 1 ms later: the next interval (right-closed) */
		{ "{\"metric\":\"m\",\"timestamp\":1678233600001,\"value\":2,"
		  "\"tags\":{\"a\":\"1\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600999,\"value\":3,"
		  "\"tags\":{\"a\":\"1\"}}", 1 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233601000,\"value\":4,"
		  "\"tags\":{\"a\":\"1\"}}", 1 },
		/* another series: its own intervals, in any tag order */
		{ "{\"metric\":\"m\",\"timestamp\":1678233601000,\"value\":5,"
		  "\"tags\":{\"a\":\"1\",\"b\":\"2\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233600500,\"value\":6,"
		  "\"tags\":{\"b\":\"2\",\"a\":\"1\"}}", 1 },
		/* another metric, the same tags */
		{ "{\"metric\":\"n\",\"timestamp\":1678233600500,\"value\":7,"
		  "\"tags\":{\"a\":\"1\"}}", 0 },
		{ "{\"metric\":\"m\",\"timestamp\":1678233601001,\"value\":8,"
		  "\"tags\":{\"a\":\"1\"}}", 0 },
		/* seconds: 1678233602 s = ...602000 ms */
		{ "{\"metric\":\"m\",\"timestamp\":1678233602,\"value\":9,"
		  "\"tags\":{\"a\":\"1\"}}", 1 },
	};
	struct dedup_count d;
	struct datapoint dp;
	struct error err;
	size_t i;
	int off;

	datapoint_init(&dp);
	dedup_count_init(&d, 1000);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ok(datapoint_decode(&dp, rows[i].line, strlen(rows[i].line),
		    &err) == 0 && dedup_count_add(&d, &dp) == rows[i].merged,
		    "row %zu: %s", i, rows[i].merged ? "merged" : "kept");
	}
	dedup_count_free(&d);
	/* many series: the table grows and still knows each */
	dedup_count_init(&d, 60000);
	for (off = 0, i = 0; i < 5000; i++) {
		char line[160];

		snprintf(line, sizeof(line), "{\"metric\":\"m\",\"timestamp\":"
		    "1678233600000,\"value\":1,\"tags\":{\"s\":\"%zu\"}}", i);
		datapoint_decode(&dp, line, strlen(line), &err);
		off += dedup_count_add(&d, &dp);
		snprintf(line, sizeof(line), "{\"metric\":\"m\",\"timestamp\":"
		    "1678233599000,\"value\":1,\"tags\":{\"s\":\"%zu\"}}", i);
		datapoint_decode(&dp, line, strlen(line), &err);
		off += !dedup_count_add(&d, &dp);
	}
	ok(off == 0, "5,000 series: each one's second point merged (%d off)",
	    off);
	dedup_count_free(&d);
	/* 1 ms or none: nothing merges */
	dedup_count_init(&d, 1);
	datapoint_decode(&dp, rows[0].line, strlen(rows[0].line), &err);
	ok(dedup_count_add(&d, &dp) == 0 && dedup_count_add(&d, &dp) == 0,
	    "1 ms: the same point twice is not counted merged");
	dedup_count_free(&d);
	datapoint_free(&dp);
	return done();
}
