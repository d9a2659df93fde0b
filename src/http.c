/* http.c - libcurl multi transport: a queue of independent requests, at
 * most N in flight, retries with exponential backoff and full jitter
 * A waiting retry is parked with a due time, never slept on.  It knows
 * HTTP, not OpenTSDB: which statuses are retried is the caller's. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "http.h"
#include "xalloc.h"

#define BACKOFF_BASE_MS 250
#define BACKOFF_CAP_MS 10000
#define RETRY_AFTER_CAP_MS 30000
#define SLOWDOWN_EVERY_MS 1000
/* random failures: from 0.05 s up to 1 s, with full jitter */
#define FAST_BASE_MS 25
#define FAST_CAP_MS 1000
/* the share of recent answers (in thousandths, a moving average over
 * about 8) that were signs of overload, past which a busy refusal is
 * retried on the slow schedule */
#define BUSY_SLOW 400
/* After a stop, what a kept request (see http_req.keep_on_stop) may
 * still take to be answered: then it ends unanswered, its points not
 * acknowledged, rather than wait for --timeout on a hung server. */
#define STOP_GRACE_MS 200
/* This many failed attempts in a row hold new requests back while any
 * waits for its retry (the first to succeed lets them go again). */
#define FAILURE_RUN 4

struct http {
	struct http_opts o;
	CURLM *multi;
	struct curl_slist *headers;
	struct curl_slist *headers_gz;            /* the same, gzip body */
	struct http_req *queue_head, *queue_tail; /* not started, in order */
	struct http_req *parked;                  /* waiting for a retry */
	size_t nparked;
	struct http_req *active;                  /* in flight */
	int in_flight;
	int limit;               /* in flight allowed now */
	int good;                /* answers since the limit last changed */
	int64_t calm_until;      /* no further slow-down before */
	int64_t stop_ms;         /* when the stop was first seen, or 0 */
	int failures;            /* attempts failed in a row */
	int answered;            /* a server answered once (any status) */
	int busy;                /* recent share of overload signs, 1/1000 */
	uint64_t finished;       /* requests whose callback ran */
	size_t pending;
	uint64_t rng;
	double next_start_ms;    /* --max-rate: no start before */
	double bytes_free_ms;    /* --limit-rate: the bytes so far paid off */
	uint64_t wire_sent, wire_recv;
	/* easy handles of finished requests, reset and used again: a new
	 * one costs an allocation and its set-up a request */
	CURL **spare;
	int nspare;
};

static uint64_t
rnd(struct http *h)
{
	/* xorshift64*: jitter only, not security */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 2685821657736338717ULL;
}

/* The headers of a POST of JSON, and one more when extra is not NULL. */
static struct curl_slist *
post_headers(const char *extra)
{
	struct curl_slist *l = curl_slist_append(NULL,
	    "Content-Type: application/json");

	/* OpenTSDB's Netty answers Expect: 100-continue with 400 */
	l = curl_slist_append(l, "Expect:");
	return extra != NULL ? curl_slist_append(l, extra) : l;
}

struct http *
http_new(const struct http_opts *opts)
{
	struct http *h = xcalloc(1, sizeof(*h));

	h->o = *opts;
	if (h->o.retryable == NULL)
		h->o.retryable = http_retryable_default;
	if (h->o.max_in_flight < 1)
		h->o.max_in_flight = 1;
	h->limit = h->o.max_in_flight;
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)h->o.max_in_flight);
	h->headers = post_headers(NULL);
	h->headers_gz = post_headers("Content-Encoding: gzip");
	h->rng = (uint64_t)clock_mono_ms() * 0x9E3779B97F4A7C15ULL ^
	    (uint64_t)getpid();
	if (h->rng == 0)
		h->rng = 1;
	return h;
}

struct http_req *
http_req_new(char *url, char *body, size_t body_len)
{
	struct http_req *r = xcalloc(1, sizeof(*r));

	r->url = url;
	r->body = body;
	r->body_len = body_len;
	buf_init(&r->resp);
	return r;
}

void
http_req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	free(r->url);
	free(r->body);
	buf_free(&r->resp);
	free(r);
}

