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
