/* http.h - libcurl multi transport: a queue of independent requests, at
 * most N in flight, retries with exponential backoff and full jitter
 * (connection errors, timeouts, and the statuses the caller names) */
#ifndef OTSDB_HTTP_H
#define OTSDB_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct http;
struct http_req;

/* A scripted server in place of libcurl, for unit programs that run an
 * engine without a server: each request started is answered, at the
 * next http_pump, by the first row whose `match` its URL and body
 * (joined by a space) contain; the rest of the transport (the limit,
 * retries, backoff, callbacks) is the real one.  A request no row
 * matches is answered 599. */
struct http_script_row {
	const char *match;      /* a substring; NULL: any request */
	long status;            /* 0: the connection closed, no answer */
	const char *body;
	int times;              /* answers this many, then is passed over;
				 * 0: every time */
	int used;               /* (state) answers given */
};

struct http_script {
	struct http_script_row *rows;
	size_t n;
	/* called for each request answered (a log), or NULL */
	void (*seen)(void *ctx, const struct http_req *r,
	    const struct http_script_row *row);
	void *ctx;
};

struct http_opts {
	int max_in_flight;     /* concurrent requests (>= 1) */
	int retries;           /* extra attempts after the first */
	/* and retries go on till this long after the first attempt */
	long retry_time_ms;
	long timeout_ms;       /* whole request */
	long idle_timeout_ms;  /* no byte for this long: abandoned (0: off) */
	long connect_timeout_ms;
	const char *userpwd;   /* "user:pass" or NULL */
	int netrc;             /* read ~/.netrc */
	const char *cacert;    /* CA bundle or NULL */
	int insecure;          /* do not verify TLS */
	const char *user_agent;
	/* bytes of response body kept: a longer answer is cut off there,
	 * its transfer abandoned, and marked resp_truncated */
	size_t max_response;
	/* whether a non-2xx answer (status, body) is worth a retry; NULL:
	 * http_retryable_default */
	int (*retryable)(const struct http_req *r);
	/* called before each retry with the reason and the delay */
	void (*on_retry)(void *ctx, const char *url, const char *why,
	    int attempt, long delay_ms);
	/* at most this many request starts a second, evenly spaced, retries
	 * included (0: no limit) */
	double max_rate;
	/* at most this many bytes a second over the wire, all transfers
	 * together (0: no limit) */
	uint64_t limit_rate;
	/* called when signs of overload lower the requests in flight */
	void (*on_slowdown)(void *ctx, int limit);
	/* non-zero (a signal): no retry starts; requests waiting or in
	 * flight end at once, as HTTP_GAVE_UP_TRANSPORT "stopped by a
	 * signal", but for those marked keep_on_stop: sent once, or their
	 * transfer goes on */
	volatile sig_atomic_t *stop;
	/* not NULL: answered by this script, not over the network */
	struct http_script *script;
	/* called about every 250 ms while a synchronous request waits,
	 * and by http_waiting */
	void (*on_wait)(void *ctx, const struct http *h);
	void *ctx;
};

enum http_outcome {
	HTTP_DONE_2XX,       /* the server answered 2xx */
	HTTP_DONE_STATUS,    /* a non-2xx status that is not retried */
	HTTP_GAVE_UP_STATUS, /* retryable status (5xx, 429, 408) after retries */
	HTTP_GAVE_UP_TRANSPORT /* no usable response after retries */
};

/* One request: a POST of `body`, or a GET when body is NULL.  The body
 * is owned by the request until `done` runs. */
struct http_req {
	char *url;          /* owned */
	char *body;         /* owned: freed with the request */
	size_t body_len;
	/* results, valid in `done` */
	enum http_outcome outcome;
	long status;        /* HTTP status, 0 if none */
	struct buf resp;    /* response body (at most max_response bytes) */
	int resp_truncated; /* the body was longer than that */
	char error[256];    /* transport error text */
	int transport_code; /* CURLcode of the last attempt */
	int timed_out;      /* the last attempt ran past the timeout */
	int got_nothing;    /* the server closed without an answer */
	int stopped;        /* ended by a stop (opts.stop), not by the
			     * server */
	int attempts;
	/* sends of the body after one that went out and got no answer
	 * (libcurl's own resend on a kept-alive connection that died, or
	 * a retry after a lost answer): the server may hold it that many
	 * times more */
	int resent;
	size_t upload_off;  /* internal: the body's bytes handed to libcurl */
	/* set by the caller: a timeout ends the request at once, without
	 * a retry */
	int no_timeout_retry;
	/* set by the caller: the body is gzip (Content-Encoding: gzip) */
	int gzip_body;
	/* set by the caller: on a stop, a transfer in flight goes on to its
	 * answer (a write whose outcome the caller must know) */
	int keep_on_stop;
	/* completion: called once; the callee may keep or free the request
	 * (http_req_free) */
	void (*done)(struct http_req *req, void *ctx);
	void *ctx;
	void *user;
	/* engine state */
	void *easy;
	int64_t due_ms;
	size_t max_resp;    /* 0: max_response; a caller may set its own */
	long retry_after_ms;
	int64_t first_ms;   /* start of the first attempt */
	double charged;     /* bytes charged to --limit-rate at its start */
	int64_t started_ms; /* start of this attempt */
	struct http_req *next;
};

