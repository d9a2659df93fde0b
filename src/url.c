/* url.c - a URL's scheme, its base without trailing slashes, and its
 * credentials masked for messages */
#include "config.h"

#include <string.h>

#include "url.h"
#include "xalloc.h"

int
url_is_http(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

char *
url_base(const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	return xmemdup0(url, n);
}

const char *
url_userinfo_end(const char *url)
{
	const char *p = strstr(url, "://"), *end, *at = NULL;

	if (p == NULL)
		return NULL;
	for (p += 3, end = p + strcspn(p, "/?#"); p < end; p++)
		if (*p == '@')
			at = p;
	return at;
}

char *
url_mask(const char *url)
{
	const char *at = url_userinfo_end(url);
	size_t n;
	char *out;

	if (at == NULL)
		return xstrdup(url);
	n = (size_t)(strstr(url, "://") + 3 - url);
	out = xmalloc(n + 4 + strlen(at) + 1);
	memcpy(out, url, n);
	strcpy(out + n, "***");
	strcat(out, at);
	return out;
}
