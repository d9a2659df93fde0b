/* dumpsession.h - otsdb-dump's main layer: one session (the options, the
 * endpoint, the metrics selected, the counters and the outcome) that its
 * verbs share: the dump (dumpsession.c), --follow (dumpfollow.c) and
 * --plan (dumpplan.c); otsdb-dump.c chooses the verb */
#ifndef OTSDB_DUMPSESSION_H
#define OTSDB_DUMPSESSION_H

#include <stdint.h>

#include "dumpopts.h"
#include "dumprun.h"
#include "error.h"
#include "progress.h"
#include "strvec.h"

struct discover_config;
struct http;

struct dump_session {
	const struct dump_opts *o;
	struct http *http;              /* the endpoint */
	const char *base, *shown;
	const struct discover_config *dc;
	struct strvec names;            /* the metrics selected */
	struct dump_counters c;
	struct fatal f;
	int broken_pipe;                /* the reader of stdout went away */
	struct progress pr;
	int64_t followed;               /* --follow: complete before, or -1 */
};

/* Notes of the engine and of discovery go to the log. */
extern const struct notes dump_notes;

/* The progress line and stats file, rate-limited by progress.c. */
void dump_tick(void *ctx, const struct dump_counters *c);
/* The engine's configuration from the options (no output yet). */
void dump_fill_config(const struct dump_opts *o, const char *base,
    const char *shown, struct dump_config *cfg);
/* Dumps names into the output o names (o: the session's, or a
 * --follow round's); mem: what earlier rounds learnt, or NULL. */
void dump_session_dump(struct dump_session *s, const struct dump_opts *o,
    const struct strvec *names, struct dump_memory *mem);
/* --follow's frames: --query-frame-size, or with auto frames 180 s. */
int64_t dump_follow_frame_ms(const struct dump_opts *o);
/* --follow LAG until stopped; s->followed says how far it got. */
void dump_session_follow(struct dump_session *s);
/* --plan: the table on stdout, the totals and estimate on stderr. */
void dump_session_plan(struct dump_session *s);

#endif
