/* dumpopts.h - otsdb-dump's options: what the command line asks for */
#ifndef OTSDB_DUMPOPTS_H
#define OTSDB_DUMPOPTS_H

#include <stdint.h>
#include <stddef.h>

#include "cli.h"

struct dump_opts {
	const char *endpoint;
	int64_t start_ms;
	int64_t stop_ms;
	int64_t frame_ms;       /* --query-frame-size, 0: auto */
	const char *prefix;
	char **metrics;         /* --metric names */
	size_t nmetrics;
	const char *metrics_file;
	const char *output;
	int to_stdout;            /* -o -: standard output, said so */
	const char *dump_dir;
	int remove_metadata;
	struct cli_common c;     /* shared HTTP and output options */
	int list_metrics;
	int plan;               /* --plan */
	uint64_t plan_sample;   /* --plan-sample: metrics sampled */
	long follow_ms;         /* --follow LAG, -1: off */
	unsigned shard;         /* --shard I/N: this is shard I of N */
	unsigned nshards;       /* 0 = no sharding */
	int seed_defaults;      /* invoked as kilda-otsdb-dump */
	uint64_t max_response;  /* --max-response-size */
	uint64_t max_series;    /* --max-series-per-query, 0 = no limit */
};

/* Parses and validates the command line into o (argv's passwords are
 * blanked); --help and --version print and exit, a usage error exits
 * with EXIT_USAGE. */
void dumpopts_parse(int argc, char **argv, const char *prog,
    struct dump_opts *o);

#endif
