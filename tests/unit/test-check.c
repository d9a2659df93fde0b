/* test-check.c - unit tests of the --check pieces: VictoriaMetrics
 * selectors and export URLs, the OpenTSDB read-back query, the summary
 * table, the mismatches file's lines and strmap */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkreport.h"
#include "datapoint.h"
#include "otsdb.h"
#include "strmap.h"
#include "tap.h"
#include "vm.h"

static void
test_vm(void)
{
	struct dp_tag tags[3] = {
		{ "a.b", 3, "x\"y", 3, },
		{ "3k", 2, "v\\w", 3 },
		{ "\xc3\xa9t", 3, "\n", 1 },
	};
	struct buf b;

	buf_init(&b);
	vm_selector(&b, "m/x", 3, tags, 3);
	is_str(b.p, "{__name__=\"m/x\",a\\.b=\"x\\\"y\",\\3k=\"v\\\\w\","
	    "\\\xc3\xa9t=\"\\x0a\"}", "selector: names escaped by "
	    "backslash, values quoted");
	buf_reset(&b);
	vm_selector(&b, "m", 1, NULL, 0);
	is_str(b.p, "{__name__=\"m\"}", "selector without tags");
	buf_reset(&b);
	vm_export_url(&b, "http://vm", 1700000000005LL, 1700000000123LL);
	vm_export_match(&b, "{a=\"b\"}", 7);
	is_str(b.p, "http://vm/api/v1/export?start=1700000000.005&end="
	    "1700000000.123&match%5B%5D=%7Ba%3D%22b%22%7D",
	    "export URL: seconds with ms, selector escaped");
	buf_free(&b);
}

static void
test_otsdb(void)
{
	struct buf url, body, sub;

	buf_init(&url);
	buf_init(&body);
	buf_init(&sub);
	{
		struct dp_tag tag = { "h", 1, "a", 1 };
		struct datapoint dp;

		memset(&dp, 0, sizeof(dp));
		dp.metric = "m";
		dp.metric_len = 1;
		dp.tags = &tag;
		dp.ntags = 1;
		otsdb_series_subquery(&sub, &dp);
	}
	is_str(sub.p, "{\"aggregator\":\"none\",\"explicitTags\":true,\"metric\":"
	    "\"m\",\"tags\":"
	    "{\"h\":\"a\"}}", "series sub-query");
	otsdb_series_request(&url, &body, "http://t", 1700000000000LL,
	    1700000000000LL, sub.p, sub.len);
	is_str(url.p, "http://t/api/query", "read-back URL");
	is_str(body.p, "{\"start\":1700000000000,\"end\":1700000000001,"
	    "\"msResolution\":true,\"noAnnotations\":true,\"queries\":[{"
	    "\"aggregator\":\"none\",\"explicitTags\":true,\"metric\":\"m\","
	    "\"tags\":{\"h\":\"a\"}}]}",
	    "one instant: the end is one ms later");
	ok(otsdb_query_no_such_name(400, "{\"error\":{\"message\":\"No such "
	    "name for 'tagv': 'x'\"}}", 40), "No such name: nothing stored");
	ok(!otsdb_query_no_such_name(500, "No such name for", 16),
	    "only as a 400");
	buf_free(&url);
	buf_free(&body);
	buf_free(&sub);
}

static void
test_strmap(void)
{
	struct strmap m;
	char key[16];
	size_t i, n, bad = 0;
	int added;

	strmap_init(&m);
	for (i = 0; i < 5000; i++) {
		n = (size_t)snprintf(key, sizeof(key), "k%zu", i);
		if (strmap_add(&m, key, n, &added) != i || !added)
			bad++;
	}
	for (i = 0; i < 5000; i++) {
		n = (size_t)snprintf(key, sizeof(key), "k%zu", i);
		if (strmap_add(&m, key, n, &added) != i || added ||
		    strmap_find(&m, key, n) != i)
			bad++;
	}
	ok(bad == 0 && m.n == 5000, "strmap: 5000 keys numbered in order, "
	    "found again");
	ok(strmap_find(&m, "k5000", 5) == (size_t)-1, "strmap: absent key");
	ok(strmap_add(&m, "a\0b", 3, &added) == 5000 && added &&
	    strmap_find(&m, "a", 1) == (size_t)-1, "strmap: keys hold NULs");
	strmap_reset(&m);
	ok(m.n == 0 && strmap_find(&m, "k1", 2) == (size_t)-1 &&
	    strmap_add(&m, "k1", 2, &added) == 0 && added,
	    "strmap: reset forgets");
	strmap_free(&m);
}

static void
test_summary(void)
{
	struct check_summary s;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	checkreport_init(&s);
	/* check.c fills it; the table is what this test reads */
	s.cap = 4;
	s.m = calloc(4, sizeof(*s.m));
	{
		int added;
		struct check_metric a = { 3, 1, 1, 1, 2 }, b = { 2, 2, 0, 0, 0 };
		struct check_metric c = { 1, 0, 1, 0, 0 };

		s.m[strmap_add(&s.names, "zz", 2, &added)] = a;
		s.m[strmap_add(&s.names, "a.b", 3, &added)] = b;
		s.m[strmap_add(&s.names, "t\tab", 4, &added)] = c;
	}
	checkreport_table(&s, f);
	fclose(f);
	is_str(text, "metric\tpoints\tfound\tmissing\tdifferent\t"
	    "duplicates\n"
	    "a.b\t2\t2\t0\t0\t0\n"
	    "\"t\\tab\"\t1\t0\t1\t0\t0\n"
	    "zz\t3\t1\t1\t1\t2\n", "summary: sorted, a name with a tab "
	    "quoted");
	free(text);
	checkreport_free(&s);
}

static void
test_mismatch(void)
{
	static const char head[] = "{\"metric\":\"m\",\"timestamp\":";
	static const char tail[] = ",\"tags\":{\"h\":\"a\"}}";
	struct buf b;

	buf_init(&b);
	checkreport_mismatch(&b, head, strlen(head), tail, strlen(tail),
	    1700000000000LL, "1.5", 3, NULL, 0, 0, NULL);
	is_str(b.p, "{\"metric\":\"m\",\"timestamp\":1700000000000,"
	    "\"value\":1.5,\"tags\":{\"h\":\"a\"},\"check\":\"missing\"}\n",
	    "mismatch: a missing point");
	buf_reset(&b);
	checkreport_mismatch(&b, head, strlen(head), tail, strlen(tail),
	    1700000000001LL, "2", 1, "3", 1, 1, NULL);
	is_str(b.p, "{\"metric\":\"m\",\"timestamp\":1700000000001,"
	    "\"value\":2,\"tags\":{\"h\":\"a\"},\"check\":\"different\","
	    "\"found\":3}\n", "mismatch: a different point and what was found");
	buf_reset(&b);
	checkreport_mismatch(&b, head, strlen(head), tail, strlen(tail),
	    1700000000000LL, "1.5", 3, NULL, 0, 0, "older than \"x\"");
	is_str(b.p, "{\"metric\":\"m\",\"timestamp\":1700000000000,"
	    "\"value\":1.5,\"tags\":{\"h\":\"a\"},\"check\":\"missing\","
	    "\"reason\":\"older than \\\"x\\\"\"}\n",
	    "mismatch: a missing point the target's settings explain");
	buf_free(&b);
}

int
main(void)
{
	test_vm();
	test_otsdb();
	test_strmap();
	test_summary();
	test_mismatch();
	return done();
}
