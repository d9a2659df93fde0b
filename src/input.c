/* input.c - the inputs of otsdb-restore and --check, read as datapoints
 * with every bad line reported */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "datapoint.h"
#include "dumpdir.h"
#include "error.h"
#include "gzread.h"
#include "input.h"
#include "reject.h"
#include "seedcsv.h"
#include "xalloc.h"

int
input_list_init(struct input_list *l, const char *dump_dir,
    char *const *files, size_t nfiles, int resume, struct error *err)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	strvec_init(&l->paths);
	strvec_init(&l->rmetas);
	if (dump_dir == NULL) {
		if (nfiles == 0)
			strvec_add(&l->paths, "-", 1);
		for (i = 0; i < nfiles; i++)
			strvec_add(&l->paths, files[i], strlen(files[i]));
	} else {
		if (dumpdir_list(dump_dir, &l->paths, err) < 0)
			return -1;
		for (i = 0; i < l->paths.n && resume; i++) {
			char *m = dumpdir_rmeta_path(l->paths.v[i]);

			strvec_add(&l->rmetas, m, strlen(m));
			free(m);
		}
	}
	l->n = l->paths.n;
	l->v = xcalloc(l->n ? l->n : 1, sizeof(*l->v));
	for (i = 0; i < l->n; i++) {
		l->v[i].path = l->paths.v[i];
		l->v[i].rmeta = i < l->rmetas.n ? l->rmetas.v[i] : NULL;
		l->v[i].in_dump_dir = dump_dir != NULL;
	}
	return 0;
}

