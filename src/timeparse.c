/* timeparse.c - the tools' time formats -> milliseconds since the epoch
 * The seed's three formats are local time (mktime), as the seed; a Z or
 * an offset makes them absolute (timegm). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
timeparse(const char *s, int64_t now_ms, int64_t *out_ms)
{
	size_t n = strlen(s), i;
	struct tm tm, check;
	int y, mo, d, hh = 0, mi = 0, ss = 0, oh, om, sign = 0, utc = 0;
	int frac = 0, scale;
	time_t t;
	const char *rest;

	if (strcmp(s, "now") == 0) {
		*out_ms = now_ms;
		return 0;
	}
	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (n > 0 && i == n) {
		int64_t v = 0;

		if (n > 13)
			return -1;
		for (i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		*out_ms = n <= 10 ? v * 1000 : v;
		return 0;
	}
	if (n < 10 || digits(s, 4, &y) < 0 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0)
		return -1;
	rest = s + 10;
	if (*rest == 'T' || *rest == ' ') {
		/* HH:MM, seconds and milliseconds optional */
		if (strlen(rest) < 6 || digits(rest + 1, 2, &hh) < 0 ||
		    rest[3] != ':' || digits(rest + 4, 2, &mi) < 0)
			return -1;
		rest += 6;
		if (*rest == ':') {
			if (digits(rest + 1, 2, &ss) < 0)
				return -1;
			rest += 3;
			/* .mmm: milliseconds, as the tools print times */
			if (*rest == '.') {
				for (rest++, scale = 100; *rest >= '0' &&
				    *rest <= '9' && scale > 0; rest++,
				    scale /= 10)
					frac += (*rest - '0') * scale;
				if (scale == 100)
					return -1;
			}
		}
	}
	if (*rest == 'Z') {
		utc = 1;
		rest++;
	} else if (*rest == '+' || *rest == '-') {
		/* +HH:MM, +HHMM or +HH, as ISO 8601 and date(1) write them */
		sign = *rest == '+' ? 1 : -1;
		om = 0;
		if (digits(rest + 1, 2, &oh) < 0)
			return -1;
		rest += 3;
		if (*rest == ':' || *rest != '\0') {
			rest += *rest == ':';
			if (digits(rest, 2, &om) < 0)
				return -1;
			rest += 2;
		}
		if (oh > 23 || om > 59)
			return -1;
		utc = 1;
	}
	if (*rest != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    hh > 23 || mi > 59 || ss > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mi;
	tm.tm_sec = ss;
	tm.tm_isdst = -1;
	check = tm;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return -1;
	/* refuse dates that do not exist (2023-02-30) */
	if (tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon)
		return -1;
	if (sign)
		t -= sign * (oh * 3600 + om * 60);
	*out_ms = (int64_t)t * 1000 + frac;
	return 0;
}

void
timeparse_format(int64_t ms, char *out, unsigned n)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)t * 1000));
}
