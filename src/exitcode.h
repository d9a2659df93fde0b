/* exitcode.h - exit statuses shared by otsdb-dump and otsdb-restore */
#ifndef OTSDB_EXITCODE_H
#define OTSDB_EXITCODE_H

enum {
	EXIT_OK = 0,      /* everything done */
	EXIT_PARTIAL = 1, /* finished, but some datapoints were rejected */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_FATAL = 3    /* I/O error, server unreachable, out of memory */
};

#endif
