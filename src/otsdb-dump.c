/* otsdb-dump.c - main of otsdb-dump
 * Not implemented yet: only --help and --version work; anything else is
 * refused with exit status 2 so that no script mistakes it for success. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "exitcode.h"

static const struct cli_help_row help_rows[] = {
	{ 'h', "help", NULL, "print this help and exit" },
	{ 'V', "version", NULL, "print the version and exit" },
	{ 0, NULL, NULL, NULL }
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	const char *prog = cli_progname(argv[0]);
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_help(stdout, "otsdb-dump [OPTIONS] OPENTSDB_ENDPOINT TIME_START",
			    "Write every raw datapoint of a time range to stdout as otsdb NDJSON.\n"
			    "\n"
			    "This version is a placeholder: it does not move any data yet.",
			    help_rows);
			return cli_close_stdout(prog);
		case 'V':
			cli_version(prog);
			return cli_close_stdout(prog);
		default:
			break;
		}
	}
	fprintf(stderr, "%s: not implemented yet: this version only "
	    "supports --help and --version\n", prog);
	return EXIT_USAGE;
}
