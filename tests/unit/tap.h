/* tap.h - minimal TAP output for the C unit tests
 * Each check prints "ok N - name" or "not ok N - name"; done() prints the
 * plan and returns the exit status. */
#ifndef OTSDB_TAP_H
#define OTSDB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void
ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Compares n bytes of got with the NUL-terminated want. */
static void __attribute__((unused))
is_mem(const char *got, size_t n, const char *want, const char *name)
{
	int same = strlen(want) == n && memcmp(got, want, n) == 0;

	ok(same, "%s", name);
	if (!same)
		printf("#   got:  '%.*s'\n#   want: '%s'\n", (int)n, got, want);
}

static void __attribute__((unused))
is_str(const char *got, const char *want, const char *name)
{
	is_mem(got, strlen(got), want, name);
}

static int
done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