int
input_list_readable(const struct input_list *l, struct error *err)
{
	size_t i;
	int fd;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].path, "-") == 0)
			continue;
		if ((fd = open(l->v[i].path, O_RDONLY | O_NONBLOCK)) < 0) {
			error_set(err, "%s: %s", l->v[i].path, strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

void
input_list_free(struct input_list *l)
{
	strvec_free(&l->paths);
	strvec_free(&l->rmetas);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
input_opts_init(struct input_opts *o, size_t max_line,
    struct reject_file *reject, const struct notes *notes, uint64_t *lines,
    uint64_t *rejected_lines, volatile sig_atomic_t *stop)
{
	memset(o, 0, sizeof(*o));
	o->max_line = max_line;
	o->reject = reject;
	o->notes = notes;
	o->lines = lines;
	o->rejected_lines = rejected_lines;
	o->stop = stop;
}

static ssize_t
read_gz(void *ctx, int fd, void *buf, size_t n, struct error *err)
{
	return gzread_read(ctx, fd, buf, n, err);
}

int
input_open(struct input *in, const struct input_source *src,
    const struct input_opts *o, struct error *err)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->o = o;
	json_init(&in->rj);
	buf_init(&in->unwrapped);
	if (lineio_open(&in->lr, src->path, o->max_line, err) < 0)
		return -1;
	in->lr.wait = o->wait;
	in->lr.wait_ctx = o->wait_ctx;
	in->lr.stop = o->stop;
	in->gz = gzread_new();
	in->lr.read = read_gz;
	in->lr.read_ctx = in->gz;
	if (src->in_dump_dir && fstat(in->lr.fd, &st) == 0 &&
	    S_ISREG(st.st_mode))
		in->lr.hold_partial = 1;
	if (src->rmeta == NULL)
		return 0;
	if (dumpdir_read_rmeta(src->rmeta, &in->start) < 0) {
		error_set(err, "%s: unreadable resume metadata: %s",
		    src->rmeta, strerror(errno));
		input_close(in);
		return -1;
	}
	if (in->start > 0) {
		if (lineio_skip(&in->lr, in->start, err) < 0) {
			/* written over since (a dump started the file
			 * again): a rerun would meet the same offset */
			if (in->lr.eof)
				error_set(err, "%s: ends at byte %llu, before "
				    "the %llu its resume metadata %s records: "
				    "the file was written over; remove %s to "
				    "send it from its start", src->path,
				    (unsigned long long)in->lr.offset,
				    (unsigned long long)in->start, src->rmeta,
				    src->rmeta);
			input_close(in);
			return -1;
		}
		/* a file done before is counted, not said */
		if (fstat(in->lr.fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size == in->start)
			in->finished_before = 1;
		else
			note(o->notes, NOTE_WARN, "%s: resuming after line "
			    "%llu (byte %llu)", src->path,
			    (unsigned long long)in->lr.lineno,
			    (unsigned long long)in->start);
	}
	return 0;
}

void
input_close(struct input *in)
{
	lineio_close(&in->lr);
	gzread_free(in->gz);
	in->gz = NULL;
	json_free(&in->rj);
	buf_free(&in->unwrapped);
}

/* A line of a reject file (reject.c): its "line", the input line or the
 * point refused, is read instead, so that once the cause is fixed the
 * reject file restores what it holds.  1 when the line is one (*line
 * and *len then point at what it holds), 0 when not, -1 when it is one
 * that cannot be restored (why). */
static int
reject_record(struct input *in, const char **line, size_t *len,
    struct error *why)
{
	static const char prefix[] = "{\"source\":";
	struct error ignored;
	int t, tr;

	if (*len < sizeof(prefix) - 1 ||
	    memcmp(*line, prefix, sizeof(prefix) - 1) != 0 ||
	    json_parse(&in->rj, *line, *len, &ignored) < 0 ||
	    json_type(&in->rj, 0) != JSON_OBJECT ||
	    (t = json_member(&in->rj, 0, "line")) < 0 ||
	    json_type(&in->rj, t) != JSON_STRING ||
	    json_member(&in->rj, 0, "error") < 0)
		return 0;
	if ((tr = json_member(&in->rj, 0, "truncated")) >= 0 &&
	    json_type(&in->rj, tr) == JSON_TRUE) {
		error_set(why, "a reject file's line that was cut off at "
		    "--max-line-length: it cannot be restored");
		return -1;
	}
	buf_reset(&in->unwrapped);
	json_unescape(&in->rj, t, &in->unwrapped);
	*line = in->unwrapped.p ? in->unwrapped.p : "";
	*len = in->unwrapped.len;
	return 1;
}

int
input_decode(struct datapoint *dp, const char *line, size_t len,
    struct error *err)
{
	if (seedcsv_is_row(line, len)) {
		dp->canonical = 0; /* never: the row is not JSON */
		return seedcsv_decode(dp, line, len, err);
	}
	return datapoint_decode(dp, line, len, err);
}

/* A bad line: counted, said, written to the reject file.  -1 when the
 * reject file cannot be written (err). */
static int
bad_line(struct input *in, const char *msg, const char *line, size_t len,
    int truncated, struct error *err)
{
	const struct lineio *lr = &in->lr;

	if (in->o->rejected_lines != NULL)
		(*in->o->rejected_lines)++;
	note(in->o->notes, NOTE_LIMITED, "%s:%llu: %s", lr->name,
	    (unsigned long long)lr->lineno, msg);
	if (in->o->reject != NULL && reject_write(in->o->reject, lr->name,
	    lr->lineno, msg, line, len, truncated, err) < 0)
		return -1;
	return 0;
}

enum input_result
input_next(struct input *in, struct datapoint *dp, const char **line,
    size_t *len, struct error *err)
{
	struct error why;

	for (;;) {
		enum lineio_result lres = lineio_next(&in->lr, line, len, err);

		if (lres == LINEIO_EOF) {
			if (in->lr.held > 0 && !in->said_held++)
				note(in->o->notes, NOTE_WARN, "%s:%llu: the "
				    "last line has no newline yet (%zu bytes, "
				    "the dump may be writing it): left unread, "
				    "a later run reads it once it is complete",
				    in->lr.name,
				    (unsigned long long)in->lr.lineno + 1,
				    in->lr.held);
			return INPUT_EOF;
		}
		if (lres == LINEIO_ERROR)
			return INPUT_ERROR;
		if (in->o->lines != NULL)
			(*in->o->lines)++;
		if (lres == LINEIO_LONG) {
			error_set(&why, "line is longer than %zu bytes "
			    "(--max-line-length)", in->lr.maxlen);
			if (bad_line(in, why.msg, *line, *len, 1, err) < 0)
				return INPUT_ERROR;
			continue;
		}
		if (lineio_blank(*line, *len))
			continue;
		if (datapoint_mark_parse(*line, *len, &in->mark_ms))
			return INPUT_MARK;
		if (reject_record(in, line, len, &why) < 0) {
			if (bad_line(in, why.msg, *line, *len, 1, err) < 0)
				return INPUT_ERROR;
			continue;
		}
		if (input_decode(dp, *line, *len, &why) == 0)
			return INPUT_POINT;
		if (bad_line(in, why.msg, *line, *len, 0, err) < 0)
			return INPUT_ERROR;
	}
}
