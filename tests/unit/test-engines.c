/* test-engines.c - the dump and restore engines run without a server:
 * dump_run and restore_run over the scripted transport (http.h's
 * http_script), each row a scenario: what the server answers, what comes
 * out (exact lines, counters, rejects) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumprun.h"
#include "http.h"
#include "input.h"
#include "output.h"
#include "restorerun.h"
#include "scripted.h"
#include "tap.h"

#define T0 "1678233600"         /* 2023-03-08T00:00Z */
#define T1 "1678237200"         /* an hour later */

/* ------------------------------------------------------------ dump */

#define VERSION_ROW { "/api/version", 200, "{\"version\":\"2.4.1\"}", 0, 0 }
#define ANSWER_0 "[{\"metric\":\"m\",\"tags\":{\"h\":\"a\"}," \
	"\"aggregateTags\":[],\"dps\":{\"" T0 "000\":1,\"" T0 "500\":2}}]"
#define ANSWER_1 "[{\"metric\":\"m\",\"tags\":{\"h\":\"a\"}," \
	"\"aggregateTags\":[],\"dps\":{\"" T1 "000\":3.5}}]"
#define LINES \
	"{\"metric\":\"m\",\"timestamp\":" T0 "000,\"value\":1,\"tags\":{\"h\":\"a\"}}\n" \
	"{\"metric\":\"m\",\"timestamp\":" T0 "500,\"value\":2,\"tags\":{\"h\":\"a\"}}\n" \
	"{\"metric\":\"m\",\"timestamp\":" T1 "000,\"value\":3.5,\"tags\":{\"h\":\"a\"}}\n"

