/*
 * watch_app.h - `zcl watch`, rustlings-style. No curses here.
 */
#ifndef ZCL_WATCH_APP_H
#define ZCL_WATCH_APP_H

#include <stddef.h>
#include <stdint.h>

struct zcl_watch_opts {
	uint64_t size, seed;
	double timeout_s;
	volatile int *interrupted; /* set by a signal handler: leave */
};

/* Watch exercises/ until q. Returns 0 when every stage is done, 1 when
 * some are pending, -1 with err when there is no terminal. */
int zcl_watch_run(const struct zcl_watch_opts *o, char *err, size_t errlen);

#endif
