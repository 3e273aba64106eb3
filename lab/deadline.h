/*
 * deadline.h - call a function once at a wall-clock deadline, from a thread
 * of its own, unless stopped first (the tracer's --timeout; see deadline.c).
 */
#ifndef ZCL_DEADLINE_H
#define ZCL_DEADLINE_H

#include <pthread.h>
#include <stdbool.h>

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
