/* otsdb-dump.c - main of otsdb-dump: every raw datapoint of a time range
 * options -> metrics (discover.c) -> the dump engine (dumprun.c) into
 * stdout, --output or --dump-dir (output.c) -> summary and exit status. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "discover.h"
#include "dumpopts.h"
#include "dumpsession.h"
#include "error.h"
#include "exitcode.h"
#include "frames.h"
#include "http.h"
#include "log.h"
#include "otsdb.h"
#include "progress.h"
#include "strvec.h"
#include "timeparse.h"
#include "url.h"



/* Prints the selected names, one a line. */
static void
list_metrics(const struct strvec *names, int *broken_pipe)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (printf("%s\n", names->v[i]) < 0) {
			*broken_pipe = errno == EPIPE;
			break;
		}
}

/* After the verb: stdout flushed, the error, the summary and how to
 * resume, what --follow reached; the exit status. */
static int
epilogue(struct dump_session *s, const char *prog, int found)
{
	int status;

	if (!s->broken_pipe && fflush(stdout) != 0) {
		if (errno == EPIPE)
			s->broken_pipe = 1;
		else
			fatal_set(&s->f, "stdout: write error: %s",
			    strerror(errno));
	}
	if (s->f.set && !s->broken_pipe && s->f.err.msg[0] != '\0')
		log_error("%s", s->f.err.msg);
	if (!s->o->list_metrics && !s->o->plan && !s->broken_pipe &&
	    found != -2) {
		summary_dump(&s->c, s->f.set || cli_stop_signal, s->f.set,
		    &s->pr);
		if ((s->f.set || cli_stop_signal) && s->o->follow_ms < 0)
			log_warn("to resume: run the same command again; %s",
			    s->o->dump_dir ? "each metric goes on after the "
			    "last frame it completed" : "it dumps from "
			    "TIME_START again (with --dump-dir DIR a rerun goes "
			    "on where it stopped)");
	}
	if (s->followed >= 0 && !s->broken_pipe) {
		char when[64];

		timeparse_format(s->followed, when, sizeof(when));
		if (s->o->dump_dir)
			log_error("followed: the dump directory is complete "
			    "before %lld (%s)", (long long)s->followed, when);
		else
			log_error("followed: written to stdout before %lld "
			    "(%s): every point before it left this tool, "
			    "which says nothing of what a reader stored; "
			    "otsdb-restore reading the stream says what the "
			    "target holds (\"stored everything before\"): "
			    "resume from that instant",
			    (long long)s->followed, when);
	}
	/* --follow ends normally on a signal, whatever it interrupted */
	status = cli_run_status(s->broken_pipe, s->f.set &&
	    (s->o->follow_ms < 0 || !cli_stop_signal), s->o->follow_ms < 0 ?
	    cli_stop_signal : 0, s->c.bad_values > 0);
	if (found == -2 && !cli_stop_signal)
		status = EXIT_NO_METRIC;
	if (!s->broken_pipe)
		status = exit_status(status, cli_close_stdout(prog, s->f.set));
	return status;
}

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	struct dump_opts o;
	struct discover_config dc;
	struct dump_session s;
	char *base, *shown;
	int status, found;

	dumpopts_parse(argc, argv, prog, &o);
	/* in dump | restore on one terminal, the restore's line shows */
	o.c.progress_yields_to_pipe = 1;
	o.c.finish_writes = 1;
	if (cli_start(prog, &o.c) < 0)
		return EXIT_FATAL;
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.followed = -1;
	s.c.start_ms = clock_mono_ms();
	s.base = base = url_base(o.endpoint);
	s.shown = shown = url_mask(base);
	s.http = cli_http_new("otsdb-dump/" PACKAGE_VERSION, &o.c,
	    (size_t)o.max_response, otsdb_query_retryable, shown);
	if (s.http == NULL)
		return EXIT_FATAL;
	progress_start(&s.pr, o.c.stats_file, s.http,
	    o.c.max_rate > 0 || o.c.limit_rate > 0);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	memset(&dc, 0, sizeof(dc));
	dc.base = base;
	dc.shown = shown;
	dc.prefix = o.prefix;
	dc.metrics = o.metrics;
	dc.nmetrics = o.nmetrics;
	dc.metrics_file = o.metrics_file;
	dc.shard = o.shard;
	dc.nshards = o.nshards;
	dc.notes = &dump_notes;
	/* a selection by prefix that is empty ends the run, but for a
	 * cut-over, which waits for its metrics to appear */
	dc.require = o.follow_ms < 0 || o.nmetrics > 0 || o.metrics_file;
	s.dc = &dc;
	strvec_init(&s.names);
	found = discover_metrics(&dc, s.http, &s.names, &s.c.requests,
	    &s.c.retries, &s.f);
	dc.require = 0; /* --follow's later rounds */
	if (found == 0 && o.follow_ms >= 0 && s.names.n == 0)
		log_warn("--follow: no metric %s%s%s yet: waiting for one to "
		    "appear (looked for every %lld s; SIGTERM or SIGINT ends "
		    "the wait)", o.prefix && *o.prefix ? "starting with '" :
		    "at all", o.prefix && *o.prefix ? o.prefix : "",
		    o.prefix && *o.prefix ? "'" : "", (long long)
		    frames_rediscover_ms(dump_follow_frame_ms(&o)) / 1000);
	/* the verb, chosen once (dumpopts.c refused a second) */
	if (found == 0) {
		if (o.list_metrics)
			list_metrics(&s.names, &s.broken_pipe);
		else if (o.plan)
			dump_session_plan(&s);
		else if (o.follow_ms >= 0)
			dump_session_follow(&s);
		else
			dump_session_dump(&s, &o, &s.names, NULL);
	}
	status = epilogue(&s, prog, found);
	stats_dump(&s.pr.stats, &s.c, 1, status);
	http_free(s.http);
	strvec_free(&s.names);
	free(o.metrics);
	free(base);
	free(shown);
	cli_finish();
	return status;
}
