/* log.h - the only writer to stderr: "PROG: " prefix, -q/-v levels, and a
 * progress line that messages clear before they print */
#ifndef OTSDB_LOG_H
#define OTSDB_LOG_H

#include "error.h"

enum log_level {
	LOG_QUIET = 0,   /* errors only */
	LOG_NORMAL = 1,  /* + warnings, summary */
	LOG_VERBOSE = 2  /* + per-request detail */
};

void log_init(const char *prog, enum log_level level, int progress);
enum log_level log_level(void);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints an engine's note by its level.  Of the NOTE_LIMITED ones only
 * the first LOG_LIMIT are shown (all with -v), then one line says that
 * further ones are not, followed by the hint set with log_limit_hint. */
void log_note(enum note_level level, const char *msg);
#define LOG_LIMIT 100
void log_limit_hint(const char *hint);
/* The error notes (NOTE_ERROR, NOTE_LIMITED) so far, shown or not. */
unsigned long log_errors(void);
/* log_note as a notes callback (ctx unused). */
void log_note_fn(void *ctx, enum note_level level, const char *msg);
/* Replaces the progress line (when progress is on). */
void log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends the progress line so later output starts on a fresh line. */
void log_progress_end(void);
/* The plural endings for a count n: "request%s", "quer%s". */
#define PL_S(n) ((n) == 1 ? "" : "s")
#define PL_IES(n) ((n) == 1 ? "y" : "ies")

#endif
