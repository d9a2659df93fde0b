/* dumpsession.c - otsdb-dump's main layer: what its verbs share (the
 * notes, the progress tick, the engine's configuration) and the dump
 * into stdout, --output or --dump-dir */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dumpsession.h"
#include "log.h"
#include "output.h"
#include "progress.h"

/* Notes of the engine and of discovery go to the log. */
const struct notes dump_notes = { log_note_fn, NULL };

void
dump_tick(void *ctx, const struct dump_counters *c)
{
	progress_dump(ctx, c);
}

void
dump_fill_config(const struct dump_opts *o, const char *base, const char *shown,
    struct dump_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base = base;
	cfg->shown = shown;
	cfg->start_ms = o->start_ms;
	cfg->stop_ms = o->stop_ms;
	cfg->frame_ms = o->frame_ms;
	cfg->concurrent = o->c.concurrent;
	cfg->max_series = (size_t)o->max_series;
	cfg->max_response = (size_t)o->max_response;
	cfg->resumable = o->dump_dir != NULL;
	cfg->stop = &cli_stop_signal;
}

void
dump_session_dump(struct dump_session *s, const struct dump_opts *o,
    const struct strvec *names, struct dump_memory *mem)
{
	struct fatal *f = &s->f;
	struct dump_config cfg;
	struct dump_events ev;
	struct output *out;
	struct error err;
	FILE *stream = stdout;
	enum output_status st;

	if (o->output && (stream = fopen(o->output, "w")) == NULL) {
		fatal_set(f, "%s: %s", o->output, strerror(errno));
		return;
	}
	out = output_new(stream, o->output ? o->output : "stdout",
	    o->dump_dir, o->remove_metadata, &dump_notes, &err);
	if (out == NULL)
		fatal_set(f, "%s", err.msg);
	dump_fill_config(o, s->base, s->shown, &cfg);
	cfg.out = out;
	cfg.memory = mem;
	memset(&ev, 0, sizeof(ev));
	ev.notes = dump_notes;
	ev.tick = dump_tick;
	ev.ctx = &s->pr;
	if (out != NULL)
		dump_run(&cfg, &ev, s->http, names->v, names->n, &s->c, f,
		    &s->broken_pipe);
	st = output_free(out, &err);
	if (st == OUTPUT_BROKEN_PIPE)
		s->broken_pipe = 1;
	else if (st != OUTPUT_OK)
		fatal_set(f, "%s", err.msg);
	if (stream != stdout && fclose(stream) != 0)
		fatal_set(f, "%s: write error: %s", o->output,
		    strerror(errno));
}

