/* restorerun.c - the restore engine: lines -> batches -> /api/put or
 * /api/v1/import
 * Reading waits for the HTTP queue only when it is full or the input
 * has nothing to read; every point ends stored or reported. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ackq.h"
#include "batch.h"
#include "buf.h"
#include "clock.h"
#include "datapoint.h"
#include "dedupcount.h"
#include "dumpdir.h"
#include "http.h"
#include "input.h"
#include "lineio.h"
#include "otsdb.h"
#include "put.h"
#include "reject.h"
#include "restorerun.h"
#include "vm.h"
#include "xalloc.h"

/* A mark line read, waiting for every byte before it to be acked. */
struct mark {
	uint64_t offset;  /* just after the mark's line */
	int64_t ms;
};

struct source {
	const struct input_source *in;
	struct ackq ack;
	int reading_done;
	int held;         /* an unterminated last line was left unread */
	struct mark *marks; /* read, not yet reached by ack.acked */
	size_t nmarks, capmarks;
	int64_t stored_before; /* the last mark reached, or -1 */
	uint64_t seen;    /* marks read */
};

#define REFUSAL_KINDS 8

struct run {
	const struct restore_config *cfg;
	const struct restore_events *ev;
	struct restore_counters *c;
	struct fatal *fatal;
	struct http *http;
	struct http_loop loop;
	struct source *inputs;
	struct input_opts io;
	struct datapoint dp;
	struct buf enc;
	struct buf head;  /* import: the last series' head */
	struct buf memo;  /* import: that series' names, tag keys and
			   * values, one after the other */
	struct buf memo_lens; /* and their lengths, size_t each */
	struct put_answer answer;
	size_t unfolded;  /* ack entries not yet folded, all inputs */
	struct batch *cur; /* the batch being filled, of input cur_input */
	size_t cur_input;
	int64_t cur_since; /* when cur got its first point (mono ms) */
	int said_tags;    /* more tags than max_tags was said */
	struct dedup_count dedup;
	/* points refused before sending for a reason that holds for many
	 * (a setting of the target): said once each, at the end, counted;
	 * each one with -v and in the reject file */
	struct refusal {
		const char *why;
		uint64_t n;
		char first[300];  /* FILE:LINE of the first */
	} refusals[REFUSAL_KINDS];
	size_t nrefusals;
};

/* A batch on the wire. */
struct pending {
	struct run *run;
	struct batch *batch;
	size_t input;
	uint64_t seq;
	int attempt;      /* 0 first send, n: n-th send of deferred points */
};

static void send_batch(struct run *run, struct batch *b, size_t input,
    uint64_t seq, int attempt, int64_t due_ms);

/* The put URL for messages: credentials masked. */
static const char *
cfg_shown(const struct run *run)
{
	return run->cfg->shown ? run->cfg->shown : run->cfg->url;
}

static void
tick(struct run *run)
{
	if (run->ev->tick)
		run->ev->tick(run->ev->ctx, run->c);
}

static int
stopped(const struct run *run)
{
	return run->cfg->stop != NULL && *run->cfg->stop;
}

/* The transport's loops: ticking, given up on a fatal error. */
static void
loop_tick(void *ctx)
{
	tick(ctx);
}

static int
loop_give_up(void *ctx)
{
	return ((struct run *)ctx)->fatal->set;
}

static void
reject(struct run *run, const char *source, uint64_t lineno,
    const char *reason, const char *line, size_t len, int truncated)
{
	struct error err;

	if (run->cfg->reject != NULL && reject_write(run->cfg->reject, source,
	    lineno, reason, line, len, truncated, &err) < 0)
		fatal_set(run->fatal, "%s", err.msg);
}

/* The most batches read but not yet acknowledged in order: what a rerun
 * after a kill may send again, and what waits in memory for a retry.
 * Reading waits while there are more.  Large enough that the batches
 * read while one waits for its backoff keep the wire busy (a fault costs
 * a retry, not a stall), small enough to bound memory and the resend. */
