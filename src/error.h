/* error.h - error reports filled by the modules, printed by the mains */
#ifndef OTSDB_ERROR_H
#define OTSDB_ERROR_H

/* A message in lower case without a full stop, e.g. "value is not a
 * number".  Modules below the mains fill it and return -1; the mains add
 * the program name, source and line. */
struct error {
	char msg[256];
};

void error_set(struct error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
