/* error.h - error reports filled by the modules, printed by the mains;
 * notes: the messages an engine hands up to its main */
#ifndef OTSDB_ERROR_H
#define OTSDB_ERROR_H

/* A message in lower case without a full stop, e.g. "value is not a
 * number".  Modules below the mains fill it and return -1; the mains add
 * the program name, source and line. */
struct error {
	char msg[1024];
};

void error_set(struct error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A run's fatal error: the first one wins, later ones are dropped. */
struct fatal {
	int set;
	struct error err;
};

void fatal_set(struct fatal *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What an engine tells its main, which decides what to print. */
enum note_level {
	NOTE_ERROR,   /* always shown, not fatal */
	NOTE_LIMITED, /* an error of which only the first are shown */
	NOTE_WARN,    /* shown unless quiet */
	NOTE_VERBOSE  /* shown with -v */
};

struct notes {
	void (*fn)(void *ctx, enum note_level level, const char *msg);
	void *ctx;
};

/* Formats a note and hands it to n->fn (nothing when n or fn is NULL). */
void note(const struct notes *n, enum note_level level, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

#endif
