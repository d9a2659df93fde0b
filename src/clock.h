/* clock.h - the tools' one clock: monotonic time for timeouts, backoff and
 * rates, wall time for "now" and the ends of time ranges */
#ifndef OTSDB_CLOCK_H
#define OTSDB_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: for intervals only. */
int64_t clock_mono_ms(void);
/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_wall_ms(void);

#endif
