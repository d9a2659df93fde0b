/* timeparse.h - the tools' time formats -> milliseconds since the epoch */
#ifndef OTSDB_TIMEPARSE_H
#define OTSDB_TIMEPARSE_H

#include <stdint.h>

/* Parses one of: %Y-%m-%d, then optionally T or a space and %H:%M,
 * :%S and .mmm (local time, or UTC with a trailing Z, or an offset
 * +HH:MM, +HHMM or +HH, - for west), "now", epoch seconds (up to 10
 * digits) or epoch milliseconds (11 to 13 digits).  now_ms is the value
 * of "now".  Returns 0 or -1. */
int timeparse(const char *s, int64_t now_ms, int64_t *out_ms);

/* The accepted forms, for a usage error. */
#define TIMEPARSE_FORMS "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.mmm]] (local " \
	"time; a Z or +HH:MM, +HHMM, -HH makes it UTC or an offset), Unix " \
	"seconds, Unix milliseconds, or now"

/* Formats ms as UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (>= 32 bytes). */
void timeparse_format(int64_t ms, char *out, unsigned n);

#endif
