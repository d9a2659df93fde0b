/* output.c - where otsdb-dump's lines go, and the dump's resume
 * A frame is recorded in METRIC.dmeta.json only after its lines are
 * flushed, so a rerun never skips a frame that was not written. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpdir.h"
#include "error.h"
#include "output.h"
#include "xalloc.h"

struct out_metric {
	char *file;  /* DIR/METRIC.ndjson */
	char *meta;  /* DIR/METRIC.dmeta.json */
};

struct output {
	FILE *stream;
	char *name;
	char *dir;
	int remove_metadata;
	const struct notes *notes;
	struct out_metric *m;
	size_t nm, mcap;
	FILE *mfile;          /* the open DIR/METRIC.ndjson */
	size_t open_metric;
};

static enum output_status
write_error(struct error *err, const char *what)
{
	if (errno == EPIPE)
		return OUTPUT_BROKEN_PIPE;
	error_set(err, "%s: write error: %s", what, strerror(errno));
	return OUTPUT_ERROR;
}

struct output *
output_new(FILE *stream, const char *name, const char *dir,
    int remove_metadata, const struct notes *notes, struct error *err)
{
	struct output *o;

	if (dir != NULL && mkdir(dir, 0777) < 0 && errno != EEXIST) {
		error_set(err, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	o = xcalloc(1, sizeof(*o));
	o->stream = stream;
	o->name = xstrdup(name);
	o->dir = dir ? xstrdup(dir) : NULL;
	o->remove_metadata = remove_metadata;
	o->notes = notes;
	return o;
}

static enum output_status
close_metric(struct output *o, struct error *err)
{
	FILE *f = o->mfile;

	o->mfile = NULL;
	if (f != NULL && fclose(f) != 0)
		return write_error(err, o->m[o->open_metric].file);
	return OUTPUT_OK;
}

enum output_status
output_free(struct output *o, struct error *err)
{
	enum output_status st;
	size_t i;

	if (o == NULL)
		return OUTPUT_OK;
	st = close_metric(o, err);
	for (i = 0; i < o->nm; i++) {
		free(o->m[i].file);
		free(o->m[i].meta);
	}
	free(o->m);
	free(o->name);
	free(o->dir);
	free(o);
	return st;
}

/* Empties a metric's data file and drops its metadata. */
static enum output_status
start_over(struct out_metric *m, struct error *err)
{
	if ((truncate(m->file, 0) < 0 && errno != ENOENT) ||
	    (unlink(m->meta) < 0 && errno != ENOENT)) {
		error_set(err, "%s: %s", m->file, strerror(errno));
		return OUTPUT_ERROR;
	}
	return OUTPUT_OK;
}

enum output_status
output_metric(struct output *o, size_t idx, const char *name,
    int64_t start_ms, int64_t *resume_ms, struct error *err)
{
	struct out_metric *m;
	struct dumpdir_meta meta;
	struct stat st;
	int rc;

	*resume_ms = start_ms;
	if (idx >= o->mcap) {
		size_t cap = o->mcap ? o->mcap * 2 : 64;

		while (cap <= idx)
			cap *= 2;
		o->m = xreallocarray(o->m, cap, sizeof(*o->m));
		memset(o->m + o->mcap, 0, (cap - o->mcap) * sizeof(*o->m));
		o->mcap = cap;
	}
	if (idx >= o->nm)
		o->nm = idx + 1;
	if (o->dir == NULL)
		return OUTPUT_OK;
	m = &o->m[idx];
	dumpdir_metric_paths(o->dir, name, &m->file, &m->meta);
	rc = dumpdir_read_meta(m->meta, &meta);
	if (rc < 0) {
		error_set(err, "%s: unreadable resume metadata: %s", m->meta,
		    strerror(errno));
		return OUTPUT_ERROR;
	}
	if (stat(m->file, &st) < 0)
		st.st_size = 0;
	if (rc == 0 && st.st_size > 0) {
		/* lines written, the metadata saying so not (a kill or a
		 * full disk in between): appending would repeat them */
		note(o->notes, NOTE_WARN, "%s: %lld bytes without resume "
		    "metadata: writing the file over", m->file,
		    (long long)st.st_size);
		return start_over(m, err);
	}
	if (rc == 1 && meta.end_ms + 1 > start_ms) {
		if (meta.size >= 0 && st.st_size < meta.size) {
			/* lines the metadata counts are gone (a power loss
			 * before they reached the disk): fetch them again */
			note(o->notes, NOTE_WARN, "%s: %lld bytes, fewer than "
			    "the %lld its resume metadata records: dumping %s "
			    "again from the start", m->file,
			    (long long)st.st_size, (long long)meta.size, name);
			return start_over(m, err);
		}
		*resume_ms = meta.end_ms + 1;
		if (meta.size >= 0 && st.st_size > meta.size &&
		    truncate(m->file, meta.size) < 0) {
			error_set(err, "%s: %s", m->file, strerror(errno));
			return OUTPUT_ERROR;
		}
		note(o->notes, NOTE_VERBOSE, "%s: resuming at %lld ms", name,
		    (long long)*resume_ms);
	}
	return OUTPUT_OK;
}

enum output_status
output_frame(struct output *o, size_t idx, int64_t lo, int64_t hi,
    const char *data, size_t len, struct error *err)
{
	struct out_metric *m = &o->m[idx];
	struct dumpdir_meta meta;
	enum output_status st;
	FILE *f = o->stream;
	const char *name = o->name;
	long size;

	if (o->dir != NULL) {
		if (o->mfile == NULL || o->open_metric != idx) {
			if ((st = close_metric(o, err)) != OUTPUT_OK)
				return st;
			o->mfile = fopen(m->file, "a");
			if (o->mfile == NULL)
				return write_error(err, m->file);
			o->open_metric = idx;
		}
		f = o->mfile;
		name = m->file;
	}
	if (len > 0 && fwrite(data, 1, len, f) != len)
		return write_error(err, name);
	if (o->dir == NULL)
		return OUTPUT_OK;
	/* the lines reach the disk before the metadata that counts them */
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		return write_error(err, name);
	size = ftell(f);
	meta.start_ms = lo;
	meta.end_ms = hi - 1;
	meta.size = size;
	if (dumpdir_write_meta(m->meta, &meta) < 0)
		return write_error(err, m->meta);
	return OUTPUT_OK;
}

enum output_status
output_metric_done(struct output *o, size_t idx, struct error *err)
{
	struct out_metric *m = &o->m[idx];
	enum output_status st = OUTPUT_OK;

	if (o->mfile != NULL && o->open_metric == idx)
		st = close_metric(o, err);
	if (st == OUTPUT_OK && m->meta && o->remove_metadata &&
	    unlink(m->meta) < 0 && errno != ENOENT)
		note(o->notes, NOTE_ERROR, "%s: %s", m->meta, strerror(errno));
	return st;
}
