/* exitcode.h - exit statuses shared by otsdb-dump and otsdb-restore */
#ifndef OTSDB_EXITCODE_H
#define OTSDB_EXITCODE_H

#include <signal.h>

enum {
	EXIT_OK = 0,      /* everything done */
	EXIT_PARTIAL = 1, /* finished, but some datapoints were rejected */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_FATAL = 3,   /* I/O error, server unreachable, out of memory */
	/* otsdb-dump: no metric selected, or a metric named does not exist */
	EXIT_NO_METRIC = 4,
	/* the reader of the output went away (128 + SIGPIPE, as a program
	 * killed by SIGPIPE reports it): the output is cut short */
	EXIT_BROKEN_PIPE = 128 + SIGPIPE
};

/* The status once stdout is closed with close_status: a closed pipe
 * wins, a write error turns a (partial) success into EXIT_FATAL. */
static inline int
exit_status(int status, int close_status)
{
	if (close_status == EXIT_BROKEN_PIPE)
		return close_status;
	if (close_status != EXIT_OK &&
	    (status == EXIT_OK || status == EXIT_PARTIAL))
		return EXIT_FATAL;
	return status;
}

#endif
