/* error.c - error reports filled by the modules, printed by the mains
 * A NULL report is allowed and ignored, for callers that only want -1. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "error.h"

void
error_set(struct error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
fatal_set(struct fatal *f, const char *fmt, ...)
{
	va_list ap;

	if (f->set)
		return;
	f->set = 1;
	va_start(ap, fmt);
	vsnprintf(f->err.msg, sizeof(f->err.msg), fmt, ap);
	va_end(ap);
}

void
note(const struct notes *n, enum note_level level, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	if (n == NULL || n->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n->fn(n->ctx, level, msg);
}