#define WINDOW_BYTES ((size_t)16 << 20)

static size_t
window(const struct run *run)
{
	size_t by_bytes = WINDOW_BYTES / batch_raw_cap(run->cfg->size_limit,
	    run->cfg->compress);
	size_t least = 4 * (size_t)run->cfg->concurrent + 16;

	return by_bytes > least ? by_bytes : least;
}

/* The send window has room for one more batch. */
static int
window_room(void *ctx)
{
	struct run *run = ctx;

	return run->unfolded < window(run);
}

/* Appends an ack entry for an input's bytes up to offset. */
static uint64_t
ack_push(struct run *run, struct source *in, uint64_t offset, int done)
{
	run->unfolded++;
	return ackq_push(&in->ack, offset, done);
}

/* Marks entry seq of an input acknowledged; writes its resume metadata
 * when the acknowledged offset moved. */
static void
acked(struct run *run, struct source *in, uint64_t seq)
{
	size_t before = ackq_pending(&in->ack);
	int moved = ackq_done(&in->ack, seq);

	run->unfolded -= before - ackq_pending(&in->ack);
	if (moved && in->nmarks > 0 && in->marks[0].offset <= in->ack.acked) {
		size_t k = 0;

		while (k < in->nmarks && in->marks[k].offset <= in->ack.acked)
			in->stored_before = in->marks[k++].ms;
		run->c->marks_stored += k;
		run->c->stored_before_ms = in->stored_before;
		memmove(in->marks, in->marks + k, (in->nmarks - k) *
		    sizeof(*in->marks));
		in->nmarks -= k;
	}
	if (!moved || in->in->rmeta == NULL || run->cfg->dry_run)
		return;
	if (dumpdir_write_rmeta(in->in->rmeta, in->ack.acked) < 0)
		fatal_set(run->fatal, "%s: cannot write resume metadata: %s",
		    in->in->rmeta, strerror(errno));
}

/* ------------------------------------------------------------ answers */

struct refusal_ctx {
	struct run *run;
	struct pending *p;
	const char *sent;
	/* transiently refused points, to send again: one batch, or more
	 * when gzip bodies do not hold what the first held */
	struct batch **again;
	size_t nagain;
};

static struct batch *
new_batch(const struct run *run, int source)
{
	if (run->cfg->import)
		return batch_new_import(run->cfg->size_limit,
		    run->cfg->max_points, source, run->cfg->compress);
	return run->cfg->compress ? batch_new_gzip(run->cfg->size_limit,
	    run->cfg->max_points, source) : batch_new(run->cfg->size_limit,
	    run->cfg->max_points, source);
}

/* Adds a point of a batch that fit to the batches to send again; -1
 * when it cannot be sent alone.  That does not happen today (a point
 * joins a batch only when its stored size fits, or alone), but the
 * caller then reports the point rather than drop it. */
static int
again_add(struct refusal_ctx *rc, const char *line, size_t len,
    uint64_t lineno, uint64_t end_offset)
{
	struct batch *b = rc->nagain ? rc->again[rc->nagain - 1] : NULL;
	enum batch_result r;

	if (b != NULL && batch_add(b, line, len, lineno, end_offset) ==
	    BATCH_ADDED)
		return 0;
	b = new_batch(rc->run, (int)rc->p->input);
	r = batch_add(b, line, len, lineno, end_offset);
	if (r != BATCH_ADDED) {
		batch_free(b);
		return -1;
	}
	rc->again = xreallocarray(rc->again, rc->nagain + 1,
	    sizeof(*rc->again));
	rc->again[rc->nagain++] = b;
	return 0;
}

