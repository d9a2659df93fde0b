/* seedcsv.h - the old kilda-otsdb-dump's rows: timestamp|metric|tags|value */
#ifndef OTSDB_SEEDCSV_H
#define OTSDB_SEEDCSV_H

#include <stddef.h>

struct datapoint;
struct error;

/* Decodes one row the old Python tool wrote with csv.DictWriter and '|'
 * as delimiter (line end already removed): float seconds, the metric, a
 * Python dict literal of tags, and Python's text of the value.  Fields
 * may be quoted with '"' ("" inside stands for one).  Seconds with a
 * fraction become exact milliseconds; the value keeps its text when it
 * is a valid JSON number (nan and inf are refused).  Fills dp like
 * datapoint_decode.  Returns 0, or -1 with a reason. */
int seedcsv_decode(struct datapoint *dp, const char *line, size_t len,
    struct error *err);

/* Whether a line is a row of the old tool's dump files
 * (timestamp|metric|tags|value) rather than a JSON object.  Decided line
 * by line, since a resumed old dump may hold both. */
int seedcsv_is_row(const char *s, size_t n);

#endif
