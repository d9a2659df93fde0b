/* input.h - what otsdb-restore and --check read: the inputs listed
 * (FILEs, stdin or a --dump-dir), opened and resumed, and read as
 * datapoints, bad lines counted, said and written to the reject file */
#ifndef OTSDB_INPUT_H
#define OTSDB_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "lineio.h"
#include "strvec.h"

struct datapoint;
struct gzread;
struct error;
struct notes;
struct reject_file;

/* One input: a path ("-" = stdin) and, when the run resumes it, the path
 * of its resume metadata (NULL: read it whole). */
struct input_source {
	const char *path;
	const char *rmeta;
	/* a --dump-dir file: when it is a regular file, an unterminated
	 * last line is left for a later run (the dump may be writing it) */
	int in_dump_dir;
};

/* The inputs of a run, in order. */
struct input_list {
	struct strvec paths, rmetas;
	struct input_source *v;
	size_t n;
};

/* Lists DIR's *.ndjson files in name order, each with its resume
 * metadata FILE.rmeta.json when `resume` is set; without a DIR, the
 * FILEs, or stdin when there are none.  0, or -1 with err. */
int input_list_init(struct input_list *l, const char *dump_dir,
    char *const *files, size_t nfiles, int resume, struct error *err);
void input_list_free(struct input_list *l);
/* Whether every input but standard input can be opened for reading:
 * 0, or -1 with err naming the first that cannot, and why. */
int input_list_readable(const struct input_list *l, struct error *err);

/* How inputs are read. */
struct input_opts {
	size_t max_line;              /* longest line (--max-line-length) */
	struct reject_file *reject;   /* bad lines go there too, or NULL */
	const struct notes *notes;    /* bad lines and resumes are said */
	uint64_t *lines;              /* counted: every line read */
	uint64_t *rejected_lines;     /* counted: bad and over-long lines */
	volatile sig_atomic_t *stop;  /* non-zero: a blocked read gives up */
	void (*wait)(void *ctx, int fd); /* see struct lineio */
	void *wait_ctx;
};

/* Fills o: no wait function (set o->wait after, where one is needed). */
void input_opts_init(struct input_opts *o, size_t max_line,
    struct reject_file *reject, const struct notes *notes, uint64_t *lines,
    uint64_t *rejected_lines, volatile sig_atomic_t *stop);

struct input {
	struct lineio lr;
	const struct input_opts *o;
	uint64_t start;               /* the byte it resumed at */
	int said_held;                /* the held last line was said */
	struct gzread *gz;            /* gzip input is read inflated */
	int finished_before;          /* resumed at its end: nothing new */
	int64_t mark_ms;              /* the last INPUT_MARK's instant */
	struct json rj;               /* a reject file's line, parsed */
	struct buf unwrapped;         /* the input line it holds */
};

enum input_result {
	INPUT_POINT,  /* a datapoint, in dp */
	INPUT_MARK,   /* a mark line (otsdb-ndjson(5)): every point before
		       * in->mark_ms is in the lines before it */
	INPUT_EOF,
	INPUT_ERROR   /* the input cannot be read, or the reject file
		       * written; or a stop (err) */
};

/* Opens src and, with its resume metadata, skips what it says is done.
 * 0, or -1 with err. */
int input_open(struct input *in, const struct input_source *src,
    const struct input_opts *o, struct error *err);
/* The next datapoint: an otsdb NDJSON line or a row of the old tool's
 * files.  Blank lines are skipped; bad and over-long lines are counted,
 * said (source:line: why) and written to the reject file.  *line and
 * *len are the point's line, valid until the next call;
 * in->lr.lineno and in->lr.offset where it is.  An unterminated last
 * line of a --dump-dir file is left unread (said once): in->lr.held. */
enum input_result input_next(struct input *in, struct datapoint *dp,
    const char **line, size_t *len, struct error *err);
void input_close(struct input *in);

/* One line as a datapoint (the decoding input_next does): 0, or -1
 * with err when it is neither an otsdb NDJSON line nor an old row. */
int input_decode(struct datapoint *dp, const char *line, size_t len,
    struct error *err);

#endif
