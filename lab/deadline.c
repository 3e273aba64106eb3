/*
 * deadline.c - a thread that sleeps until a wall-clock deadline on a
 * condition variable (pthread_cond_timedwait, CLOCK_REALTIME) and then calls
 * fire(), unless it is woken up and told to stop first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "deadline.h"

struct timespec zcl_deadline_in(double seconds)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	double whole = (double)(long)seconds;
	dl.tv_sec += (time_t)whole;
	dl.tv_nsec += (long)((seconds - whole) * 1e9);
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	return dl;
}

bool zcl_join_within(pthread_t th, double grace_s)
{
	struct timespec dl = zcl_deadline_in(grace_s);
	return pthread_timedjoin_np(th, NULL, &dl) == 0;
}

static void *wait_for_it(void *arg)
{
	struct zcl_deadline *d = arg;
	struct timespec dl = zcl_deadline_in(d->seconds);
	pthread_mutex_lock(&d->mu);
	while (!d->stopped) {
		if (pthread_cond_timedwait(&d->cv, &d->mu, &dl) == ETIMEDOUT) {
			d->fire(d->arg);
			break;
		}
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

void zcl_deadline_start(struct zcl_deadline *d, double seconds, void (*fire)(void *), void *arg)
{
	*d = (struct zcl_deadline){.seconds = seconds, .fire = fire, .arg = arg};
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->running = seconds > 0 && pthread_create(&d->thread, NULL, wait_for_it, d) == 0;
}

void zcl_deadline_stop(struct zcl_deadline *d)
{
	pthread_mutex_lock(&d->mu);
	d->stopped = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	if (d->running)
		pthread_join(d->thread, NULL);
	d->running = false;
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
}
