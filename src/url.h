/* url.h - what the tools do to a URL given on the command line: its
 * scheme checked, trailing slashes cut, credentials masked for messages.
 * Below the engines: any layer may use it. */
#ifndef OTSDB_URL_H
#define OTSDB_URL_H

/* Whether s starts with http:// or https://. */
int url_is_http(const char *s);
/* url without trailing slashes.  Caller frees. */
char *url_base(const char *url);
/* Where the userinfo of url ends: its last '@' before the path (a
 * password may hold '@'), or NULL when there is none. */
const char *url_userinfo_end(const char *url);
/* A copy of url for messages with any user:password@ masked as ***@.
 * Caller frees. */
char *url_mask(const char *url);

#endif
