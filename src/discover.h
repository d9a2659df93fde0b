/* discover.h - which metrics a dump reads: --metric, --metrics-file, or
 * every name with a prefix from /api/suggest (narrowing past its caps),
 * then --shard */
#ifndef OTSDB_DISCOVER_H
#define OTSDB_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

struct fatal;
struct http;
struct notes;
struct strvec;

struct discover_config {
	const char *base;          /* endpoint without trailing / */
	const char *shown;         /* the same for messages */
	const char *prefix;        /* discover by prefix ("" = every metric) */
	char *const *metrics;      /* or these names */
	size_t nmetrics;
	const char *metrics_file;  /* and/or these, one a line ("-" stdin) */
	unsigned shard, nshards;   /* keep shard `shard` of nshards (0: all) */
	const struct notes *notes; /* the failing internal step (verbose) */
	/* the first call: nothing selected is an error, and names given
	 * must exist (one suggest call each) */
	int require;
};

/* Adds the selected metric names, sorted and unique, to names.  Runs its
 * requests to completion (before any other work), counting them in
 * *requests and *retries.  0; -1 with f set; with cfg->require, -2 with
 * f set when nothing is selected (no name with the prefix, an empty
 * metrics file) or a name given does not exist.  A --shard that holds
 * none of the names selected is said, and is not an error. */
int discover_metrics(const struct discover_config *cfg, struct http *http,
    struct strvec *names, uint64_t *requests, uint64_t *retries,
    struct fatal *f);

/* The shard of a metric name: FNV-1a (64 bit) modulo n.  Stable across
 * runs, hosts and versions. */
unsigned discover_shard_of(const char *name, unsigned n);

#endif
