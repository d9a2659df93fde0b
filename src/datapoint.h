/* datapoint.h - one otsdb NDJSON datapoint: decode, validate, encode */
#ifndef OTSDB_DATAPOINT_H
#define OTSDB_DATAPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

struct error;

/* The largest timestamp in milliseconds: 13 digits, as OpenTSDB takes. */
#define DATAPOINT_MAX_MS 9999999999999LL
/* Timestamps up to this are read as seconds, by OpenTSDB and by us. */
#define DATAPOINT_MAX_SECONDS 4294967295LL

struct dp_tag {
	const char *key; /* UTF-8, not NUL-terminated: use the lengths */
	size_t key_len;
	const char *val;
	size_t val_len;
};

/* A datapoint as otsdb-ndjson(5) defines it.  All strings point into
 * `store` and stay valid until the next decode or datapoint_free.  The
 * value is the JSON number text exactly as read (never through double). */
struct datapoint {
	const char *metric;
	size_t metric_len;
	int64_t timestamp_ms;
	const char *value;
	size_t value_len;
	struct dp_tag *tags; /* sorted bytewise by key, keys unique */
	size_t ntags;
	size_t tags_cap;
	struct buf store;
	struct json json;
	/* set by datapoint_decode: the line was the canonical encoding
	 * itself (datapoint_encode would write the same bytes) */
	int canonical;
};

void datapoint_init(struct datapoint *dp);
void datapoint_free(struct datapoint *dp);

/* Decodes one line (without its line end) into dp.  Returns 0, or -1 with
 * a message such as "value is not a number".  Accepts keys in any order,
 * whitespace, unknown keys (ignored), timestamps in seconds (values up to
 * 4294967295) or milliseconds (up to 13 digits), as a JSON integer or a
 * string of digits, and the value as a JSON number or a string holding
 * one. */
int datapoint_decode(struct datapoint *dp, const char *line, size_t len,
    struct error *err);
/* The same without the fast way for canonical lines: every line through
 * the JSON tokenizer (for tests that compare the two). */
int datapoint_decode_json(struct datapoint *dp, const char *line,
    size_t len, struct error *err);

/* Checks value text: a JSON number, finite as a double, and within int64
 * when it has neither fraction nor exponent.  Returns 0 or -1. */
int datapoint_check_value(const char *s, size_t n, struct error *err);
/* The same for text known to be a JSON number (a number token). */
int datapoint_check_number(const char *s, size_t n, struct error *err);

/* Whether a and b hold the same metric, time, value text and tags (in
 * the same order). */
int datapoint_equal(const struct datapoint *a, const struct datapoint *b);

/* Sorts dp->tags bytewise by key.  Returns -1 (and sets err) when a key
 * repeats.  For callers that fill a datapoint themselves. */
int datapoint_sort_tags(struct datapoint *dp, struct error *err);

/* Appends the canonical encoding of dp (no line end) to out:
 * {"metric":M,"timestamp":MS,"value":V,"tags":{...}} with no spaces and
 * tags sorted bytewise by key.  MS is in milliseconds, except a time up
 * to 4294967295 ms (before 1970-02-19), which every reader would take as
 * seconds: it is written in seconds, and must be a whole second. */
void datapoint_encode(const struct datapoint *dp, struct buf *out);
/* Why a time in ms cannot be written (not positive, more than 13
 * digits, or before 1970-02-19 with a millisecond part), or NULL when it
 * can. */
const char *datapoint_timestamp_problem(int64_t ms);
/* Fills dp->tags (and ntags) from the JSON object at token tt of j (no
 * tag when tt < 0 or it is not an object), in the object's order: keys
 * and values unescaped and appended to strs, which they point into until
 * it next grows.  Returns how many values were not strings (those have
 * an empty text). */
size_t datapoint_json_tags(struct datapoint *dp, const struct json *j,
    int tt, struct buf *strs);

/* The canonical encoding in pieces, for writers of many points of one
 * series: the head {"metric":M,"timestamp": and the tail ,"tags":{...}}
 * are encoded once, and each point is head, time, ,"value":V, tail.
 * datapoint_encode is the same thing in one call. */
void datapoint_encode_head(const struct datapoint *dp, struct buf *out);
void datapoint_encode_tail(const struct datapoint *dp, struct buf *out);
/* The tags as JSON object members, "k":"v",... (after a comma when
 * lead), in dp's order. */
void datapoint_encode_tags(const struct datapoint *dp, struct buf *out,
    int lead);
/* ts_text (or NULL), the decimal digits of timestamp_ms, is copied as
 * it is when the time is written in milliseconds. */
void datapoint_encode_point(struct buf *out, const char *head,
    size_t head_len, int64_t timestamp_ms, const char *ts_text,
    size_t ts_len, const char *value, size_t value_len, const char *tail,
    size_t tail_len);

/* A mark line of the stream (otsdb-ndjson(5)): every point before ms
 * is in the lines above it.  otsdb-dump --follow writes one after each
 * round; readers that do not know it may drop every line that starts
 * with DATAPOINT_MARK_PREFIX. */
#define DATAPOINT_MARK_PREFIX "{\"complete_before\":"
/* Writes the mark of ms (with its newline) into out: its length. */
int datapoint_mark_format(char *out, size_t n, int64_t ms);
/* Whether line (without its newline) is a mark: 1 with *ms, else 0. */
int datapoint_mark_parse(const char *line, size_t len, int64_t *ms);

#endif
