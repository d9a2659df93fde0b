/* json.h - strict JSON reader on top of jsmn, and a small writer */
#ifndef OTSDB_JSON_H
#define OTSDB_JSON_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct error;
struct json_tok;

enum json_type {
	JSON_NONE = 0, /* not a token (index out of range) */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL
};

/* A parsed document.  Tokens are numbered in document order from 0 (the
 * root).  The text is not copied: it must outlive every use of the
 * document.  The token array is kept between json_parse calls. */
struct json {
	const char *text;
	size_t len;
	struct json_tok *tok;
	int ntok;
	int cap;
};

void json_init(struct json *j);
void json_free(struct json *j);

/* Parses `len` bytes of `text` as exactly one RFC 8259 JSON text (the
 * value with optional surrounding whitespace).  Everything jsmn lets
 * through is refused: bad number grammar, invalid escapes and surrogates,
 * invalid UTF-8, raw control characters, missing or extra commas and
 * colons, trailing bytes, NUL bytes.  Returns 0, or -1 with a message
 * naming the 1-based column. */
int json_parse(struct json *j, const char *text, size_t len,
    struct error *err);

enum json_type json_type(const struct json *j, int t);
/* Number of elements of an array or members of an object; 0 otherwise. */
int json_count(const struct json *j, int t);
/* The token after value t and all it contains (may be j->ntok). */
int json_next(const struct json *j, int t);
/* The value of member `key` of object t, or -1.  Keys are compared after
 * unescaping.  With duplicate keys the first is returned. */
int json_member(const struct json *j, int t, const char *key);
/* Whether string token t, unescaped, equals the n bytes at s. */
int json_streq(const struct json *j, int t, const char *s, size_t n);
/* The raw text of token t: strings without their quotes (still escaped),
 * numbers exactly as written. */
const char *json_raw(const struct json *j, int t, size_t *n);
/* The JSON text of token t as it stands in the document: a string with
 * its quotes, any other value as json_raw gives it. */
const char *json_text(const struct json *j, int t, size_t *n);
/* Appends the unescaped UTF-8 bytes of string token t to out. */
void json_unescape(const struct json *j, int t, struct buf *out);
/* Integer value of number token t; -1 if it has a fraction, an
 * exponent or is outside int64. */
int json_int64(const struct json *j, int t, int64_t *v);

/* Length of the JSON number at the start of s (0 if none). */
size_t json_number_len(const char *s, size_t n);
/* Whether the n bytes at s are exactly one JSON number. */
int json_is_number(const char *s, size_t n);
/* Whether the n bytes at s are valid UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF). */
int json_utf8_valid(const char *s, size_t n);

/* Appends the UTF-8 encoding of code point cp (at most U+10FFFF). */
void json_put_utf8(struct buf *b, unsigned cp);

/* Appends s (n bytes of UTF-8) as a JSON string with quotes: `"` and `\`
 * escaped, control characters as \b \f \n \r \t or \u00XX, the rest
 * verbatim. */
void json_put_string(struct buf *b, const char *s, size_t n);

/* Like json_put_string for bytes that may not be valid UTF-8: each byte
 * of an invalid sequence becomes the character U+00XX (its Latin-1
 * reading), so the output is always valid JSON. */
void json_put_bytes(struct buf *b, const char *s, size_t n);

#endif
