/*
 * app.h - the animated front end: a stage run (or the tour) on screen.
 * No curses here: callers in lab/ include this header only.
 */
#ifndef ZCL_APP_H
#define ZCL_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stages.h"

struct zcl_app_opts {
	const struct zcl_stage *stage;
	bool solution, warm, sg;
	bool step;            /* start in step mode (one syscall per key) */
	bool tour;            /* stages 1-4 with the solutions, narrated */
	bool once;            /* leave after the first run (scripts, benchmarks) */
	uint64_t size, seed;
	const char *file;     /* the user's own input, or NULL */
	double timeout_s;     /* used in run mode; step mode waits for the student */
	int speed;            /* 1 (slowest) .. 9 (nothing animated); 0: ZCL_PACE_DEFAULT */
	const char *cast;     /* record an asciinema file here, or NULL */
	const char *record;   /* write each run's event stream here (lab/record.h), or NULL */
	const char *replay;   /* play this recording instead of running anything, or NULL */
	volatile int *interrupted; /* set by a signal handler: leave (may be NULL) */
	bool trace;           /* zcl trace --tui (zcl_app_trace sets it): any program, no stage */
};

/* Run the TUI until the user quits. Returns 0 when the last run that
 * finished passed (or none finished: a run stopped with q is "stopped by
 * you", not a verdict), 1 when it did not, -1 with err when the terminal,
 * a run or the replay could not be had (the caller then prints err). The
 * terminal is restored on every path. */
int zcl_app_run(const struct zcl_app_opts *o, char *err, size_t errlen);

/* Can this terminal take the animated view? false, with why ("TERM=dumb
 * has no cursor addressing"), when terminfo has no cursor addressing (cup)
 * or does not know TERM. Needs no curses from the caller. */
bool zcl_app_terminal_ok(char *why, size_t len);

/* zcl trace --tui: the caller traces the program. It must call anim->entry
 * (if it likes) before each syscall and anim->step after it, for every
 * step of every process; write how the program ended into how (one line,
 * "cat exited with status 0"); and return the status zcl exits with
 * (>= 0), or -1 with err. It runs on the calling thread; the animation
 * happens inside anim's calls (the program waits meanwhile). */
struct zcl_sink;
typedef int (*zcl_app_trace_fn)(void *ctx, const struct zcl_sink *anim, char *how, size_t howlen,
				char *err, size_t errlen);

struct zcl_app_trace {
	const char *cmd;      /* the program's name: the title and the comparison's row */
	bool sg;              /* the model's scatter-gather switch (shown in the title) */
	bool step, once;      /* as in zcl_app_opts */
	int speed;
	const char *cast;
	volatile int *interrupted;
	zcl_app_trace_fn run; /* traces the program (see above) */
	void *ctx;
};

/* Any program, animated (viz/trace_app.c): the scene of a stage run drawn
 * from what the program does, one process at a time (n / p pick it, or
 * all of them), its totals beside the stages' targets (Tab). Runs t->run
 * once, then waits for q. Returns run's status, or -1 with err (the
 * terminal, or the run, could not be had). The terminal is restored on
 * every path. */
int zcl_app_trace(const struct zcl_app_trace *t, char *err, size_t errlen);

#endif
