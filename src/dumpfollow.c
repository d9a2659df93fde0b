/* dumpfollow.c - otsdb-dump --follow LAG: follow.c's rounds wired to the
 * dump, discovery, the clock and the marks in the stream (main layer) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "datapoint.h"
#include "discover.h"
#include "dumpsession.h"
#include "follow.h"
#include "frames.h"
#include "log.h"

/* --follow's rounds: --query-frame-size, or with auto frames 180 s. */
int64_t
dump_follow_frame_ms(const struct dump_opts *o)
{
	return o->frame_ms > 0 ? o->frame_ms : FOLLOW_FRAME_MS;
}

/* What --follow's callbacks need. */
struct follower {
	struct dump_session *s;
	struct dump_memory mem;  /* what a round learns, for the next */
};

static int64_t
follow_wall(void *ctx)
{
	(void)ctx;
	return clock_wall_ms();
}

static int64_t
follow_mono(void *ctx)
{
	(void)ctx;
	return clock_mono_ms();
}

static void
follow_wait(void *ctx, int64_t ms)
{
	struct follower *fw = ctx;

	dump_tick(&fw->s->pr, &fw->s->c);
	usleep((useconds_t)ms * 1000);
}

/* Flushes stdout: 0, or -1 with the reader gone (quiet, 141) or a
 * write error said. */
static int
flush_stdout(struct follower *fw)
{
	if (fflush(stdout) == 0)
		return 0;
	if (errno == EPIPE)
		fw->s->broken_pipe = 1;
	else
		fatal_set(&fw->s->f, "stdout: write error: %s", strerror(errno));
	return -1;
}

/* One round: names[from..) over [lo, stop) (a --dump-dir dump starts at
 * TIME_START and resumes each metric where it stopped), then stdout
 * flushed, so the round reaches the reader. */
static int
follow_dump(void *ctx, const struct strvec *names, size_t from, int64_t lo,
    int64_t stop)
{
	struct follower *fw = ctx;
	struct dump_opts r = *fw->s->o;
	struct strvec part;

	if (stop <= lo || from >= names->n)
		return 0;
	/* a view of names[from..), not a copy: dump() only reads it */
	part.v = names->v + from;
	part.n = names->n - from;
	part.cap = 0;
	uint64_t done = fw->s->c.metrics_done;

	/* a catch-up from TIME_START is planned as a dump is; later rounds
	 * take the follow frames */
	if (lo != fw->s->o->start_ms)
		r.frame_ms = dump_follow_frame_ms(fw->s->o);
	r.start_ms = fw->s->o->dump_dir ? fw->s->o->start_ms : lo;
	r.stop_ms = stop;
	dump_session_dump(fw->s, &r, &part, &fw->mem);
	/* the metrics followed, none of them ever complete */
	fw->s->c.metrics = names->n;
	fw->s->c.metrics_done = done;
	if (fw->s->f.set || fw->s->broken_pipe || cli_stop_signal)
		return -1;
	return flush_stdout(fw);
}

static int
follow_discover(void *ctx, struct strvec *found)
{
	struct follower *fw = ctx;

	return discover_metrics(fw->s->dc, fw->s->http, found, &fw->s->c.requests,
	    &fw->s->c.retries, &fw->s->f);
}

static int
follow_stopped(void *ctx)
{
	struct follower *fw = ctx;

	return fw->s->f.set || fw->s->broken_pipe || cli_stop_signal;
}

static void
follow_found(void *ctx, size_t n)
{
	(void)ctx;
	log_verbose("--follow: %zu new metrics", n);
}

/* A mark line in the stream (otsdb-ndjson(5)): every point before
 * before_ms is in the lines above it.  otsdb-restore says which mark it
 * stored everything before; a dump directory keeps its own metadata. */
static void
follow_mark(void *ctx, int64_t before_ms)
{
	struct follower *fw = ctx;
	char line[64];

	if (fw->s->o->dump_dir != NULL || fw->s->broken_pipe)
		return;
	datapoint_mark_format(line, sizeof(line), before_ms);
	if (fputs(line, stdout) == EOF) {
		if (errno == EPIPE)
			fw->s->broken_pipe = 1;
		else
			fatal_set(&fw->s->f, "stdout: write error: %s",
			    strerror(errno));
		return;
	}
	flush_stdout(fw);
}

/* --follow LAG (follow.c) wired to the dump, discovery and the clock. */
void
dump_session_follow(struct dump_session *s)
{
	const struct dump_opts *o = s->o;
	struct follower fw = { s, { 0 } };
	struct follow_config cfg = { o->start_ms, dump_follow_frame_ms(o),
	    o->follow_ms };
	struct follow_ops ops = { follow_wall, follow_mono, follow_wait,
	    follow_dump, follow_discover, follow_stopped, follow_found,
	    follow_mark, &fw };

	/* series lists are asked again as often as metrics are looked for */
	dump_memory_init(&fw.mem, frames_rediscover_ms(cfg.frame_ms));
	follow_run(&cfg, &ops, &s->names, &s->followed);
	dump_memory_free(&fw.mem);
}
