/* restorecheck.c - otsdb-restore --check: the inputs against what the
 * target holds (check.c), the per-metric table, and what each verdict
 * means said on stderr (main layer) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "check.h"
#include "checkreport.h"
#include "cli.h"
#include "clock.h"
#include "exitcode.h"
#include "http.h"
#include "log.h"
#include "otsdb.h"
#include "progress.h"
#include "restoresession.h"
#include "target.h"
#include "url.h"
#include "vm.h"
#include "vmsettings.h"

/* --check: the inputs against what the target holds.  The table goes to
 * stdout, or to stderr when the mismatching points do. */
int
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
	ev.tick = restore_check_tick;
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