static void
free_list(struct http_req *r)
{
	struct http_req *next;

	for (; r != NULL; r = next) {
		next = r->next;
		http_req_free(r);
	}
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	free_list(h->queue_head);
	free_list(h->parked);
	/* abandoned transfers (a fatal error stops a run): no callbacks */
	while (h->active != NULL) {
		struct http_req *r = h->active;

		h->active = r->next;
		if (r->easy != NULL)
			curl_multi_remove_handle(h->multi, r->easy);
		http_req_free(r);
	}
	while (h->nspare > 0)
		curl_easy_cleanup(h->spare[--h->nspare]);
	free(h->spare);
	curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->headers);
	curl_slist_free_all(h->headers_gz);
	free(h);
}

size_t
http_pending(const struct http *h)
{
	return h->pending;
}

static size_t
read_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb, left = r->body_len - r->upload_off;

	if (n > left)
		n = left;
	memcpy(p, r->body + r->upload_off, n);
	r->upload_off += n;
	return n;
}

/* libcurl rewinds a body to send it again: after bytes of it went out,
 * that is a resend the server may store twice. */
static int
seek_body(void *ud, curl_off_t offset, int origin)
{
	struct http_req *r = ud;

	if (origin != SEEK_SET || offset < 0 ||
	    (uint64_t)offset > r->body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	if (r->upload_off > 0 && offset == 0)
		r->resent++;
	r->upload_off = (size_t)offset;
	return CURL_SEEKFUNC_OK;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb, room;

	if (r->resp.cap == 0 && r->easy != NULL) {
		/* one allocation for the whole body when its size is known */
		curl_off_t cl = -1;

		curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		    &cl);
		if (cl > 0)
			buf_reserve(&r->resp, (size_t)cl < r->max_resp ?
			    (size_t)cl : r->max_resp);
	}
	room = r->resp.len < r->max_resp ? r->max_resp - r->resp.len : 0;
	buf_append(&r->resp, p, n < room ? n : room);
	if (room < n) {
		/* past the bound: the rest is never read */
		r->resp_truncated = 1;
		return 0;
	}
	return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb;

	if (n > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		const char *q = p + 12, *end = p + n;
		long s = 0;

		/* delta-seconds only; digits past the cap do not overflow */
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		for (; q < end && *q >= '0' && *q <= '9'; q++)
			if (s <= RETRY_AFTER_CAP_MS / 1000)
				s = s * 10 + (*q - '0');
		if (s > 0)
			r->retry_after_ms = s > RETRY_AFTER_CAP_MS / 1000 ?
			    RETRY_AFTER_CAP_MS : s * 1000;
	}
	return n;
}

/* Milliseconds before the rate limits allow the next start, 0: now. */
static int64_t
rate_wait(const struct http *h, int64_t now)
{
	double until = h->next_start_ms > h->bytes_free_ms ?
	    h->next_start_ms : h->bytes_free_ms;

	return until > (double)now ? (int64_t)(until - (double)now) + 1 : 0;
}

/* Pays `bytes` off at --limit-rate from `from` on, or from where the
 * bytes so far are paid off. */
static void
charge(struct http *h, double from, double bytes)
{
	if (h->o.limit_rate == 0)
		return;
	if (h->bytes_free_ms < from)
		h->bytes_free_ms = from;
	h->bytes_free_ms += bytes * 1000.0 / (double)h->o.limit_rate;
}

/* A request starts: the next start no sooner than 1/max_rate s later;
 * its request (an estimate until it ends) is charged. */
static void
started(struct http *h, struct http_req *r, int64_t now)
{
	if (h->o.max_rate > 0) {
		if (h->next_start_ms < (double)now)
			h->next_start_ms = (double)now;
		h->next_start_ms += 1000.0 / h->o.max_rate;
	}
	r->charged = (double)r->body_len + (double)strlen(r->url) + 200.0;
	r->started_ms = now;
	charge(h, (double)now, r->charged);
}

/* What an attempt finds of the one before: nothing. */
static void
new_attempt(struct http_req *r)
{
	buf_reset(&r->resp);
	r->resp_truncated = 0;
	r->timed_out = r->got_nothing = 0;
	r->status = 0;
	r->error[0] = '\0';
	r->retry_after_ms = 0;
}

/* A start under a script: no transfer, answered at the next pump in
 * the order started. */
