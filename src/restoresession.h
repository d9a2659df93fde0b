/* restoresession.h - otsdb-restore's main layer: one session its verbs
 * share (the restore in otsdb-restore.c, --check in restorecheck.c) */
#ifndef OTSDB_RESTORESESSION_H
#define OTSDB_RESTORESESSION_H

#include <stddef.h>

#include "check.h"
#include "error.h"
#include "input.h"
#include "progress.h"
#include "restoreopts.h"
#include "restorerun.h"

struct http;
struct http_req;
struct reject_file;

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

/* The progress line and stats file of each verb. */
void restore_tick(void *ctx, const struct restore_counters *c);
void restore_check_tick(void *ctx, const struct check_counters *c);

/* Lists the inputs, opens the reject file and the HTTP engine (answers
 * up to max_response, retries by retryable) under the name shown (which
 * the session frees).  0, or -1 after printing why. */
int session_open(struct session *s, const struct restore_opts *o,
    char *shown, size_t max_response,
    int (*retryable)(const struct http_req *r));
/* After the engine: the reject file closed (a failure is fatal), the
 * fatal error printed. */
void session_ended(struct session *s);
/* Frees the session and closes stdout: the final status. */
int session_close(struct session *s, const char *prog, int status,
    int reported);

/* --check: the inputs against what the target holds (restorecheck.c).
 * The exit status. */
int run_check(const struct restore_opts *o, const char *prog,
    struct session *s);

#endif