static void
on_refused(void *ctx, const struct put_refusal *r)
{
	struct refusal_ctx *rc = ctx;
	struct run *run = rc->run;
	const char *src = run->inputs[rc->p->input].in->path;
	const char *line = r->raw;
	size_t len = r->raw_len;
	uint64_t lineno = 0;
	const struct batch_point *bp = NULL;
	int transient = put_reason_transient(r->reason);
	char why[600];

	if (r->index >= 0) {
		bp = &rc->p->batch->pts[r->index];
		line = rc->sent + bp->off;
		len = bp->len;
		lineno = batch_lineno(rc->p->batch, (size_t)r->index);
	}
	if (bp != NULL && transient && rc->p->attempt < run->cfg->retries) {
		if (again_add(rc, line, len, lineno,
		    batch_end_offset(rc->p->batch, (size_t)r->index)) == 0) {
			note(&run->ev->notes, NOTE_VERBOSE, "%s:%llu: refused "
			    "for now by the server (%s): sending it again", src,
			    (unsigned long long)lineno, r->reason);
			return;
		}
		/* reported, never dropped */
		snprintf(why, sizeof(why), "%s (cannot be sent again: alone "
		    "it does not fit in --request-size-limit %zu, even "
		    "compressed)", r->reason, run->cfg->size_limit);
	} else
		snprintf(why, sizeof(why), "%s%s", r->reason,
		    transient ? " (retries exhausted)" : "");
	note(&run->ev->notes, NOTE_VERBOSE,
	    "%s:%llu: refused by the server: %s", src,
	    (unsigned long long)lineno, why);
	reject(run, src, lineno, why, line, len, 0);
}

/* A details answer (a 400, or any answer with sync): count the stored,
 * reject the permanently refused points, send the transiently refused
 * ones again after a backoff.  Returns -1 when the body is not a
 * details answer. */
static int
handle_details(struct run *run, struct pending *p, struct http_req *r)
{
	/* the batch's body, with the objects at their offsets: the sent
	 * one, or what a gzip body holds */
	const char *sent = p->batch->gzip ? p->batch->body.p : r->body;
	struct refusal_ctx rc = { run, p, sent, NULL, 0 };
	const char *src = run->inputs[p->input].in->path;
	size_t n = p->batch->n, again = 0, i;
	int64_t failed;
	size_t listed;

	if (r->resp_truncated || put_details(&run->answer, r->resp.p,
	    r->resp.len, sent, p->batch->pts, n, &failed, &listed,
	    on_refused, &rc) < 0) {
		for (i = 0; i < rc.nagain; i++)
			batch_free(rc.again[i]);
		free(rc.again);
		return -1;
	}
	if (failed > (int64_t)listed)
		note(&run->ev->notes, NOTE_ERROR, "%s: the server refused %lld "
		    "points without naming them", src,
		    (long long)(failed - (int64_t)listed));
	if (rc.nagain > 0)
		/* back-pressure: the whole run slows down, as on a 503 */
		http_overloaded(run->http);
	for (i = 0; i < rc.nagain; i++) {
		again += rc.again[i]->n;
		/* the input's ack waits for the points sent again */
		ackq_hold(&run->inputs[p->input].ack, p->seq);
		send_batch(run, rc.again[i], p->input, p->seq, p->attempt + 1,
		    clock_mono_ms() + http_backoff_ms(run->http, p->attempt));
	}
	free(rc.again);
	run->c->deferred += again;
	run->c->rejected_points += (uint64_t)failed - again;
	run->c->stored += n - (uint64_t)failed;
	if ((uint64_t)failed > again)
		note(&run->ev->notes, NOTE_WARN, "%s: the server refused %lld "
		    "of %zu points in a request%s", src,
		    (long long)((uint64_t)failed - again), n,
		    run->cfg->reject ? " (see the reject file)" : "");
	return 0;
}

