/* follow.c - otsdb-dump --follow's scheduler: each round dumps every
 * metric from where the last one ended to the end of the last frame that
 * is LAG old; metrics found in between are first caught up from
 * TIME_START, so each metric's output is a gap-free prefix of time */
#include "config.h"

#include <string.h>

#include "follow.h"
#include "frames.h"
#include "strvec.h"

static void
mark(const struct follow_ops *ops, int64_t before_ms)
{
	if (ops->mark != NULL)
		ops->mark(ops->ctx, before_ms);
}

/* Looks for new metrics and catches them up to *done.  0, or -1 when
 * the run is to end: if a catch-up stopped, its metrics are complete
 * before no later instant than TIME_START, and *done says so. */
static int
rediscover(const struct follow_config *cfg, const struct follow_ops *ops,
    struct strvec *names, size_t sorted, size_t *known, int64_t *done)
{
	struct strvec found;
	size_t i;

	strvec_init(&found);
	if (ops->discover(ops->ctx, &found) < 0) {
		strvec_free(&found);
		return -1;
	}
	for (i = 0; i < found.n; i++)
		if (!strvec_has(names, sorted, found.v[i]))
			strvec_add(names, found.v[i], strlen(found.v[i]));
	strvec_free(&found);
	if (names->n == *known)
		return 0;
	if (ops->found != NULL)
		ops->found(ops->ctx, names->n - *known);
	if (*done > cfg->start_ms) {
		/* the new metrics hold nothing yet: what the output holds
		 * of every metric is complete before TIME_START only */
		mark(ops, cfg->start_ms);
		if (ops->dump(ops->ctx, names, *known, cfg->start_ms,
		    *done) < 0) {
			*done = cfg->start_ms;
			return -1;
		}
		mark(ops, *done);
	}
	*known = names->n;
	return 0;
}

void
follow_run(const struct follow_config *cfg, const struct follow_ops *ops,
    struct strvec *names, int64_t *done_ms)
{
	int64_t done = cfg->start_ms, stop, looked = ops->mono_ms(ops->ctx);
	size_t known = names->n, sorted = names->n;

	*done_ms = done;
	while (!ops->stopped(ops->ctx)) {
		stop = frames_complete_before(cfg->start_ms, cfg->frame_ms,
		    ops->wall_ms(ops->ctx) - cfg->lag_ms);
		if (stop > done) {
			/* the metrics known, then any found since, from the
			 * start: each is a gap-free prefix of time */
			if (ops->dump(ops->ctx, names, 0, done, stop) < 0)
				break;
			done = stop;
			*done_ms = done;
			mark(ops, done);
			continue;
		}
		if (ops->mono_ms(ops->ctx) - looked >=
		    frames_rediscover_ms(cfg->frame_ms)) {
			looked = ops->mono_ms(ops->ctx);
			if (rediscover(cfg, ops, names, sorted, &known,
			    &done) < 0) {
				*done_ms = done;
				break;
			}
			continue;
		}
		ops->wait(ops->ctx, FOLLOW_STEP_MS);
	}
}
