/* log.c - the only writer to stderr: "PROG: " prefix, -q/-v levels, and a
 * progress line that messages clear before they print */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "otsdb";
static enum log_level log_lvl = LOG_NORMAL;
static int log_progress_on;
static int log_progress_shown;
static int log_tty;
static unsigned long log_limited_count;
static unsigned long log_error_count;
static const char *log_hint = "";

void
log_init(const char *prog, enum log_level level, int progress)
{
	log_prog = prog;
	log_lvl = level;
	log_progress_on = progress;
	log_tty = isatty(STDERR_FILENO);
}

enum log_level
log_level(void)
{
	return log_lvl;
}

static void vlog(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static void
vlog(const char *fmt, va_list ap)
{
	if (log_progress_shown) {
		fputs("\r\033[K", stderr);
		log_progress_shown = 0;
	}
	fprintf(stderr, "%s: ", log_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_progress(const char *fmt, ...)
{
	va_list ap;

	if (!log_progress_on || log_lvl < LOG_NORMAL)
		return;
	/* a terminal gets one line redrawn; a file or pipe one line each */
	if (log_tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: ", log_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (!log_tty)
		fputc('\n', stderr);
	fflush(stderr);
	log_progress_shown = log_tty;
}

void
log_progress_end(void)
{
	if (log_progress_shown) {
		fputc('\n', stderr);
		log_progress_shown = 0;
	}
}

void
log_limit_hint(const char *hint)
{
	log_hint = hint ? hint : "";
}

void
log_note(enum note_level level, const char *msg)
{
	switch (level) {
	case NOTE_ERROR:
		log_error_count++;
		log_error("%s", msg);
		break;
	case NOTE_LIMITED:
		log_error_count++;
		if (log_limited_count < LOG_LIMIT || log_lvl >= LOG_VERBOSE)
			log_error("%s", msg);
		else if (log_limited_count == LOG_LIMIT)
			log_error("further errors are not shown (-v shows "
			    "them)%s", log_hint);
		log_limited_count++;
		break;
	case NOTE_WARN:
		log_warn("%s", msg);
		break;
	case NOTE_VERBOSE:
		log_verbose("%s", msg);
		break;
	}
}

void
log_note_fn(void *ctx, enum note_level level, const char *msg)
{
	(void)ctx;
	log_note(level, msg);
}

unsigned long
log_errors(void)
{
	return log_error_count;
}