static void
on_done(struct http_req *r, void *ctx)
{
	struct pending *p = ctx;
	struct run *run = p->run;
	struct source *in = &run->inputs[p->input];
	char msg[400];
	const char *advice;

	http_count(r, &run->c->requests, &run->c->retries);
	if (r->resent > 0) {
		run->c->resent += (uint64_t)r->resent;
		run->c->resent_points += (uint64_t)r->resent * p->batch->n;
		note(&run->ev->notes, NOTE_VERBOSE, "%s: a request of %zu "
		    "points sent again after its answer was lost (%d time%s)",
		    run->inputs[p->input].in->path, p->batch->n, r->resent,
		    r->resent == 1 ? "" : "s");
	}
	if (r->status > 0) /* bytes the server took and answered */
		run->c->bytes_sent += r->body_len;
	if (r->outcome != HTTP_DONE_2XX)
		otsdb_error_text(r->resp.p, r->resp.len, msg, sizeof(msg));
	switch (r->outcome) {
	case HTTP_DONE_2XX:
		/* with sync a 2xx may still list failed points */
		if (run->cfg->import || !run->cfg->sync || r->resp.len == 0 ||
		    handle_details(run, p, r) < 0)
			run->c->stored += p->batch->n;
		acked(run, in, p->seq);
		break;
	case HTTP_DONE_STATUS:
		if (r->status == 400 && !run->cfg->import &&
		    handle_details(run, p, r) == 0) {
			acked(run, in, p->seq);
			break;
		}
		advice = run->cfg->import ? vm_import_size_advice(r->status,
		    msg) : otsdb_put_size_advice(r->status, msg, r->body_len, 0);
		if (advice)
			fatal_set(run->fatal, "the server refused a request of "
			    "%zu bytes (HTTP %ld: %s); %s", r->body_len,
			    r->status, msg, advice);
		else
			fatal_set(run->fatal, "%s: HTTP %ld: %s",
			    cfg_shown(run), r->status, msg);
		break;
	case HTTP_GAVE_UP_STATUS:
		fatal_set(run->fatal, "%s: HTTP %ld after %d attempt%s: %s",
		    cfg_shown(run), r->status, r->attempts, r->attempts == 1 ?
		    "" : "s", msg);
		break;
	case HTTP_GAVE_UP_TRANSPORT:
		advice = run->cfg->import ? NULL : otsdb_put_size_advice(0, msg,
		    r->body_len, r->got_nothing);
		fatal_set(run->fatal, "%s: %s after %d attempt%s%s%s%s",
		    cfg_shown(run), r->error, r->attempts, r->attempts == 1 ?
		    "" : "s", advice ? " (" : "",
		    advice ? advice : "", advice ? ")" : "");
		break;
	}
	batch_free(p->batch);
	free(p);
	http_req_free(r);
}

/* ------------------------------------------------------------ reading */

static struct batch *new_batch(const struct run *run, int source);
static void submit(struct run *run, struct batch *b, size_t input,
    uint64_t end_offset);

/* lineio calls this before read(2): serve transfers until fd is ready;
 * once the batch's first point has waited flush_after_ms, send what the
 * batch holds (a slow writer's points arrive in time, not when a
 * request is full, however often it writes). */
static void
wait_input(void *ctx, int fd)
{
	struct run *run = ctx;
	long idle = run->cfg->flush_after_ms;
	int64_t left;
	struct batch *b;

	while (!stopped(run) && !run->fatal->set) {
		b = run->cur;
		if (http_pending(run->http) == 0 && (b == NULL || b->n == 0 ||
		    idle <= 0))
			return; /* nothing to do meanwhile: read(2) waits */
		left = b != NULL && b->n > 0 && idle > 0 ? run->cur_since +
		    idle - clock_mono_ms() : 500;
		if (left <= 0) {
			run->cur = new_batch(run, (int)run->cur_input);
			submit(run, b, run->cur_input,
			    batch_end_offset(b, b->n - 1));
			continue;
		}
		tick(run);
		if (http_pump(run->http, fd, left < 500 ? (int)left : 500))
			return;
	}
}

