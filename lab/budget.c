/*
 * budget.c - the watchdog that charges the tracer's cost to the tracer.
 *
 * Every 20 ms it compares the wall time since the start with the limit
 * plus the allowance earned by the syscalls traced so far; past it (or past
 * the cap) it kills the program through the tracer's kill switch.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "deadline.h"
#include "budget.h"
#include "model.h"
#include "params.h"

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *watch(void *arg)
{
	struct zcl_budget *b = arg;
	double t0 = mono();
	pthread_mutex_lock(&b->mu);
	while (!b->done) {
		/* wake every 20 ms, or at once when the run ends */
		struct timespec dl = zcl_deadline_in(0.020);
		pthread_cond_timedwait(&b->cv, &b->mu, &dl);
		if (b->done)
			break;
		double dt = mono() - t0;
		double allowed = b->limit_s + (double)__atomic_load_n(&b->calls, __ATOMIC_RELAXED) * b->per_call_s;
		if (dt > allowed || dt > b->cap_s) {
			b->elapsed = dt;
			__atomic_store_n(&b->fired, true, __ATOMIC_RELEASE);
			zcl_trace_kill_current();
			break;
		}
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

void zcl_budget_start(struct zcl_budget *b, double limit_s, bool traced)
{
	memset(b, 0, sizeof *b);
	b->limit_s = limit_s;
	b->cap_s = traced ? limit_s * ZCL_WALL_FACTOR : limit_s;
	b->per_call_s = traced ? ZCL_TRACE_ALLOWANCE_US / 1e6 : 0;
	b->last_nr = b->inside_nr = -1;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (limit_s > 0)
		b->started = pthread_create(&b->thread, NULL, watch, b) == 0;
}

static void count(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	(void)ev, (void)n;
	struct zcl_budget *b = ctx;
	__atomic_add_fetch(&b->calls, 1, __ATOMIC_RELAXED);
	b->inside_nr = -1;
	if (r->nr == b->last_nr && r->ret == b->last_ret) {
		b->last_run++;
	} else {
		b->last_nr = r->nr;
		b->last_ret = r->ret;
		b->last_run = 1;
	}
}

/* A syscall starts: until it finishes, the program is inside it. */
static void enter(void *ctx, const struct zcl_sysrec *r)
{
	struct zcl_budget *b = ctx;
	b->inside_nr = r->nr;
}

struct zcl_sink zcl_budget_sink(struct zcl_budget *b)
{
	return (struct zcl_sink){.ctx = b, .step = count, .entry = enter};
}

bool zcl_budget_stop(struct zcl_budget *b)
{
	pthread_mutex_lock(&b->mu);
	b->done = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	if (b->started)
		pthread_join(b->thread, NULL);
	b->started = false;
	return __atomic_load_n(&b->fired, __ATOMIC_ACQUIRE);
}

void zcl_budget_describe(const struct zcl_budget *b, char *buf, size_t len)
{
	char inside[64] = "";
	if (b->inside_nr >= 0)
		snprintf(inside, sizeof inside, "inside %s(); ", zcl_syscall_name(b->inside_nr));
	if (b->last_nr < 0) {
		snprintf(buf, len, "%sno syscall finished", inside);
		return;
	}
	snprintf(buf, len, "%sthe last syscall to finish was %s() = %lld, %llu time%s in a row; %llu syscalls in all",
		 inside, zcl_syscall_name(b->last_nr), (long long)b->last_ret, (unsigned long long)b->last_run,
		 b->last_run == 1 ? "" : "s", (unsigned long long)b->calls);
}
