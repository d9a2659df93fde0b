/* test-input.c - unit tests of input.c: inputs listed, opened and
 * resumed, and read as datapoints with every bad line counted, said and
 * written to the reject file */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapoint.h"
#include "dumpdir.h"
#include "error.h"
#include "input.h"
#include "reject.h"
#include "tap.h"

static char dir[] = "/tmp/test-input.XXXXXX";
static char said[4096];

static void
on_note(void *ctx, enum note_level level, const char *msg)
{
	size_t n = strlen(said);

	(void)ctx;
	snprintf(said + n, sizeof(said) - n, "%d %s\n", (int)level, msg);
}

static char *
path(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void
put(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "w");

	fputs(text, f);
	fclose(f);
}

static char *
slurp(const char *name)
{
	static char buf[8192];
	FILE *f = fopen(path(name), "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static void
test_list(void)
{
	struct input_list l;
	struct error err;
	char f0[] = "x.ndjson", f1[] = "-";
	char *files[] = { f0, f1 };

	ok(input_list_init(&l, NULL, NULL, 0, 1, &err) == 0 && l.n == 1 &&
	    strcmp(l.v[0].path, "-") == 0 && l.v[0].rmeta == NULL,
	    "list: no FILE is stdin");
	input_list_free(&l);
	ok(input_list_init(&l, NULL, files, 2, 1, &err) == 0 && l.n == 2 &&
	    strcmp(l.v[1].path, "-") == 0 && l.v[0].rmeta == NULL,
	    "list: the FILEs in order, never resumed");
	input_list_free(&l);
	put("b.ndjson", "");
	put("a.ndjson", "");
	put("c.txt", "");
	ok(input_list_init(&l, dir, NULL, 0, 1, &err) == 0 && l.n == 2 &&
	    strcmp(l.v[0].path, path("a.ndjson")) == 0 &&
	    strcmp(l.v[0].rmeta, path("a.ndjson.rmeta.json")) == 0 &&
	    strcmp(l.v[1].path, path("b.ndjson")) == 0,
	    "list: a dump directory's *.ndjson in name order, resumed");
	input_list_free(&l);
	ok(input_list_init(&l, dir, NULL, 0, 0, &err) == 0 && l.n == 2 &&
	    l.v[0].rmeta == NULL, "list: --check does not resume");
	input_list_free(&l);
	ok(input_list_init(&l, path("none"), NULL, 0, 1, &err) < 0 &&
	    strstr(err.msg, "none") != NULL, "list: a missing directory is "
	    "an error naming it");
	input_list_free(&l);
	unlink(path("a.ndjson"));
	unlink(path("b.ndjson"));
	unlink(path("c.txt"));
}

static void
test_read(void)
{
	struct input in;
	struct input_opts o;
	struct input_source src = { NULL, NULL, 0 };
	struct datapoint dp;
	struct error err;
	struct reject_file *rf;
	uint64_t lines = 0, rejected = 0;
	struct notes notes = { on_note, NULL };
	const char *line;
	size_t len;
	int points = 0;
	char ts[64] = "";

	put("in.ndjson",
	    "{\"metric\":\"m\",\"timestamp\":1700000000000,\"value\":1,"
	    "\"tags\":{\"h\":\"a\"}}\n"
	    "   \n"
	    "{\"metric\":\"m\",\"timestamp\":\n"
	    "1700000001|m|{\"h\": \"b\"}|2\n"
	    "\n"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	    "{\"metric\":\"m\",\"timestamp\":1700000002000,\"value\":3,"
	    "\"tags\":{\"h\":\"a\"}}");
	rf = reject_open(path("rej.ndjson"), &err);
	memset(&o, 0, sizeof(o));
	o.max_line = 100;
	o.reject = rf;
	o.notes = &notes;
	o.lines = &lines;
	o.rejected_lines = &rejected;
	src.path = path("in.ndjson");
	datapoint_init(&dp);
	said[0] = '\0';
	ok(input_open(&in, &src, &o, &err) == 0, "open");
	for (;;) {
		enum input_result r = input_next(&in, &dp, &line, &len, &err);
		size_t n = strlen(ts);

		if (r != INPUT_POINT)
			break;
		points++;
		snprintf(ts + n, sizeof(ts) - n, "%lld@%llu ",
		    (long long)dp.timestamp_ms,
		    (unsigned long long)in.lr.lineno);
	}
	input_close(&in);
	reject_close(rf, &err);
	ok(points == 3, "three points (%d)", points);
	is_str(ts, "1700000000000@1 1700000001000@4 1700000002000@7 ",
	    "each with its time and line: an old row too");
	ok(lines == 7 && rejected == 2, "7 lines, 2 rejected (%llu, %llu)",
	    (unsigned long long)lines, (unsigned long long)rejected);
	ok(strstr(said, "in.ndjson:3: ") != NULL &&
	    strstr(said, "in.ndjson:6: line is longer than 100 bytes "
	    "(--max-line-length)") != NULL, "bad lines said with file and "
	    "line");
	{
		const char *rej = slurp("rej.ndjson");

		ok(strstr(rej, "in.ndjson:3") != NULL &&
		    strstr(rej, "in.ndjson:6") != NULL &&
		    strstr(rej, "in.ndjson:1\"") == NULL,
		    "both in the reject file, nothing else");
	}
	datapoint_free(&dp);
}

static void
test_resume(void)
{
	struct input in;
	struct input_opts o;
	struct input_source src;
	struct datapoint dp;
	struct error err;
	struct notes notes = { on_note, NULL };
	const char *line;
	size_t len;
	static const char one[] = "{\"metric\":\"m\",\"timestamp\":"
	    "1700000000000,\"value\":1,\"tags\":{\"h\":\"a\"}}\n";

	put("r.ndjson", "{\"metric\":\"m\",\"timestamp\":1700000000000,"
	    "\"value\":1,\"tags\":{\"h\":\"a\"}}\n{\"metric\":\"m\","
	    "\"timestamp\":1700000005000,\"value\":2,\"tags\":{\"h\":\"a\"}}\n");
	dumpdir_write_rmeta(path("r.ndjson.rmeta.json"), sizeof(one) - 1);
	memset(&o, 0, sizeof(o));
	o.max_line = 1000;
	o.notes = &notes;
	src.path = path("r.ndjson");
	src.rmeta = path("r.ndjson.rmeta.json");
	datapoint_init(&dp);
	said[0] = '\0';
	ok(input_open(&in, &src, &o, &err) == 0 && in.start == sizeof(one) -
	    1, "resume: open at the offset its metadata gives");
	ok(input_next(&in, &dp, &line, &len, &err) == INPUT_POINT &&
	    dp.timestamp_ms == 1700000005000LL && in.lr.lineno == 2,
	    "resume: the next point is the one after it, line 2");
	ok(input_next(&in, &dp, &line, &len, &err) == INPUT_EOF, "then EOF");
	{
		char want[64];

		snprintf(want, sizeof(want), "resuming after line 1 (byte "
		    "%zu)", sizeof(one) - 1);
		ok(strstr(said, want) != NULL, "resume: said");
	}
	input_close(&in);
	dumpdir_write_rmeta(src.rmeta, 100000);
	ok(input_open(&in, &src, &o, &err) < 0, "resume: an offset past "
	    "the end is an error");
	unlink(src.rmeta);
	put("r.ndjson.rmeta.json", "{broken");
	ok(input_open(&in, &src, &o, &err) < 0 &&
	    strstr(err.msg, "unreadable resume metadata") != NULL,
	    "resume: unreadable metadata is an error naming it");
	datapoint_free(&dp);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	test_list();
	test_read();
	test_resume();
	unlink(path("in.ndjson"));
	unlink(path("rej.ndjson"));
	unlink(path("r.ndjson"));
	unlink(path("r.ndjson.rmeta.json"));
	rmdir(dir);
	return done();
}
