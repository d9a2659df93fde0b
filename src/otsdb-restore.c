/* otsdb-restore.c - main of otsdb-restore: otsdb NDJSON into /api/put
 * options -> inputs -> the restore engine (restorerun.c) -> summary and
 * exit status. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "exitcode.h"
#include "http.h"
#include "input.h"
#include "log.h"
#include "otsdb.h"
#include "progress.h"
#include "put.h"
#include "restoreopts.h"
#include "restorerun.h"
#include "restoresession.h"
#include "timeparse.h"
#include "target.h"
#include "url.h"
#include "vmguard.h"


/* Before the first write: what the target is, and from it the write
 * path (/api/put, or VictoriaMetrics' /api/v1/import) and the size cap
 * unless -s is given (an OpenTSDB's largest request).  *api is the HTTP
 * API whose settings guard the run, or NULL.  0, or -1 with the
 * session's fatal error set. */
static int
preflight(const struct restore_opts *o, struct session *s,
    struct restore_config *cfg, struct buf *url, const char **api)
{
	static const struct notes notes = { log_note_fn, NULL };
	struct target t;
	struct error err;

	*api = o->target_api;
	/* a dry run asks nothing */
	target_set(&t, o->target == TARGET_GUESS ? TARGET_PUT : o->target,
	    s->base, s->shown);
	if (!o->dry_run && target_detect_write(&t, o->target,
	    o->target_api != NULL, s->http, s->base, s->shown, &notes,
	    &err) < 0) {
		fatal_set(&s->f, "%s", err.msg);
		return -1;
	}
	buf_reset(url);
	target_write_url(&t, url, o->sync, o->sync_timeout_ms);
	if (!o->size_given && target_write_size(&t) > 0)
		cfg->size_limit = target_write_size(&t);
	if (target_imports(&t)) {
		if (o->sync) {
			fatal_set(&s->f, "%s is %s: --sync is OpenTSDB's, "
			    "VictoriaMetrics' import has no such answer",
			    s->shown, t.what);
			return -1;
		}
		cfg->import = 1;
		if (t.kind == TARGET_VM && *api == NULL)
			*api = s->base;
		if (t.kind == TARGET_VM_INSERT && *api == NULL &&
		    !o->dry_run)
			log_warn("%s is %s: the settings that drop points "
			    "without an error (retention, deduplication) are "
			    "vmstorage's and cannot be read here; run --check "
			    "against vmselect's .../select/N/prometheus "
			    "afterwards", s->shown, t.what);
	} else if (t.config_read && t.config.max_tags > 0)
		cfg->max_tags = t.config.max_tags;
	/* what VictoriaMetrics changes whatever its settings is refused on
	 * each of its write paths: the import, the listener with its API */
	cfg->vm_labels = cfg->import || *api != NULL;
	cfg->url = url->p;
	free(s->write_shown);
	s->write_shown = url_mask(url->p);
	cfg->shown = s->write_shown;
	if (!o->size_given && !o->dry_run && cfg->import)
		log_verbose("request size cap %zu bytes: 1 MiB into "
		    "VictoriaMetrics' import (-s sets another)",
		    cfg->size_limit);
	else if (!o->size_given && !o->dry_run && t.body_max > 0)
		log_verbose("request size cap %zu bytes: the largest request "
		    "%s takes (-s sets another)", cfg->size_limit, t.what);
	return 0;
}

/* After a stop or a fatal error: how a rerun goes on. */
static void
resume_hint(const struct restore_opts *o)
{
	if (o->dump_dir)
		log_warn("to resume: run the same command again (each file "
		    "goes on after the offset in its FILE.rmeta.json)");
	else
		log_warn("to resume: run the same command again; it sends "
		    "the input from its start (OpenTSDB stores a point sent "
		    "twice once; VictoriaMetrics keeps both unless started "
		    "with -dedup.minScrapeInterval=1ms); --dump-dir resumes "
		    "where a run stopped");
}

/* A stream with marks (otsdb-dump --follow): the instant before which
 * the target holds every point, whatever stopped the pipe. */
static void
say_stored_before(const struct restore_counters *c)
{
	char when[64];

	if (c->marks == 0)
		return;
	if (c->marks_stored == 0) {
		log_error("stored before no mark of the stream: of its %llu "
		    "mark%s, none had every point before it stored; to "
		    "resume, start the dump from its TIME_START again",
		    (unsigned long long)c->marks, PL_S(c->marks));
		return;
	}
	timeparse_format(c->stored_before_ms, when, sizeof(when));
	log_error("stored everything before %lld (%s)%s: every point of the "
	    "stream before its last mark reached is %s; to resume, start "
	    "otsdb-dump --follow from %lld (points after it stored already "
	    "are sent again: OpenTSDB stores them once, VictoriaMetrics twice "
	    "unless started with -dedup.minScrapeInterval=1ms)",
	    (long long)c->stored_before_ms, when, c->stored_before_exact ? "" :
	    " or reported", c->stored_before_exact ? "stored" : "stored or "
	    "in the reject file", (long long)c->stored_before_ms);
}

/* The restore: the inputs into the target's write path. */
static int
run_restore(const struct restore_opts *o, const char *prog,
    struct session *s)
{
	struct restore_config cfg;
	struct restore_events ev;
	struct restore_counters c;
	struct vm_guard guard;
	struct error err;
	struct buf url;
	const char *api = NULL;
	int status = EXIT_FATAL;

