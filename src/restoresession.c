/* restoresession.c - otsdb-restore's main layer: what a restore and a
 * check share (the inputs, the reject file, the HTTP engine, progress,
 * the fatal error), opened and closed once */
#include "config.h"

#include <stdlib.h>

#include "cli.h"
#include "exitcode.h"
#include "http.h"
#include "log.h"
#include "progress.h"
#include "reject.h"
#include "restoresession.h"

void
restore_tick(void *ctx, const struct restore_counters *c)
{
	progress_restore(ctx, c);
}

void
restore_check_tick(void *ctx, const struct check_counters *c)
{
	progress_check(ctx, c);
}

/* Lists the inputs, opens the reject file and the HTTP engine (answers
 * up to max_response, retries by retryable) under the name shown (which
 * the session frees).  0, or -1 after printing why. */
int
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
void
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
int
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

