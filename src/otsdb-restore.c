/* otsdb-restore.c - main of otsdb-restore: otsdb NDJSON into /api/put
 * options -> inputs -> the restore engine (restorerun.c) -> summary and
 * exit status. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "buf.h"
#include "check.h"
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
#include "reject.h"
#include "restoreopts.h"
#include "restorerun.h"
#include "timeparse.h"
#include "target.h"
#include "vm.h"
#include "vmguard.h"
#include "url.h"
#include "vmsettings.h"


static void
on_tick(void *ctx, const struct restore_counters *c)
{
	progress_restore(ctx, c);
}

static void
on_check_tick(void *ctx, const struct check_counters *c)
{
	progress_check(ctx, c);
}

/* What a restore and a check share: the inputs, the reject file, the
 * HTTP engine, progress and the run's fatal error. */
struct session {
	struct input_list inputs;
	struct reject_file *reject;
	struct http *http;
	struct progress pr;
	struct fatal f;
	char *base;             /* the endpoint without trailing / */
	char *shown;            /* what messages name: credentials masked */
	char *write_shown;      /* the write URL, masked */
};

/* Lists the inputs, opens the reject file and the HTTP engine (answers
 * up to max_response, retries by retryable) under the name shown (which
 * the session frees).  0, or -1 after printing why. */
static int
session_open(struct session *s, const struct restore_opts *o, char *shown,
    size_t max_response, int (*retryable)(const struct http_req *r))
{
	struct error err;

	s->shown = shown;
	if (input_list_init(&s->inputs, o->dump_dir, o->files,
	    (size_t)o->nfiles, !o->check, &err) < 0) {
		log_error("%s", err.msg);
		return -1;
	}
	if (o->dump_dir && s->inputs.n == 0)
		log_warn("%s: no *.ndjson files", o->dump_dir);
	if (o->reject_file) {
		s->reject = reject_open(o->reject_file, &err);
		if (s->reject == NULL) {
			log_error("%s", err.msg);
			return -1;
		}
		log_limit_hint(" (see the reject file)");
	}
	s->http = cli_http_new("otsdb-restore/" PACKAGE_VERSION, &o->c,
	    max_response, retryable, s->shown);
	if (s->http == NULL)
		return -1;
	progress_set_http(&s->pr, s->http);
	return 0;
}

/* After the engine: the reject file closed (a failure is fatal), the
 * fatal error printed. */
static void
session_ended(struct session *s)
{
	struct error err;

	if (reject_close(s->reject, &err) < 0)
		fatal_set(&s->f, "%s", err.msg);
	s->reject = NULL;
	if (s->f.set)
		log_error("%s", s->f.err.msg);
}

/* Frees the session and closes stdout: the final status. */
static int
session_close(struct session *s, const char *prog, int status, int reported)
{
	struct error err;

	reject_close(s->reject, &err);
	s->reject = NULL;
	status = exit_status(status, cli_close_stdout(prog, reported));
	http_free(s->http);
	s->http = NULL;
	input_list_free(&s->inputs);
	free(s->base);
	free(s->shown);
	free(s->write_shown);
	s->base = s->shown = s->write_shown = NULL;
	return status;
}

/* --check: the inputs against what the target holds.  The table goes to
 * stdout, or to stderr when the mismatching points do. */
static int
run_check(const struct restore_opts *o, const char *prog,
    struct session *s)
{
	struct check_config cfg;
	struct check_events ev;
	struct check_counters c;
	struct check_summary sum;
	struct target target;
	struct target_limits limits;
	struct atomicfile mfile = { NULL, NULL, NULL };
	struct error err;
	FILE *table = stdout, *mm = NULL;
	int status = EXIT_FATAL, ran = 0;
	int to_stdout = o->mismatches && strcmp(o->mismatches, "-") == 0;