	memset(&guard, 0, sizeof(guard));

	memset(&c, 0, sizeof(c));
	c.start_ms = clock_mono_ms();
	progress_start(&s->pr, o->c.stats_file, NULL,
	    o->c.max_rate > 0 || o->c.limit_rate > 0);
	buf_init(&url);
	memset(&cfg, 0, sizeof(cfg));
	if (session_open(s, o, url_mask(s->base),
	    PUT_ANSWER_MAX(o->size_limit), otsdb_put_retryable) < 0)
		goto out;
	cfg.size_limit = (size_t)o->size_limit;
	cfg.max_points = (size_t)o->max_points;
	cfg.max_line = (size_t)o->max_line;
	cfg.concurrent = o->c.concurrent;
	cfg.retries = o->c.retries;
	cfg.sync = o->sync;
	cfg.dry_run = o->dry_run;
	cfg.compress = o->compress;
	cfg.remove_metadata = o->remove_metadata;
	cfg.flush_after_ms = o->flush_after_ms;
	cfg.reject = s->reject;
	cfg.stop = &cli_stop_signal;
	memset(&ev, 0, sizeof(ev));
	ev.notes.fn = log_note_fn;
	ev.tick = restore_tick;
	ev.ctx = &s->pr;
	/* an input that cannot be read fails before the target is asked,
	 * and both before any point is sent */
	if (input_list_readable(&s->inputs, &err) < 0)
		fatal_set(&s->f, "%s", err.msg);
	else if (preflight(o, s, &cfg, &url, &api) == 0 && (o->dry_run ||
	    api == NULL || vm_guard_start(&guard, api, o->target_api != NULL,
	    o->allow_dedup, s->http, &ev.notes, &cfg, &s->f) == 0)) {
		restore_run(&cfg, &ev, s->http, s->inputs.v, s->inputs.n, &c,
		    &s->f);
		if (api != NULL && !o->dry_run && !s->f.set &&
		    !cli_stop_signal)
			vm_guard_end(&guard, s->http, &ev.notes, &c, &s->f,
			    &cli_stop_signal);
	}
	session_ended(s);
	if (o->dump_dir && s->inputs.n > 0 && c.finished_before ==
	    s->inputs.n && !s->f.set && !cli_stop_signal)
		log_warn("nothing to do: every file of %s was restored before "
		    "(its FILE.rmeta.json says so; delete those to restore "
		    "again)", o->dump_dir);
	else if (o->dump_dir && c.finished_before > 0)
		log_verbose("%llu file%s of %s restored before, skipped",
		    (unsigned long long)c.finished_before,
		    PL_S(c.finished_before), o->dump_dir);
	summary_restore(&c, o->dry_run, cfg.size_limit,
	    s->f.set || cli_stop_signal, s->f.set, &s->pr);
	if (c.merged > 0)
		log_warn("%llu point%s of the stream share%s a "
		    "-dedup.minScrapeInterval=%lld ms interval with an earlier "
		    "point of %s series: the target keeps one point of each "
		    "such interval (--allow-dedup), so it holds %llu fewer "
		    "than were stored", (unsigned long long)c.merged,
		    PL_S(c.merged), c.merged == 1 ? "s" : "",
		    (long long)cfg.dedup_ms, c.merged == 1 ? "its" : "their",
		    (unsigned long long)c.merged);
	if (c.resent > 0)
		log_warn("%llu request%s (%llu point%s) sent again after an "
		    "answer was lost: the target may hold those points twice "
		    "(OpenTSDB keeps one, and so does VictoriaMetrics with "
		    "-dedup.minScrapeInterval=1ms; else 'otsdb-restore --check' "
		    "counts them as duplicates)", (unsigned long long)c.resent,
		    PL_S(c.resent), (unsigned long long)c.resent_points,
		    PL_S(c.resent_points));
	if (!o->dry_run)
		say_stored_before(&c);
	if (c.input_broken && !cli_stop_signal)
		log_warn("the input cannot be read past the error above: every "
		    "complete line before it was %s (counted above); a rerun "
		    "meets the same damage: restore the rest from a good copy "
		    "of the file, or dump that time range again", o->dry_run ?
		    "read" : "sent");
	else if ((s->f.set || cli_stop_signal) && !o->dry_run &&
	    c.marks == 0 && c.requests > 0)
		resume_hint(o); /* nothing sent: nothing to resume */
	status = cli_run_status(0, s->f.set, cli_stop_signal,
	    c.rejected_lines + c.rejected_points + c.ignored > 0);
out:
	vm_guard_free(&guard);
	if (status == EXIT_FATAL && cli_stop_signal)
		status = 128 + cli_stop_signal; /* the stop ended it */
	status = session_close(s, prog, status, s->f.set);
	stats_restore(&s->pr.stats, &c, 1, status);
	buf_free(&url);
	return status;
}

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	struct restore_opts o;
	struct session s;
	int status;

	restoreopts_parse(argc, argv, prog, &o);
	if (cli_start(prog, &o.c) < 0)
		return EXIT_FATAL;
	memset(&s, 0, sizeof(s));
	/* a dry run without a URL asks nothing and names none */
	s.base = url_base(o.endpoint ? o.endpoint : "http://dry-run");
	status = o.check ? run_check(&o, prog, &s) :
	    run_restore(&o, prog, &s);
	cli_finish();
	return status;
}