static void
test_dump(void)
{
	static struct {
		const char *name;
		struct http_script_row rows[5];
		size_t nrows;
		int rc;
		const char *out;
		unsigned long long frames, retries;
		const char *fatal;      /* a part of the message */
	} cases[] = {
		/* frames planned by the data: an hour, then (small answer)
		 * two, cut at the end of the range */
		{ "two frames, exact lines in order",
		  { VERSION_ROW, { T0, 200, ANSWER_0, 0, 0 },
		    { T1, 200, ANSWER_1, 0, 0 } }, 3, 0, LINES, 2, 0, NULL },
		{ "a 503 is retried, the same lines",
		  { VERSION_ROW, { T0, 503, "busy", 1, 0 },
		    { T0, 200, ANSWER_0, 0, 0 }, { T1, 200, ANSWER_1, 0, 0 } },
		  4, 0, LINES, 2, 1, NULL },
		{ "a dropped connection is retried, the same lines",
		  { VERSION_ROW, { T1, 0, NULL, 2, 0 },
		    { T0, 200, ANSWER_0, 0, 0 }, { T1, 200, ANSWER_1, 0, 0 } },
		  4, 0, LINES, 2, 2, NULL },
		{ "an answer that is not a query answer: fatal, nothing written",
		  { VERSION_ROW, { T0, 200, "{\"x\":1}", 0, 0 } }, 2, -1, "",
		  0, 0, "frame [2023-03-08T00:00:00.000Z" },
		{ "a 500 after every retry: fatal, named",
		  { VERSION_ROW, { T0, 500, "broken", 0, 0 } }, 2, -1, "", 0,
		  3, "HTTP 500" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_script sc;
		struct http *h = scripted(&sc, cases[i].rows, cases[i].nrows);
		struct dump_config cfg;
		struct dump_events ev;
		struct dump_counters c;
		struct fatal f;
		struct error err;
		char m[] = "m", *metrics[] = { m }, *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		struct output *out = output_new(mem, "memory", NULL, 0, NULL,
		    &err);
		int bp = 0, rc;

		memset(&cfg, 0, sizeof(cfg));
		memset(&ev, 0, sizeof(ev));
		memset(&c, 0, sizeof(c));
		memset(&f, 0, sizeof(f));
		cfg.base = cfg.shown = "http://scripted";
		cfg.start_ms = 1678233600000LL;
		cfg.stop_ms = 1678233600000LL + 2 * 3600000;
		cfg.concurrent = 2;
		cfg.max_series = 10000;
		cfg.max_response = (size_t)1 << 20;
		cfg.out = out;
		rc = dump_run(&cfg, &ev, h, metrics, 1, &c, &f, &bp);
		output_free(out, &err);
		fclose(mem);
		ok(rc == cases[i].rc && strcmp(text, cases[i].out) == 0 &&
		    c.frames == cases[i].frames &&
		    c.retries == cases[i].retries &&
		    (cases[i].fatal == NULL ? !f.set : f.set &&
		    strstr(f.err.msg, cases[i].fatal) != NULL),
		    "dump: %s (rc %d, %llu frames, %llu retries%s%s)",
		    cases[i].name, rc, (unsigned long long)c.frames,
		    (unsigned long long)c.retries, f.set ? ": " : "",
		    f.set ? f.err.msg : "");
		if (strcmp(text, cases[i].out) != 0)
			printf("#   got:\n%s#   requests:\n%s", text,
			    scripted_log);
		free(text);
		http_free(h);
	}
}

/* ------------------------------------------------------------ restore */

#define INPUT \
	"{\"metric\":\"m\",\"timestamp\":" T0 "000,\"value\":1,\"tags\":{\"a\":\"0\"}}\n" \
	"{\"metric\":\"m\",\"timestamp\":" T0 "000,\"value\":2,\"tags\":{\"a\":\"2\"}}\n" \
	"not json\n" \
	"{\"metric\":\"m\",\"timestamp\":" T0 "001,\"value\":3,\"tags\":{\"a\":\"3\"}}\n"
#define REFUSED_SECOND "{\"success\":2,\"failed\":1,\"errors\":[{" \
	"\"datapoint\":{\"metric\":\"m\",\"timestamp\":" T0 "000,\"value\":2," \
	"\"tags\":{\"a\":\"2\"}},\"error\":\"Unknown metric\"}]}"

static void
test_restore(void)
{
	static struct {
		const char *name;
		struct http_script_row rows[3];
		size_t nrows;
		int rc;
		unsigned long long stored, rejected_lines, rejected_points;
		unsigned long long retries;
	} cases[] = {
		{ "all stored, the bad line rejected",
		  { { "/api/put", 200, "{\"success\":3,\"failed\":0,"
		      "\"errors\":[]}", 0, 0 } }, 1, 0, 3, 1, 0, 0 },
		{ "one point refused by the server: reported, the rest "
		  "stored", { { "/api/put", 400, REFUSED_SECOND, 0, 0 } }, 1, 0,
		  2, 1, 1, 0 },
		{ "a 503 then stored: retried once",
		  { { "/api/put", 503, "busy", 1, 0 }, { "/api/put", 200,
		      "{\"success\":3,\"failed\":0,\"errors\":[]}", 0, 0 } }, 2,
		  0, 3, 1, 0, 1 },
		{ "a put never answered: nothing counted stored, fatal",
		  { { "/api/put", 0, NULL, 0, 0 } }, 1, -1, 0, 1, 0, 3 },
	};
	size_t i;
	char path[] = "/tmp/test-engines.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, INPUT, strlen(INPUT)) !=
	    (ssize_t)strlen(INPUT)) {
		ok(0, "restore: a temporary input");
		return;
	}
	close(fd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_script sc;
		struct http *h = scripted(&sc, cases[i].rows, cases[i].nrows);
		struct restore_config cfg;
		struct restore_events ev;
		struct restore_counters c;
		struct input_source in = { path, NULL, 0 };
		struct fatal f;
		int rc;

		memset(&cfg, 0, sizeof(cfg));
		memset(&ev, 0, sizeof(ev));
		memset(&c, 0, sizeof(c));
		memset(&f, 0, sizeof(f));
		cfg.url = cfg.shown = "http://scripted/api/put?details";
		cfg.size_limit = 8192;
		cfg.max_line = 1 << 20;
		cfg.concurrent = 2;
		cfg.retries = 3;
		rc = restore_run(&cfg, &ev, h, &in, 1, &c, &f);
		ok(rc == cases[i].rc && c.stored == cases[i].stored &&
		    c.rejected_lines == cases[i].rejected_lines &&
		    c.rejected_points == cases[i].rejected_points &&
		    c.retries == cases[i].retries,
		    "restore: %s (rc %d, %llu stored, %llu bad lines, %llu "
		    "refused, %llu retries%s%s)", cases[i].name, rc,
		    (unsigned long long)c.stored,
		    (unsigned long long)c.rejected_lines,
		    (unsigned long long)c.rejected_points,
		    (unsigned long long)c.retries, f.set ? ": " : "",
		    f.set ? f.err.msg : "");
		http_free(h);
	}
	unlink(path);
}

int
main(void)
{
	test_dump();
	test_restore();
	return done();
}
