/* reject.c - the reject file: refused lines and points as NDJSON */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "reject.h"
#include "xalloc.h"

struct reject_file {
	FILE *f;
	char *path;
	struct buf b;
};

struct reject_file *
reject_open(const char *path, struct error *err)
{
	struct reject_file *rf;
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		error_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	rf = xcalloc(1, sizeof(*rf));
	rf->f = f;
	rf->path = xstrdup(path);
	buf_init(&rf->b);
	return rf;
}

int
reject_write(struct reject_file *rf, const char *source, uint64_t lineno,
    const char *reason, const char *line, size_t len, int truncated,
    struct error *err)
{
	struct buf *b = &rf->b;
	char num[32];

	if (lineno)
		snprintf(num, sizeof(num), ":%llu", (unsigned long long)lineno);
	else
		strcpy(num, ":?");
	buf_reset(b);
	buf_puts(b, "{\"source\":");
	{
		struct buf s;

		buf_init(&s);
		buf_puts(&s, source);
		buf_puts(&s, num);
		json_put_bytes(b, s.p, s.len);
		buf_free(&s);
	}
	buf_puts(b, ",\"error\":");
	json_put_bytes(b, reason, strlen(reason));
	buf_puts(b, ",\"line\":");
	json_put_bytes(b, line ? line : "", line ? len : 0);
	if (truncated)
		buf_puts(b, ",\"truncated\":true");
	buf_puts(b, "}\n");
	if (fwrite(b->p, 1, b->len, rf->f) != b->len || fflush(rf->f) != 0) {
		error_set(err, "%s: write error: %s", rf->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
reject_close(struct reject_file *rf, struct error *err)
{
	int rc = 0;

	if (rf == NULL)
		return 0;
	if (fclose(rf->f) != 0) {
		error_set(err, "%s: write error: %s", rf->path,
		    strerror(errno));
		rc = -1;
	}
	free(rf->path);
	buf_free(&rf->b);
	free(rf);
	return rc;
}
