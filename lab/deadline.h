/*
 * deadline.h - absolute deadlines and bounded joins, and a function called
 * once at a wall-clock deadline from a thread
 * of its own, unless stopped first (the tracer's --timeout; see deadline.c).
 */
#ifndef ZCL_DEADLINE_H
#define ZCL_DEADLINE_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

/* CLOCK_REALTIME now plus seconds (>= 0): the absolute time that
 * pthread_cond_timedwait(3) and pthread_timedjoin_np(3) take. Can't fail. */
struct timespec zcl_deadline_in(double seconds);

/* Join th, waiting at most grace_s seconds. True if it ended by itself;
 * false if it did not: the caller must then make it end (a stop flag, a
 * shutdown(2)) and pthread_join() it. */
bool zcl_join_within(pthread_t th, double grace_s);

struct zcl_deadline {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running;        /* the thread was started */
	bool stopped;        /* zcl_deadline_stop() was called */
	double seconds;      /* from the start */
	void (*fire)(void *arg);
	void *arg;
};

/* Start the clock: fire(arg) runs once, on the deadline's own thread, after
 * seconds (none if seconds <= 0). fire must be thread-safe. Can't fail: if
 * no thread can be made, there is no deadline (d->running is false). */
void zcl_deadline_start(struct zcl_deadline *d, double seconds, void (*fire)(void *), void *arg);

/* Stop the clock (fire() will not run from now on, or has run) and free
 * the thread. Can't fail. */
void zcl_deadline_stop(struct zcl_deadline *d);

#endif