static int
start_scripted(struct http *h, struct http_req *r)
{
	struct http_req **pp;

	new_attempt(r);
	r->upload_off = r->body_len;
	if (r->attempts++ == 0)
		r->first_ms = clock_mono_ms();
	started(h, r, clock_mono_ms());
	h->in_flight++;
	r->next = NULL;
	for (pp = &h->active; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = r;
	return 0;
}

static int
start(struct http *h, struct http_req *r)
{
	CURL *e = r->easy;

	if (h->o.script != NULL)
		return start_scripted(h, r);
	if (e == NULL && h->nspare > 0) {
		e = r->easy = h->spare[--h->nspare];
		curl_easy_reset(e);
	} else if (e == NULL) {
		e = curl_easy_init();
		if (e == NULL)
			return -1;
		r->easy = e;
	} else
		curl_easy_reset(e);
	new_attempt(r);
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	if (r->body != NULL) {
		/* the body through a read function, so that libcurl's own
		 * resend (a kept-alive connection that died under the
		 * request) rewinds it, and is counted */
		r->upload_off = 0;
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
		curl_easy_setopt(e, CURLOPT_READDATA, r);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_body);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, r);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->gzip_body ?
		    h->headers_gz : h->headers);
	} else
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	/* query answers compress well; OpenTSDB gzips on request */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    h->o.connect_timeout_ms);
	if (h->o.idle_timeout_ms > 0) {
		/* under a byte a second for that long: a hung transfer */
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		    (h->o.idle_timeout_ms + 999) / 1000);
	}
	if (h->o.limit_rate > 0) {
		/* a request is charged before it starts, so one at a time
		 * may send at the whole rate; answers, of sizes unknown till
		 * they end, each their share, so that together they keep
		 * to it */
		curl_off_t share = (curl_off_t)(h->o.limit_rate /
		    (uint64_t)h->o.max_in_flight);

		curl_easy_setopt(e, CURLOPT_MAX_SEND_SPEED_LARGE,
		    (curl_off_t)h->o.limit_rate);
		curl_easy_setopt(e, CURLOPT_MAX_RECV_SPEED_LARGE,
		    share > 0 ? share : 1);
	}
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (h->o.user_agent)
		curl_easy_setopt(e, CURLOPT_USERAGENT, h->o.user_agent);
	if (h->o.userpwd) {
		curl_easy_setopt(e, CURLOPT_USERPWD, h->o.userpwd);
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	if (h->o.netrc)
		curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	if (h->o.cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.cacert);
	if (h->o.insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (r->attempts++ == 0)
		r->first_ms = clock_mono_ms();
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		return -1;
	started(h, r, clock_mono_ms());
	h->in_flight++;
	r->next = h->active;
	h->active = r;
	return 0;
}

/* The response bound: the request's own when its caller set one. */
static void
set_max_resp(const struct http *h, struct http_req *r)
{
	if (r->max_resp == 0)
		r->max_resp = h->o.max_response ? h->o.max_response : 1 << 20;
}

void
http_submit(struct http *h, struct http_req *r)
{
	set_max_resp(h, r);
	r->next = NULL;
	if (h->queue_tail)
		h->queue_tail->next = r;
	else
		h->queue_head = r;
	h->queue_tail = r;
	h->pending++;
}

void
http_submit_at(struct http *h, struct http_req *r, int64_t due_ms)
{
	set_max_resp(h, r);
	r->due_ms = due_ms;
	r->next = h->parked;
	h->parked = r;
	h->nparked++;
	h->pending++;
}

size_t
http_busy(const struct http *h)
{
	return h->pending - h->nparked;
}

static void
finish(struct http *h, struct http_req *r, enum http_outcome oc)
{
	if (r->easy != NULL && h->nspare < h->o.max_in_flight) {
		/* removed from the multi handle already: kept for the next */
		if (h->spare == NULL)
			h->spare = xcalloc((size_t)h->o.max_in_flight,
			    sizeof(*h->spare));
		h->spare[h->nspare++] = r->easy;
		r->easy = NULL;
	}
	r->outcome = oc;
	h->pending--;
	h->finished++;
	if (r->done)
		r->done(r, r->ctx);
}

static int
stopping(const struct http *h)
{
	return h->o.stop != NULL && *h->o.stop;
}

/* Ends r, not in flight, for a stop. */
static void
stopped(struct http *h, struct http_req *r)
{
	r->next = NULL;
	snprintf(r->error, sizeof(r->error), "stopped by a signal");
	r->transport_code = 0;
	r->stopped = 1;
	finish(h, r, HTTP_GAVE_UP_TRANSPORT);
}

/* A stop: every request waiting for a retry ends, and every other one
 * but those kept (which are sent, once: they hold what was read before
 * the stop), for STOP_GRACE_MS; then those end too, answered or not.
 * Callbacks may queue more: those end too. */
static void
halt(struct http *h)
{
	struct http_req *r, **pp, *kept = NULL, *last = NULL;
	int64_t now = clock_mono_ms();
	int keep;

	if (h->stop_ms == 0)
		h->stop_ms = now;
	keep = now - h->stop_ms < STOP_GRACE_MS;
	while (h->queue_head != NULL || h->parked != NULL) {
		if ((r = h->queue_head) != NULL) {
			h->queue_head = r->next;
			if (h->queue_head == NULL)
				h->queue_tail = NULL;
			if (r->keep_on_stop && keep) {
				r->next = NULL;
				if (last != NULL)
					last->next = r;
				else
					kept = r;
				last = r;
				continue;
			}
		} else {
			r = h->parked;
			h->parked = r->next;
			h->nparked--;
		}
		stopped(h, r);
	}
	h->queue_head = kept;
	h->queue_tail = last;
	for (pp = &h->active; *pp != NULL;) {
		r = *pp;
		if (r->keep_on_stop && keep) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (r->easy != NULL)
			curl_multi_remove_handle(h->multi, r->easy);
		h->in_flight--;
		stopped(h, r);
		pp = &h->active; /* a callback may have changed the list */
	}
}

/* Starts queued requests and due retries while slots are free. */
static void
top_up(struct http *h)
{
	int64_t now = clock_mono_ms();
	struct http_req **pp, *r;

	if (stopping(h))
		halt(h); /* then only kept requests are queued */
	for (pp = &h->parked; *pp && h->in_flight < h->limit &&
	    rate_wait(h, now) == 0;) {
		r = *pp;
		if (r->due_ms <= now) {
			*pp = r->next;
			r->next = NULL;
			h->nparked--;
			if (start(h, r) < 0) {
				snprintf(r->error, sizeof(r->error),
				    "cannot start a transfer");
				finish(h, r, HTTP_GAVE_UP_TRANSPORT);
			}
		} else
			pp = &r->next;
	}
	/* after a run of failures, no new request starts while one waits
	 * for a retry: against a server that fails them all, the requests
	 * go at the pace of the backoff, not of the read-ahead; a failure
	 * now and then costs a retry, not a stall */
	while (h->queue_head && h->in_flight < h->limit &&
	    (h->failures < FAILURE_RUN || h->nparked == 0) &&
	    rate_wait(h, now) == 0) {
		r = h->queue_head;
		h->queue_head = r->next;
		if (h->queue_head == NULL)
			h->queue_tail = NULL;
		r->next = NULL;
		if (start(h, r) < 0) {
			snprintf(r->error, sizeof(r->error),
			    "cannot start a transfer");
			finish(h, r, HTTP_GAVE_UP_TRANSPORT);
		}
	}
}

int
http_retryable_default(const struct http_req *r)
{
	long st = r->status;

	return st == 408 || st == 429 || (st >= 500 && st <= 599);
}

/* Whether a status is a sign of overload. */
static int
overload_status(long st)
{
	return st == 429 || st == 503 || st == 424;
}

int
http_limit(const struct http *h)
{
	return h->limit;
}

/* Fewer requests in flight after a sign of overload; one more after
 * `limit` answers in a row without one. */
static void
adapt(struct http *h, int overloaded)
{
	int64_t now;

	h->busy += ((overloaded ? 1000 : 0) - h->busy) / 8;
	if (!overloaded) {
		if (h->limit < h->o.max_in_flight && ++h->good >= h->limit) {
			h->limit++;
			h->good = 0;
		}
		return;
	}
	h->good = 0;
	now = clock_mono_ms();
	if (now < h->calm_until || h->limit == 1)
		return;
	h->limit = (h->limit + 1) / 2;
	h->calm_until = now + SLOWDOWN_EVERY_MS;
	if (h->o.on_slowdown)
		h->o.on_slowdown(h->o.ctx, h->limit);
}

void
http_overloaded(struct http *h)
{
	adapt(h, 1);
}

/* Whether a failed request has used up its attempts and its time. */
static int
spent(const struct http *h, const struct http_req *r)
{
	return r->attempts > h->o.retries &&
	    clock_mono_ms() - r->first_ms >= h->o.retry_time_ms;
}

/* Exponential from base << 1 up to cap, with full jitter. */
static long
jittered(struct http *h, long base, long cap, int attempt)
{
	long top = base << (attempt < 6 ? attempt : 6);

	if (top > cap)
		top = cap;
	return (long)(rnd(h) % (uint64_t)(top + 1));
}

long
http_backoff_ms(struct http *h, int attempt)
{
	return jittered(h, BACKOFF_BASE_MS, BACKOFF_CAP_MS, attempt);
}

/* A failure that says nothing of the server's load: a 500 or 502, a
 * connection closed, reset or cut short.  It is retried soon, and so is
 * a busy refusal (503, 429, 424) while such refusals are a minority of
 * the recent answers: sending fewer at once is the answer to those;
 * timeouts and a run of refusals take the slow schedule. */
static int
random_failure(const struct http_req *r)
{
	int rc = r->transport_code;

	if (rc == CURLE_OK)
		return r->status == 500 || r->status == 502;
	return rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	    rc == CURLE_SEND_ERROR || rc == CURLE_PARTIAL_FILE;
}

static void
park(struct http *h, struct http_req *r, const char *why)
{
	int quick = random_failure(r) || (r->transport_code == CURLE_OK &&
	    overload_status(r->status) && h->busy < BUSY_SLOW);
	long delay = quick ?
	    jittered(h, FAST_BASE_MS, FAST_CAP_MS, r->attempts) :
	    http_backoff_ms(h, r->attempts);

	if (r->retry_after_ms > delay)
		delay = r->retry_after_ms;
	if (h->o.on_retry)
		h->o.on_retry(h->o.ctx, r->url, why, r->attempts, delay);
	r->due_ms = clock_mono_ms() + delay;
	r->next = h->parked;
	h->parked = r;
	h->nparked++;
}

static void
unlink_active(struct http *h, struct http_req *r)
{
	struct http_req **pp;

	for (pp = &h->active; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	r->next = NULL;
}

/* What an attempt put on the wire, counted, and charged for what the
 * estimate at its start missed. */
static void
wire(struct http *h, struct http_req *r, CURL *e)
{
	curl_off_t down = 0;
	long req = 0, resp_head = 0;

	/* the request: headers and the body of a POST of fields */
	curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &req);
	curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &resp_head);
	h->wire_sent += (uint64_t)req;
	h->wire_recv += (uint64_t)down + (uint64_t)resp_head;
	charge(h, (double)r->started_ms, (double)req + (double)down +
	    (double)resp_head - r->charged);
	r->charged = 0;
}