/* Sends batch b of an input (its ack entry seq) at due_ms (0: now). */
static void
send_batch(struct run *run, struct batch *b, size_t input, uint64_t seq,
    int attempt, int64_t due_ms)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	struct http_req *r;

	if (batch_finish(b) < 0) {
		/* never sent: the cap is a promise */
		fatal_set(run->fatal, "internal error: a gzip body of %zu "
		    "bytes is over --request-size-limit %zu", b->gz.len,
		    b->cap);
		batch_free(b);
		free(p);
		return;
	}
	p->run = run;
	p->batch = b;
	p->input = input;
	p->seq = seq;
	p->attempt = attempt;
	if (b->gzip) {
		r = http_req_new(xstrdup(run->cfg->url), b->gz.p, b->gz.len);
		b->gz.p = NULL; /* the request owns it; body stays for the
				 * details of an answer */
		b->gz.len = b->gz.cap = 0;
		r->gzip_body = 1;
		/* the session's cap fits a plain body of the size limit;
		 * this one holds more points */
		r->max_resp = PUT_ANSWER_MAX(b->cap > b->body.len ? b->cap :
		    b->body.len);
	} else {
		r = http_req_new(xstrdup(run->cfg->url), b->body.p,
		    b->body.len);
		b->body.p = NULL; /* the request owns the body now */
	}
	r->done = on_done;
	r->ctx = p;
	r->keep_on_stop = 1; /* its answer says what was stored */
	if (due_ms > 0)
		http_submit_at(run->http, r, due_ms);
	else
		http_submit(run->http, r);
}

static void
submit(struct run *run, struct batch *b, size_t input, uint64_t end_offset)
{
	struct source *in = &run->inputs[input];

	if (run->cfg->dry_run) {
		batch_finish(b);
		run->c->requests++;
		run->c->bytes_sent += b->gzip ? b->gz.len : b->body.len;
		ack_push(run, in, end_offset, 1);
		acked(run, in, ACKQ_NONE);
		batch_free(b);
		return;
	}
	/* batches waiting to be sent again do not hold a slot, but they
	 * and the batches acknowledged out of order behind the oldest
	 * unacknowledged one are bounded by the window */
	if (http_wait_slot(run->http, &run->loop, window_room) < 0) {
		batch_free(b);
		return;
	}
	send_batch(run, b, input, ack_push(run, in, end_offset, 0), 0, 0);
	http_pump(run->http, -1, 0);
}

/* Opens an input and skips what its resume metadata says is stored. */
static int
open_input(struct run *run, struct source *in, struct input *rd)
{
	struct error err;

	if (input_open(rd, in->in, &run->io, &err) < 0) {
		fatal_set(run->fatal, "%s", err.msg);
		return -1;
	}
	ackq_init(&in->ack, rd->start);
	return 0;
}

/* A point rejected before it is sent, for reason msg, said at level. */
static void
unsent(struct run *run, const struct lineio *lr, const char *pt, size_t pn,
    const char *msg, enum note_level level)
{
	run->c->points--;
	run->c->rejected_points++;
	note(&run->ev->notes, level, "%s:%llu: %s", lr->name,
	    (unsigned long long)lr->lineno, msg);
	reject(run, lr->name, lr->lineno, msg, pt, pn, 0);
}

/* A point refused before it is sent for a reason of the target's
 * settings (why: a fixed text, the same for every such point). */
static void
refused(struct run *run, const struct lineio *lr, const char *pt,
    size_t pn, const char *why)
{
	struct refusal *r = NULL;
	size_t i;

	for (i = 0; i < run->nrefusals && r == NULL; i++)
		if (strcmp(run->refusals[i].why, why) == 0)
			r = &run->refusals[i];
	if (r == NULL && run->nrefusals < REFUSAL_KINDS) {
		r = &run->refusals[run->nrefusals++];
		r->why = why;
		snprintf(r->first, sizeof(r->first), "%s:%llu", lr->name,
		    (unsigned long long)lr->lineno);
	}
	/* counted in one line at the end: each one only with -v */
	if (r != NULL)
		r->n++;
	unsent(run, lr, pt, pn, why, r != NULL ? NOTE_VERBOSE : NOTE_LIMITED);
}

