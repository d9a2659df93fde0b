/* restoreopts.h - otsdb-restore's options: what the command line asks for */
#ifndef OTSDB_RESTOREOPTS_H
#define OTSDB_RESTOREOPTS_H

#include <stdint.h>
#include <stddef.h>

#include "cli.h"
#include "target.h"

struct restore_opts {
	const char *endpoint;
	char **files;           /* FILE arguments (or NULL: stdin) */
	int nfiles;
	const char *dump_dir;
	uint64_t size_limit;    /* -s: hard cap on a request body */
	uint64_t max_points;    /* --max-points, 0 = no limit */
	uint64_t max_line;      /* --max-line-length */
	const char *reject_file;
	int dry_run;
	int remove_metadata;
	int sync;               /* --sync */
	int compress;           /* --compress */
	long sync_timeout_ms;   /* --sync-timeout */
	int check;              /* --check: compare, do not write */
	enum target_kind target; /* --target-type */
	const char *target_api; /* --target-api URL */
	int allow_dedup;        /* --allow-dedup */
	const char *mismatches; /* --mismatches FILE */
	int batching;           /* -s or --max-points given */
	int size_given;         /* -s given */
	long flush_after_ms;    /* --flush-after: a first point waited this long: a
				 * partial request is sent (0: never) */
	struct cli_common c;     /* shared HTTP and output options */
};

/* Parses and validates the command line into o (argv's passwords are
 * blanked); --help and --version print and exit, a usage error exits
 * with EXIT_USAGE. */
void restoreopts_parse(int argc, char **argv, const char *prog,
    struct restore_opts *o);

#endif