void
http_wire(const struct http *h, uint64_t *sent, uint64_t *received)
{
	*sent = h->wire_sent;
	*received = h->wire_recv;
}

/* Whether a transport error rc cannot heal by waiting; adds to r's error
 * what to try. */
static int
will_not_heal(const struct http *h, struct http_req *r, CURLcode rc)
{
	const char *advice = NULL;
	size_t n;

	switch (rc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_LOGIN_DENIED:
		break;
	case CURLE_SSL_CONNECT_ERROR:
		advice = strstr(r->error, "wrong version number") != NULL ?
		    "the server does not speak TLS there: try http:// instead "
		    "of https://" : "the TLS handshake failed: if the server "
		    "is plain http, try http:// instead of https://; else "
		    "check the port";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		advice = "the server's certificate cannot be verified: give its "
		    "CA with --cacert FILE, or -k to skip the check";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		advice = "the host name does not resolve: check its spelling";
		break;
	case CURLE_COULDNT_CONNECT:
		if (h->answered)
			return 0; /* it answered before: may come back */
		advice = "nothing listens there: check the host and the port, "
		    "and that the server runs";
		break;
	default:
		return 0;
	}
	n = strlen(r->error);
	if (advice != NULL && n + 3 < sizeof(r->error))
		snprintf(r->error + n, sizeof(r->error) - n, " (%s)", advice);
	return 1;
}