/* The refusals by reason: one line each. */
static void
say_refusals(const struct run *run)
{
	size_t i;

	for (i = 0; i < run->nrefusals; i++) {
		const struct refusal *r = &run->refusals[i];

		note(&run->ev->notes, NOTE_ERROR, "%llu point%s refused before "
		    "sending (the first at %s): %s; %s",
		    (unsigned long long)r->n, r->n == 1 ? "" : "s", r->first,
		    r->why, run->cfg->reject != NULL ? "each is in the reject "
		    "file, which otsdb-restore reads as input once the cause "
		    "is fixed" : "-v lists each; --reject-file FILE keeps "
		    "them, to restore once the cause is fixed");
	}
}

static void
too_big(struct run *run, const struct lineio *lr, const char *pt,
    size_t pn)
{
	char msg[300], t[24];
	size_t size = pn;

	/* an import line: head, value, the timestamps' brackets, time */
	if (run->cfg->import)
		size = run->head.len + run->dp.value_len + 19 + (size_t)snprintf(
		    t, sizeof(t), "%lld", (long long)run->dp.timestamp_ms);
	snprintf(msg, sizeof(msg), "%s of %zu bytes does not fit in a "
	    "request of --request-size-limit %zu bytes%s", run->cfg->import ?
	    "datapoint (its import line)" : "datapoint", size,
	    run->cfg->size_limit, run->cfg->compress ? ", even compressed" :
	    "");
	unsent(run, lr, pt, pn, msg, NOTE_LIMITED);
}

/* Whether dp is of the series whose head run->head holds; if not, makes
 * it so.  Comparing the names is cheaper than escaping them again: the
 * memo holds their lengths (memo_lens: the name's, then each tag's key
 * and value) and their bytes, one after the other (memo). */
static void
import_head(struct run *run, const struct datapoint *dp)
{
	size_t nl = 1 + 2 * dp->ntags, total = dp->metric_len, i;
	const size_t *lens = (const size_t *)(void *)run->memo_lens.p;
	int whole = 1; /* the tags' bytes lie in one piece (canonical) */
	int same = run->memo_lens.len == nl * sizeof(size_t) &&
	    lens[0] == dp->metric_len;

	for (i = 0; same && i < dp->ntags; i++) {
		const struct dp_tag *t = &dp->tags[i];

		same = lens[1 + 2 * i] == t->key_len &&
		    lens[2 + 2 * i] == t->val_len;
		total += t->key_len + t->val_len;
		whole = whole && t->val == t->key + t->key_len &&
		    (i == 0 || t->key == t[-1].val + t[-1].val_len);
	}
	if (same && run->memo.len == total &&
	    memcmp(run->memo.p, dp->metric, dp->metric_len) == 0) {
		/* the tags' bytes in one piece when they lie so (a canonical
		 * line's), else each */
		if (whole && dp->ntags > 0) {
			if (memcmp(run->memo.p + dp->metric_len,
			    dp->tags[0].key, total - dp->metric_len) == 0)
				return;
		} else {
			const char *m = run->memo.p + dp->metric_len;

			for (i = 0; i < dp->ntags; i++) {
				if (memcmp(m, dp->tags[i].key,
				    dp->tags[i].key_len) != 0)
					break;
				m += dp->tags[i].key_len;
				if (memcmp(m, dp->tags[i].val,
				    dp->tags[i].val_len) != 0)
					break;
				m += dp->tags[i].val_len;
			}
			if (i == dp->ntags)
				return;
		}
	}
	buf_reset(&run->memo);
	buf_reset(&run->memo_lens);
	buf_append(&run->memo, dp->metric, dp->metric_len);
	buf_append(&run->memo_lens, &dp->metric_len, sizeof(size_t));
	for (i = 0; i < dp->ntags; i++) {
		buf_append(&run->memo, dp->tags[i].key, dp->tags[i].key_len);
		buf_append(&run->memo, dp->tags[i].val, dp->tags[i].val_len);
		buf_append(&run->memo_lens, &dp->tags[i].key_len,
		    sizeof(size_t));
		buf_append(&run->memo_lens, &dp->tags[i].val_len,
		    sizeof(size_t));
	}
	buf_reset(&run->head);
	vm_import_head(&run->head, dp);
}