struct http *http_new(const struct http_opts *opts);
/* For a caller's loop without a progress line of its own: calls the
 * on_wait hook. */
void http_waiting(struct http *h);
/* While requests wait to be retried: how long the one failing longest
 * has been failing (ms), its last failure in why; -1 when none waits. */
int64_t http_failing(const struct http *h, char *why, size_t n);
/* Frees the engine; requests still queued or in flight are dropped
 * without their callbacks (their `ctx` is the caller's to free). */
void http_free(struct http *h);
/* A new request; takes ownership of url and body (both malloc'd). */
struct http_req *http_req_new(char *url, char *body, size_t body_len);
void http_req_free(struct http_req *r);
/* Queues r; it starts when a slot is free. */
void http_submit(struct http *h, struct http_req *r);
/* Queues r to start no earlier than due_ms (clock_mono_ms); until then
 * it waits outside the in-flight limit, like a retry. */
void http_submit_at(struct http *h, struct http_req *r, int64_t due_ms);
/* A backoff before attempt number `attempt` + 1: exponential from 0.25 s
 * up to 10 s, with full jitter. */
long http_backoff_ms(struct http *h, int attempt);
/* Requests queued or in flight: those that hold or wait for a slot. */
size_t http_busy(const struct http *h);
/* Requests queued, in flight or waiting for a retry. */
size_t http_pending(const struct http *h);
/* Drives transfers for at most timeout_ms (or until one completes);
 * when wait_fd >= 0, also returns as soon as it is readable.  Runs the
 * `done` callbacks.  Returns 1 if wait_fd is readable, else 0. */
int http_pump(struct http *h, int wait_fd, int timeout_ms);
/* What an engine does while it waits on the transport: tick (about
 * twice a second: progress) and give_up (a fatal error, a stop). */
struct http_loop {
	void (*tick)(void *ctx);
	int (*give_up)(void *ctx);
	void *ctx;
};
/* The one wait for a slot: pumps until a request may be submitted
 * (fewer than http_limit on the wire; one waiting for a retry holds
 * none) and, when ready is set, ready(ctx) holds.  0 then, -1 as soon
 * as give_up says so. */
int http_wait_slot(struct http *h, const struct http_loop *l,
    int (*ready)(void *ctx));
/* The one drain: pumps until no request is pending, ticking (a stop
 * ends transfers inside the transport: opts.stop). */
void http_drain(struct http *h, const struct http_loop *l);

/* Runs r to completion, with retries, and returns it (the caller frees
 * it); r's own done callback is replaced.  For requests made before a run
 * loop starts: other requests' callbacks may run meanwhile, so it must not
 * be called from a callback or while other requests are pending. */
struct http_req *http_request_sync(struct http *h, struct http_req *r);
/* Requests allowed in flight now: max_in_flight, halved (down to 1) on
 * signs of overload (429, 503, 424, Retry-After, timeouts) at most once
 * a second, and raised by one after as many answers as it allows. */
int http_limit(const struct http *h);
/* A sign of overload the caller read in an answer (points refused for
 * now: HBase back-pressure): as a 503. */
void http_overloaded(struct http *h);
/* Adds a finished request's attempts to *requests and the attempts
 * after its first to *retries. */
void http_count(const struct http_req *r, uint64_t *requests,
    uint64_t *retries);
/* Bytes that went over the wire so far (headers and bodies), both
 * ways, of the attempts that ended. */
void http_wire(const struct http *h, uint64_t *sent, uint64_t *received);
/* 408, 429 and 5xx. */
int http_retryable_default(const struct http_req *r);

#endif