	memset(&c, 0, sizeof(c));
	memset(&cfg, 0, sizeof(cfg));
	c.start_ms = clock_mono_ms();
	progress_start(&s->pr, NULL, NULL, o->c.max_rate > 0 ||
	    o->c.limit_rate > 0);
	checkreport_init(&sum);
	if (session_open(s, o, url_mask(s->base), CHECK_MAX_ANSWER,
	    otsdb_query_retryable) < 0)
		goto out;
	if (to_stdout) {
		mm = stdout;
		table = stderr;
	} else if (o->mismatches) {
		/* written aside, renamed once the check is complete: a check
		 * cut short leaves what the file held */
		if (atomicfile_open(&mfile, o->mismatches) < 0) {
			log_error("%s: %s", o->mismatches, strerror(errno));
			goto out;
		}
		mm = mfile.f;
	}
	if (target_detect(&target, o->target, s->http, s->base, s->shown,
	    &err) < 0) {
		log_error("%s", err.msg);
		goto out;
	}
	log_verbose("checking against %s at %s", target.what, s->shown);
	/* what it drops without an error explains points it lacks */
	if (target_limits(&target, s->http, &limits) == 0)
		cfg.limits = &limits;
	/* everything is checked: resume metadata is for writes */
	cfg.target = &target;
	cfg.reject = s->reject;
	cfg.max_line = (size_t)o->max_line;
	cfg.mismatches = mm;
	cfg.mismatches_name = to_stdout ? "standard output" : o->mismatches;
	cfg.stop = &cli_stop_signal;
	memset(&ev, 0, sizeof(ev));
	ev.notes.fn = log_note_fn;
	ev.tick = on_check_tick;
	ev.ctx = &s->pr;
	check_run(&cfg, &ev, s->http, s->inputs.v, s->inputs.n, &c, &sum,
	    &s->f);
	ran = 1;
	if (mfile.f != NULL && !s->f.set && !cli_stop_signal &&
	    atomicfile_commit(&mfile) < 0)
		fatal_set(&s->f, "%s: %s", o->mismatches, strerror(errno));
	session_ended(s);
	/* a table of a run that did not finish would look like a result */
	if (!s->f.set && !cli_stop_signal) {
		/* the table starts on a line of its own, not on the
		 * progress line of the same terminal */
		log_progress_end();
		checkreport_table(&sum, table);
	}
	summary_check(&c, target.what, s->shown, s->f.set || cli_stop_signal,
	    s->f.set, &s->pr);
	if (c.missing_old > 0)
		log_error("%llu of the missing points are %s: otsdb-restore "
		    "refuses such points without sending them (into its "
		    "reject file, with --reject-file), and VictoriaMetrics "
		    "drops any that reach it; once its -retentionPeriod is "
		    "longer (e.g. 100y), restore them (the reject file, or "
		    "--mismatches FILE here)", (unsigned long long)
		    c.missing_old, limits.why_old);
	if (c.missing_ahead > 0)
		log_error("%llu of the missing points are " VM_AHEAD_TEXT " of "
		    "the time they were stored: VictoriaMetrics drops those",
		    (unsigned long long)c.missing_ahead);
	if (cfg.limits != NULL && limits.merges[0] != '\0' && c.missing > 0)
		log_error("the target merges the points of a series that fall "
		    "in one interval (%s): missing points may have been merged "
		    "into a neighbour, and restoring them again merges them "
		    "again", limits.merges);
	if (c.duplicates > 0) {
		const char *them = c.duplicates == 1 ? "it" : "them";

		log_error("%llu point%s held more than once by the target "
		    "(a resend stored %s again): sums and counts over %s "
		    "are off; VictoriaMetrics keeps every copy unless started "
		    "with -dedup.minScrapeInterval=1ms", (unsigned long long)
		    c.duplicates, c.duplicates == 1 ? " is" : "s are", them,
		    them);
	}
	status = cli_run_status(0, s->f.set, cli_stop_signal,
	    c.missing + c.different + c.duplicates + c.rejected_lines > 0);
out:
	atomicfile_abort(&mfile);
	if (status == EXIT_FATAL && cli_stop_signal)
		status = 128 + cli_stop_signal; /* the stop ended it */
	status = session_close(s, prog, status, s->f.set || !ran);
	checkreport_free(&sum);
	return status;
}

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
	ev.tick = on_tick;
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