/* Adds the point just read (pt, its canonical line) to b. */
static enum batch_result
add(struct run *run, struct batch *b, const char *pt, size_t pn,
    const struct lineio *lr)
{
	if (!run->cfg->import)
		return batch_add(b, pt, pn, lr->lineno, lr->offset);
	import_head(run, &run->dp);
	return batch_add_import(b, run->head.p, run->head.len, run->dp.value,
	    run->dp.value_len, run->dp.timestamp_ms, lr->lineno, lr->offset);
}

/* A mark line read (it ends at offset): what the batch holds goes now,
 * and once every byte before the mark is acknowledged, the target holds
 * every point of the stream before ms (or it was reported). */
static void
on_mark(struct run *run, size_t idx, int64_t ms, uint64_t offset)
{
	struct source *in = &run->inputs[idx];
	struct batch *b = run->cur;

	run->c->marks++;
	in->seen++;
	if (b->n > 0) {
		run->cur = new_batch(run, (int)idx);
		submit(run, b, idx, batch_end_offset(b, b->n - 1));
		if (run->fatal->set)
			return;
	}
	if (in->nmarks == in->capmarks) {
		in->capmarks = in->capmarks ? 2 * in->capmarks : 8;
		in->marks = xreallocarray(in->marks, in->capmarks,
		    sizeof(*in->marks));
	}
	in->marks[in->nmarks].offset = offset;
	in->marks[in->nmarks++].ms = ms;
	ack_push(run, in, offset, 1);
	acked(run, in, ACKQ_NONE);
}

/* Reads one input to its end (or a stop or fatal error). */
static void
restore_input(struct run *run, size_t idx)
{
	struct source *in = &run->inputs[idx];
	struct input rd;
	struct lineio *lr = &rd.lr;
	struct error err;
	const char *line, *pt, *why;
	size_t len, pn;
	enum input_result ires;
	enum batch_result br;
	int broken = 0;

	if (open_input(run, in, &rd) < 0)
		return;
	run->c->finished_before += rd.finished_before;
	run->cur = new_batch(run, (int)idx);
	run->cur_input = idx;
	while (!run->fatal->set && !stopped(run)) {
		ires = input_next(&rd, &run->dp, &line, &len, &err);
		if (ires == INPUT_EOF)
			break;
		if (ires == INPUT_ERROR) {
			/* said once the points read before it are sent: a
			 * damaged input's complete lines are stored */
			if (!stopped(run))
				broken = 1;
			break;
		}
		if (ires == INPUT_MARK) {
			on_mark(run, idx, rd.mark_ms, lr->offset);
			continue;
		}
		run->c->points++;
		/* a canonical line is its own encoding */
		if (run->dp.canonical) {
			pt = line;
			pn = len;
		} else {
			buf_reset(&run->enc);
			datapoint_encode(&run->dp, &run->enc);
			pt = run->enc.p;
			pn = run->enc.len;
		}
		if (run->cfg->vm_labels && (why = vm_label_problem(&run->dp)) !=
		    NULL) {
			refused(run, lr, pt, pn, why);
			continue;
		}
		if (run->cfg->refuse != NULL && (why = run->cfg->refuse(
		    run->cfg->refuse_ctx, &run->dp)) != NULL) {
			refused(run, lr, pt, pn, why);
			continue;
		}
		if (run->cfg->max_tags > 0 && !run->said_tags &&
		    run->dp.ntags > (size_t)run->cfg->max_tags) {
			run->said_tags = 1;
			note(&run->ev->notes, NOTE_WARN, "%s:%llu: %zu tags, "
			    "where the target takes at most %ld a point "
			    "(tsd.storage.max_tags): it refuses such points, "
			    "each reported (said once)", lr->name,
			    (unsigned long long)lr->lineno, run->dp.ntags,
			    run->cfg->max_tags);
		}
		run->c->merged += (uint64_t)dedup_count_add(&run->dedup,
		    &run->dp);
		br = add(run, run->cur, pt, pn, lr);
		if (br == BATCH_FULL) {
			struct batch *full = run->cur;

			run->cur = new_batch(run, (int)idx);
			submit(run, full, idx, batch_end_offset(full,
			    full->n - 1));
			br = add(run, run->cur, pt, pn, lr);
		}
		if (br == BATCH_ADDED && run->cur->n == 1)
			run->cur_since = clock_mono_ms();
		if (br == BATCH_TOO_BIG)
			too_big(run, lr, pt, pn);
		if ((run->c->lines & 1023) == 0)
			tick(run);
	}
	if (run->cur->n > 0 && !run->fatal->set)
		submit(run, run->cur, idx, batch_end_offset(run->cur,
		    run->cur->n - 1));
	else
		batch_free(run->cur);
	run->cur = NULL;
	if (broken) {
		run->c->input_broken = 1;
		fatal_set(run->fatal, "%s", err.msg);
	}
	if (!run->fatal->set && !stopped(run)) {
		/* lines after the last point (bad or blank) are done too */
		ack_push(run, in, lr->offset, 1);
		acked(run, in, ACKQ_NONE);
		in->reading_done = 1;
		in->held = lr->held > 0;
	}
	input_close(&rd);
}