void
http_waiting(struct http *h)
{
	if (h->o.on_wait != NULL)
		h->o.on_wait(h->o.ctx, h);
}

int64_t
http_failing(const struct http *h, char *why, size_t n)
{
	const struct http_req *r, *worst = NULL;

	for (r = h->parked; r != NULL; r = r->next)
		if (worst == NULL || r->first_ms < worst->first_ms)
			worst = r;
	if (worst == NULL)
		return -1;
	if (worst->transport_code != 0)
		snprintf(why, n, "%s", worst->error);
	else
		snprintf(why, n, "HTTP %ld", worst->status);
	return clock_mono_ms() - worst->first_ms;
}

static void settle(struct http *h, struct http_req *r, CURLcode rc);

static void
completed(struct http *h, CURLMsg *m)
{
	struct http_req *r = NULL;
	CURL *e = m->easy_handle;
	CURLcode rc = m->data.result;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
	wire(h, r, e);
	curl_multi_remove_handle(h->multi, e);
	h->in_flight--;
	unlink_active(h, r);
	/* an answer cut off at max_response is still an answer */
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && r->resp_truncated))
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	settle(h, r, rc);
}

/* Whether a script's row answers r: not used up, and its match in the
 * URL or the body. */
static int
row_answers(const struct http_script_row *row, const struct http_req *r)
{
	if (row->times != 0 && row->used >= row->times)
		return 0;
	return row->match == NULL || strstr(r->url, row->match) != NULL ||
	    (r->body != NULL && memmem(r->body, r->body_len, row->match,
	    strlen(row->match)) != NULL);
}

