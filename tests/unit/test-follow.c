/* test-follow.c - unit tests of --follow's scheduler (follow.c) on a
 * simulated clock: which rounds it runs, over which times, for which
 * metrics, and what it claims when it ends */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "follow.h"
#include "strvec.h"
#include "tap.h"

#define START 1700000000000LL  /* a whole hour: 2023-11-14T22:13:20Z */
#define FRAME 60000
#define LAG 5000

/* A simulated world: the clock moves only when the scheduler waits. */
struct world {
	int64_t wall, mono;
	int64_t end_wall;       /* stop once the clock reaches it */
	char log[4096];         /* the dumps asked for, in order */
	int fail_dump_at;       /* the n-th dump stops the run (0: never) */
	int dumps;
	const char *appear;     /* a metric that appears at appear_wall */
	int64_t appear_wall;
	int discoveries;
};

static int64_t
w_wall(void *ctx)
{
	return ((struct world *)ctx)->wall;
}

static int64_t
w_mono(void *ctx)
{
	return ((struct world *)ctx)->mono;
}

static void
w_wait(void *ctx, int64_t ms)
{
	struct world *w = ctx;

	w->wall += ms;
	w->mono += ms;
}

static int
w_dump(void *ctx, const struct strvec *names, size_t from, int64_t lo,
    int64_t stop)
{
	struct world *w = ctx;
	size_t i, len = strlen(w->log);

	snprintf(w->log + len, sizeof(w->log) - len, "[%lld,%lld)",
	    (long long)(lo - START) / 1000, (long long)(stop - START) / 1000);
	for (i = from; i < names->n; i++) {
		len = strlen(w->log);
		snprintf(w->log + len, sizeof(w->log) - len, "%s%s",
		    i == from ? " " : ",", names->v[i]);
	}
	len = strlen(w->log);
	snprintf(w->log + len, sizeof(w->log) - len, ";");
	return ++w->dumps == w->fail_dump_at ? -1 : 0;
}

static int
w_discover(void *ctx, struct strvec *found)
{
	struct world *w = ctx;

	w->discoveries++;
	strvec_add(found, "a", 1);
	strvec_add(found, "b", 1);
	if (w->appear && w->wall >= w->appear_wall)
		strvec_add(found, w->appear, strlen(w->appear));
	return 0;
}

static int
w_stopped(void *ctx)
{
	struct world *w = ctx;

	return w->wall >= w->end_wall;
}

/* A mark in the stream: "|S" (S seconds after START). */
static void
w_mark(void *ctx, int64_t before_ms)
{
	struct world *w = ctx;
	size_t len = strlen(w->log);

	snprintf(w->log + len, sizeof(w->log) - len, "|%lld;",
	    (long long)(before_ms - START) / 1000);
}

static int64_t
run(struct world *w, struct strvec *names)
{
	struct follow_config cfg = { START, FRAME, LAG };
	struct follow_ops ops = { w_wall, w_mono, w_wait, w_dump, w_discover,
	    w_stopped, NULL, w_mark, w };
	int64_t done = -1;

	follow_run(&cfg, &ops, names, &done);
	return done;
}

static void
names_ab(struct strvec *names)
{
	strvec_init(names);
	strvec_add(names, "a", 1);
	strvec_add(names, "b", 1);
}

static void
test_rounds(void)
{
	struct world w;
	struct strvec names;
	int64_t done;

	memset(&w, 0, sizeof(w));
	names_ab(&names);
	/* 2.5 frames after the start: two frames are LAG old */
	w.wall = START + 2 * FRAME + LAG + 30000;
	w.end_wall = START + 4 * FRAME + LAG + 100;
	done = run(&w, &names);
	is_str(w.log, "[0,120) a,b;|120;[120,180) a,b;|180;[180,240) a,b;"
	    "|240;", "rounds: the frames LAG old at once, then each once LAG "
	    "old, each marked complete in the stream once dumped");
	ok(done == START + 4 * FRAME, "rounds: complete before the end of "
	    "the last round (%lld)", (long long)(done - START));
	strvec_free(&names);
}

static void
test_new_metric(void)
{
	struct world w;
	struct strvec names;
	int64_t done;

	memset(&w, 0, sizeof(w));
	names_ab(&names);
	w.wall = START + FRAME + LAG;
	/* rediscovery every 10 frames: 600 s */
	w.appear = "c";
	w.appear_wall = START + 300000;
	w.end_wall = START + 730000 + LAG;
	done = run(&w, &names);
	ok(strstr(w.log, "[600,660) a,b;|660;|0;[0,660) c;|660;[660,720) "
	    "a,b,c;|720;") != NULL, "a metric found later is caught up from "
	    "TIME_START to where the others are, the stream marked complete "
	    "before TIME_START until it is, then it is in every round with "
	    "the others (%s)", w.log);
	ok(names.n == 3 && w.discoveries >= 1, "it joins the names");
	ok(done == START + 720000, "complete before the last round's end");
	strvec_free(&names);
}

static void
test_stop_in_round(void)
{
	struct world w;
	struct strvec names;
	int64_t done;

	memset(&w, 0, sizeof(w));
	names_ab(&names);
	w.wall = START + 3 * FRAME + LAG;
	w.end_wall = START + 100 * FRAME;
	w.fail_dump_at = 2;
	done = run(&w, &names);
	is_str(w.log, "[0,180) a,b;|180;[180,240) a,b;", "a round that stops "
	    "ends the run, unmarked");
	ok(done == START + 3 * FRAME, "the claim stays at the last whole "
	    "round");
	strvec_free(&names);
}

static void
test_stop_in_catch_up(void)
{
	struct world w;
	struct strvec names;
	int64_t done;

	memset(&w, 0, sizeof(w));
	names_ab(&names);
	w.wall = START + FRAME + LAG;
	w.appear = "c";
	w.appear_wall = START + 300000;
	w.end_wall = START + 2000000;
	/* rounds 1 to 11, then the catch-up of c stops */
	w.fail_dump_at = 12;
	done = run(&w, &names);
	ok(strstr(w.log, "|660;|0;[0,660) c;") != NULL && w.dumps == 12 &&
	    strstr(w.log, "c;|") == NULL, "the catch-up of a new metric was "
	    "cut short, after a mark of TIME_START and with none after it");
	ok(done == START, "then nothing is claimed beyond TIME_START: the "
	    "claim holds for the new metric too (%lld)",
	    (long long)(done - START));
	strvec_free(&names);
}

static void
test_nothing_yet(void)
{
	struct world w;
	struct strvec names;
	int64_t done;

	memset(&w, 0, sizeof(w));
	names_ab(&names);
	w.wall = START + LAG - 1;
	w.end_wall = START + FRAME + LAG - 1;
	done = run(&w, &names);
	is_str(w.log, "", "no frame LAG old: no dump");
	ok(done == START, "nothing claimed beyond TIME_START");
	strvec_free(&names);
}

int
main(void)
{
	test_rounds();
	test_new_metric();
	test_stop_in_round();
	test_stop_in_catch_up();
	test_nothing_yet();
	return done();
}