int
restore_run(const struct restore_config *cfg,
    const struct restore_events *ev, struct http *http,
    const struct input_source *inputs, size_t n,
    struct restore_counters *c, struct fatal *f)
{
	struct run run;
	size_t i;
	int64_t claim = -1;

	memset(&run, 0, sizeof(run));
	run.cfg = cfg;
	run.ev = ev;
	run.c = c;
	run.fatal = f;
	run.http = http;
	run.loop.tick = loop_tick;
	run.loop.give_up = loop_give_up;
	run.loop.ctx = &run;
	input_opts_init(&run.io, cfg->max_line, cfg->reject, &ev->notes,
	    &c->lines, &c->rejected_lines, cfg->stop);
	run.io.wait = wait_input;
	run.io.wait_ctx = &run;
	run.inputs = xcalloc(n ? n : 1, sizeof(*run.inputs));
	for (i = 0; i < n; i++) {
		run.inputs[i].in = &inputs[i];
		run.inputs[i].stored_before = -1;
		ackq_init(&run.inputs[i].ack, 0);
	}
	datapoint_init(&run.dp);
	dedup_count_init(&run.dedup, cfg->dedup_ms);
	buf_init(&run.enc);
	buf_init(&run.head);
	buf_init(&run.memo);
	buf_init(&run.memo_lens);
	put_answer_init(&run.answer);
	for (i = 0; i < n && !f->set && !stopped(&run); i++)
		restore_input(&run, i);
	http_drain(http, &run.loop);
	/* the inputs' claims: the earliest; none when an input with marks
	 * reached none */
	for (i = 0; i < n && c->marks_stored > 0; i++) {
		struct source *in = &run.inputs[i];

		if (in->seen == 0)
			continue;
		if (in->stored_before < 0)
			c->marks_stored = 0;
		else if (in->stored_before < claim || claim < 0)
			claim = in->stored_before;
	}
	c->stored_before_ms = claim;
	c->stored_before_exact = c->rejected_points == 0;
	say_refusals(&run);
	for (i = 0; i < n; i++) {
		struct source *in = &run.inputs[i];

		free(in->marks);
		if (cfg->remove_metadata && in->in->rmeta && in->reading_done &&
		    !in->held &&
		    ackq_pending(&in->ack) == 0 && !cfg->dry_run &&
		    unlink(in->in->rmeta) < 0 && errno != ENOENT)
			note(&ev->notes, NOTE_ERROR, "%s: %s", in->in->rmeta,
			    strerror(errno));
		ackq_free(&in->ack);
	}
	free(run.inputs);
	datapoint_free(&run.dp);
	dedup_count_free(&run.dedup);
	buf_free(&run.enc);
	buf_free(&run.head);
	buf_free(&run.memo);
	buf_free(&run.memo_lens);
	put_answer_free(&run.answer);
	return f->set ? -1 : 0;
}