/* Answers the requests started under the script, in order. */
static void
answer_scripted(struct http *h)
{
	struct http_script *sc = h->o.script;
	struct http_script_row *row;
	struct http_req *r;
	size_t i, n, max;

	while ((r = h->active) != NULL) {
		h->active = r->next;
		r->next = NULL;
		h->in_flight--;
		for (row = NULL, i = 0; i < sc->n && row == NULL; i++)
			if (row_answers(&sc->rows[i], r))
				row = &sc->rows[i];
		if (sc->seen != NULL)
			sc->seen(sc->ctx, r, row);
		if (row == NULL) {
			r->status = 599;
			buf_puts(&r->resp, "no scripted answer");
			settle(h, r, CURLE_OK);
			continue;
		}
		row->used++;
		if (row->status == 0) {
			snprintf(r->error, sizeof(r->error), "Empty reply from "
			    "server (scripted)");
			settle(h, r, CURLE_GOT_NOTHING);
			continue;
		}
		r->status = row->status;
		n = row->body != NULL ? strlen(row->body) : 0;
		max = r->max_resp;
		if (n > max) {
			n = max;
			r->resp_truncated = 1;
		}
		buf_append(&r->resp, row->body != NULL ? row->body : "", n);
		settle(h, r, r->resp_truncated ? CURLE_WRITE_ERROR : CURLE_OK);
	}
}

/* What an attempt's end means: done, a retry, or given up. */
static void
settle(struct http *h, struct http_req *r, CURLcode rc)
{
	char why[300];

	r->transport_code = (int)rc;
	r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
	r->got_nothing = rc == CURLE_GOT_NOTHING;
	/* an answer cut off at max_response is still an answer */
	if (rc == CURLE_WRITE_ERROR && r->resp_truncated)
		rc = CURLE_OK;
	if (rc == CURLE_OK) {
		h->answered = 1;
		adapt(h, overload_status(r->status) ||
		    r->retry_after_ms > 0);
		if (r->status >= 200 && r->status <= 299) {
			h->failures = 0;
			finish(h, r, HTTP_DONE_2XX);
			return;
		}
		if (!h->o.retryable(r)) {
			h->failures = 0; /* a server that answers for good */
			finish(h, r, HTTP_DONE_STATUS);
			return;
		}
		h->failures++;
		if (spent(h, r)) {
			finish(h, r, HTTP_GAVE_UP_STATUS);
			return;
		}
		snprintf(why, sizeof(why), "HTTP %ld", r->status);
		park(h, r, why);
		return;
	}
	if (r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s",
		    curl_easy_strerror(rc));
	if (r->timed_out)
		adapt(h, 1);
	h->failures++;
	/* URL, TLS and name errors will not heal, nor a refused
	 * connection to a server that never answered: said at once */
	if (will_not_heal(h, r, rc) || (r->timed_out && r->no_timeout_retry) ||
	    spent(h, r)) {
		finish(h, r, HTTP_GAVE_UP_TRANSPORT);
		return;
	}
	/* a body that went out and got no answer, sent again: the server
	 * may hold it twice */
	if (r->body != NULL && r->upload_off > 0)
		r->resent++;
	park(h, r, r->error);
}

