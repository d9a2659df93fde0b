/* test-url.c - unit tests of url.c: scheme, base, masked credentials */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url.h"

int
main(void)
{
	static const struct {
		const char *url;
		int http;
		const char *base, *masked;
	} rows[] = {
		{ "http://h:4242", 1, "http://h:4242", "http://h:4242" },
		{ "https://h/x//", 1, "https://h/x", "https://h/x//" },
		{ "http://u:p@h:1/", 1, "http://u:p@h:1",
		  "http://***@h:1/" },
		/* a password holding '@': the last one before the path */
		{ "http://u:p@ss@h/a@b", 1, "http://u:p@ss@h/a@b",
		  "http://***@h/a@b" },
		{ "ftp://h", 0, "ftp://h", "ftp://h" },
		{ "HTTP://h", 0, "HTTP://h", "HTTP://h" },
		{ "h:4242", 0, "h:4242", "h:4242" },
		{ "", 0, "", "" },
		{ "///", 0, "", "///" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *b = url_base(rows[i].url), *m = url_mask(rows[i].url);

		ok(url_is_http(rows[i].url) == rows[i].http &&
		    strcmp(b, rows[i].base) == 0 &&
		    strcmp(m, rows[i].masked) == 0,
		    "'%s': http %d, base '%s', masked '%s'", rows[i].url,
		    url_is_http(rows[i].url), b, m);
		free(b);
		free(m);
	}
	return done();
}
