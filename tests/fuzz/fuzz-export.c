/* fuzz-export.c - VictoriaMetrics' export reader (vm.c): it never
 * fails on a well-formed answer's shape, every series it hands over is
 * one a datapoint can hold, and only numbers are called numbers */
#include "config.h"

#include <string.h>

#include "datapoint.h"
#include "error.h"
#include "fuzz.h"
#include "json.h"
#include "vm.h"

static int
on_series(void *ctx, const struct datapoint *dp)
{
	size_t i;

	(void)ctx;
	for (i = 1; i < dp->ntags; i++) {
		size_t a = dp->tags[i - 1].key_len, b = dp->tags[i].key_len;
		int c = memcmp(dp->tags[i - 1].key, dp->tags[i].key,
		    a < b ? a : b);

		/* sorted, keys unique */
		PROPERTY(c < 0 || (c == 0 && a < b));
	}
	for (i = 0; i < dp->ntags; i++)
		PROPERTY(!(dp->tags[i].key_len == 8 &&
		    memcmp(dp->tags[i].key, "__name__", 8) == 0));
	return 0;
}

static void
on_point(void *ctx, int64_t ts, const char *val, size_t len, int number)
{
	(void)ctx;
	(void)ts;
	PROPERTY(!number || json_is_number(val, len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_export x;
	static int ready;
	struct vm_export_walker w = { on_series, on_point, NULL };
	struct error err;

	if (!ready) {
		vm_export_init(&x);
		ready = 1;
	}
	err.msg[0] = '\0';
	if (vm_export_walk(&x, (const char *)data, size, &w, &err) < 0)
		PROPERTY(strncmp(err.msg, "line ", 5) == 0);
	return 0;
}