int
http_pump(struct http *h, int wait_fd, int timeout_ms)
{
	struct curl_waitfd wfd;
	int running = 0, numfds = 0, msgs, readable = 0;
	int64_t now, held, wait = timeout_ms;
	struct http_req *r;
	CURLMsg *m;
	uint64_t finished = h->finished;

	top_up(h);
	if (h->o.script != NULL) {
		/* due retries are started by top_up; one not yet due waits
		 * its (real) time, a few ms at a time */
		answer_scripted(h);
		top_up(h);
		if (h->finished == finished && h->parked != NULL &&
		    h->active == NULL)
			poll(NULL, 0, 5);
		return 0;
	}
	curl_multi_perform(h->multi, &running);
	while ((m = curl_multi_info_read(h->multi, &msgs)) != NULL)
		if (m->msg == CURLMSG_DONE)
			completed(h, m);
	top_up(h);
	/* a callback ran: the caller may have more to queue */
	if (h->finished != finished)
		return 0;
	now = clock_mono_ms();
	/* a due retry with no free slot waits for a transfer to end, which
	 * wakes the poll: polling for it with no timeout would spin; one
	 * that is due but held by the rate limits waits for the instant
	 * they allow, not for its due time, which has passed */
	held = rate_wait(h, now);
	for (r = h->parked; r && h->in_flight < h->limit; r = r->next) {
		int64_t at = r->due_ms - now > held ? r->due_ms - now : held;

		if (at < wait)
			wait = at > 0 ? at : 0;
	}
	/* a start held back by the rate limits: poll until it may go */
	if ((h->queue_head != NULL || h->parked != NULL) &&
	    h->in_flight < h->limit && held > 0 && held < wait)
		wait = held;
	/* (a queued request with no transfer in flight is held by the
	 * rate limits: wait for it below) */
	if (h->in_flight == 0 && wait_fd < 0 && h->parked == NULL &&
	    h->queue_head == NULL)
		return 0;
	memset(&wfd, 0, sizeof(wfd));
	wfd.fd = wait_fd;
	wfd.events = CURL_WAIT_POLLIN;
	/* a signal interrupts the poll: then at most this long passes
	 * before it is seen */
	if (h->o.stop != NULL && wait > 250)
		wait = 250;
	/* kept requests after a stop: end them at the grace's end */
	if (h->stop_ms != 0 && wait > STOP_GRACE_MS / 4)
		wait = STOP_GRACE_MS / 4;
	curl_multi_poll(h->multi, wait_fd >= 0 ? &wfd : NULL,
	    wait_fd >= 0 ? 1 : 0, (int)wait, &numfds);
	if (wait_fd >= 0 && wfd.revents != 0)
		readable = 1;
	curl_multi_perform(h->multi, &running);
	while ((m = curl_multi_info_read(h->multi, &msgs)) != NULL)
		if (m->msg == CURLMSG_DONE)
			completed(h, m);
	top_up(h);
	return readable;
}

static void
sync_done(struct http_req *r, void *ctx)
{
	*(struct http_req **)ctx = r;
}

struct http_req *
http_request_sync(struct http *h, struct http_req *r)
{
	struct http_req *done = NULL;

	r->done = sync_done;
	r->ctx = &done;
	http_submit(h, r);
	while (done == NULL) {
		http_pump(h, -1, 250);
		if (done == NULL && h->o.on_wait != NULL)
			h->o.on_wait(h->o.ctx, h);
	}
	return done;
}

void
http_count(const struct http_req *r, uint64_t *requests, uint64_t *retries)
{
	*requests += (uint64_t)r->attempts;
	if (r->attempts > 1)
		*retries += (uint64_t)(r->attempts - 1);
}

int
http_wait_slot(struct http *h, const struct http_loop *l,
    int (*ready)(void *ctx))
{
	for (;;) {
		if (l->give_up != NULL && l->give_up(l->ctx))
			return -1;
		if (http_busy(h) < (size_t)http_limit(h) &&
		    (ready == NULL || ready(l->ctx)))
			return 0;
		if (l->tick != NULL)
			l->tick(l->ctx);
		http_pump(h, -1, 500);
	}
}

void
http_drain(struct http *h, const struct http_loop *l)
{
	while (http_pending(h) > 0) {
		if (l->tick != NULL)
			l->tick(l->ctx);
		http_pump(h, -1, 500);
	}
}
