/*
 * budget.h - a run's time limit, charged to the program and not to the
 * tracer, and what the program was doing when the limit was hit.
 *
 * The limit is on the program's own time: its CPU time (RLIMIT_CPU, set in
 * the child) and the time it spends blocked. Each traced syscall costs the
 * tracer a few ptrace stops, so a watchdog grants the run its limit plus
 * ZCL_TRACE_ALLOWANCE_US per traced syscall, up to ZCL_WALL_FACTOR times
 * the limit in wall-clock time. A sink counts the syscalls and remembers
 * the last kind (and how many times in a row it came) for the verdict.
 */
#ifndef ZCL_BUDGET_H
#define ZCL_BUDGET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "collect.h"

struct zcl_budget {
	double limit_s, cap_s;     /* the limit; the wall-clock cap */
	double per_call_s;         /* wall time granted per traced syscall */
	uint64_t calls;            /* syscalls seen (atomic) */
	long last_nr;              /* the last syscall ... */
	int64_t last_ret;          /* ... its last result ... */
	uint64_t last_run;         /* ... and how many times in a row */
	long inside_nr;            /* a syscall entered and not finished, or -1 */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;        /* guards done; cv wakes the watchdog */
	pthread_cond_t cv;
	bool done;                 /* the run is over */
	bool fired;                /* atomic: the watchdog killed the program */
	double elapsed;            /* wall time when it fired or the run ended */
};

/* Arm the watchdog for a run with a limit of limit_s (traced: with the
 * per-syscall allowance). Call right before the program starts. Can't
 * fail (without a thread the tracer's own deadline at the cap still holds). */
void zcl_budget_start(struct zcl_budget *b, double limit_s, bool traced);

/* The sink that counts syscalls for b (ctx = b). */
struct zcl_sink zcl_budget_sink(struct zcl_budget *b);

/* Stop the watchdog. True when it killed the program. Can't fail. */
bool zcl_budget_stop(struct zcl_budget *b);

/* One sentence on what the program was doing at the end: "inside
 * nanosleep(); the last syscall to finish was sendfile() = 0, 1400000
 * times in a row; 1234 syscalls in all". Can't fail. */
void zcl_budget_describe(const struct zcl_budget *b, char *buf, size_t len);

#endif
