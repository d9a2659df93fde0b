/* test-checkrun.c - otsdb-restore --check's engine run without a server:
 * check_run over the scripted transport (http.h's http_script) against
 * an OpenTSDB 2.4, each row what the target answers and the verdicts:
 * found, missing, different, and a target that fails */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "checkreport.h"
#include "http.h"
#include "input.h"
#include "scripted.h"
#include "tap.h"
#include "target.h"

#define T0 "1678233600"

#define INPUT \
	"{\"metric\":\"m\",\"timestamp\":" T0 "000,\"value\":1,\"tags\":{\"a\":\"0\"}}\n" \
	"{\"metric\":\"m\",\"timestamp\":" T0 "000,\"value\":2,\"tags\":{\"a\":\"2\"}}\n" \
	"{\"metric\":\"m\",\"timestamp\":" T0 "001,\"value\":3,\"tags\":{\"a\":\"2\"}}\n"
#define SERIES_0(v) "{\"metric\":\"m\",\"tags\":{\"a\":\"0\"}," \
	"\"aggregateTags\":[],\"dps\":{\"" T0 "000\":" v "}}"
#define SERIES_2(v, w) "{\"metric\":\"m\",\"tags\":{\"a\":\"2\"}," \
	"\"aggregateTags\":[],\"dps\":{\"" T0 "000\":" v ",\"" T0 "001\":" w "}}"

int
main(void)
{
	static struct {
		const char *name;
		struct http_script_row rows[2];
		size_t nrows;
		int rc;
		unsigned long long found, missing, different, retries;
	} cases[] = {
		{ "every point found",
		  { { "/api/query", 200, "[" SERIES_0("1") "," SERIES_2("2", "3")
		      "]", 0, 0 } }, 1, 0, 3, 0, 0, 0 },
		{ "a series the target lacks: its points missing",
		  { { "/api/query", 200, "[" SERIES_0("1") "]", 0, 0 } }, 1, 0,
		  1, 2, 0, 0 },
		{ "a value changed: different, the others found",
		  { { "/api/query", 200, "[" SERIES_0("1") "," SERIES_2("2",
		      "3.5") "]", 0, 0 } }, 1, 0, 2, 0, 1, 0 },
		{ "a 503, then the answer: retried, every point found",
		  { { "/api/query", 503, "busy", 1, 0 }, { "/api/query", 200,
		      "[" SERIES_0("1") "," SERIES_2("2", "3") "]", 0, 0 } }, 2,
		  0, 3, 0, 0, 1 },
		{ "a target that fails every read: fatal, no verdict",
		  { { "/api/query", 500, "broken", 0, 0 } }, 1, -1, 0, 0, 0,
		  3 },
	};
	char path[] = "/tmp/test-checkrun.XXXXXX";
	int fd = mkstemp(path);
	size_t i;

	if (fd < 0 || write(fd, INPUT, strlen(INPUT)) !=
	    (ssize_t)strlen(INPUT)) {
		ok(0, "a temporary input");
		return done();
	}
	close(fd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_script sc;
		struct http *h = scripted(&sc, cases[i].rows, cases[i].nrows);
		struct target t;
		struct check_config cfg;
		struct check_events ev;
		struct check_counters c;
		struct check_summary sum;
		struct input_source in = { path, NULL, 0 };
		struct fatal f;
		int rc;

		target_set(&t, TARGET_OPENTSDB, "http://scripted",
		    "http://scripted");
		memset(&cfg, 0, sizeof(cfg));
		memset(&ev, 0, sizeof(ev));
		memset(&c, 0, sizeof(c));
		memset(&f, 0, sizeof(f));
		cfg.target = &t;
		cfg.max_line = 1 << 20;
		checkreport_init(&sum);
		rc = check_run(&cfg, &ev, h, &in, 1, &c, &sum, &f);
		ok(rc == cases[i].rc && c.found == cases[i].found &&
		    c.missing == cases[i].missing &&
		    c.different == cases[i].different &&
		    c.retries == cases[i].retries,
		    "check: %s (rc %d: %llu found, %llu missing, %llu "
		    "different, %llu retries%s%s)", cases[i].name, rc,
		    (unsigned long long)c.found,
		    (unsigned long long)c.missing,
		    (unsigned long long)c.different,
		    (unsigned long long)c.retries, f.set ? ": " : "",
		    f.set ? f.err.msg : "");
		checkreport_free(&sum);
		http_free(h);
	}
	unlink(path);
	return done();
}
