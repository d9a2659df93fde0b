/* otsdb-restore.c - main of otsdb-restore
 * Not implemented yet: a placeholder that answers --help and --version. */
#include "config.h"

#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_placeholder_main(argc, argv,
	    "otsdb-restore [OPTIONS] OPENTSDB_ENDPOINT [FILE...]",
	    "Read otsdb NDJSON datapoints and store them with /api/put.");
}
