/* otsdb-dump.c - main of otsdb-dump
 * Not implemented yet: a placeholder that answers --help and --version. */
#include "config.h"

#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_placeholder_main(argc, argv,
	    "otsdb-dump [OPTIONS] OPENTSDB_ENDPOINT TIME_START",
	    "Write every raw datapoint of a time range to stdout as otsdb NDJSON.");
}
