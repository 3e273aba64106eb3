/*
 * runs.h - zcl trace's fast mode checks a thread's deferred reads and writes
 * in runs: the calls are held, and one reading of the thread's I/O counters
 * at the run's end proves (or not) what each returned (see runs.c).
 */
#ifndef ZCL_RUNS_H
#define ZCL_RUNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "event.h"
#include "model.h"
#include "tasks.h"

/* May deferred call r join its thread's run? */
enum zcl_run_admit {
	ZCL_RUN_JOIN,  /* yes (room for it is reserved: zcl_run_hold cannot fail) */
	ZCL_RUN_CLOSE, /* close the pending run first (it is full, or r's byte count is
			* not one argument and so r must be checked alone); then ask again */
	ZCL_RUN_NOMEM, /* no memory to hold it: do not defer r */
};

/* At r's entry (r deferrable, rule its model row): may it join r->pid's run?
 * Grows the thread's queue so that the hold after the call cannot fail. */
enum zcl_run_admit zcl_run_admit(const struct zcl_sysrec *r, const struct zcl_rule *rule);

/* Hold deferred call r (a copy) until its run is closed. After
 * zcl_run_admit said ZCL_RUN_JOIN for it: can't fail. */
void zcl_run_hold(const struct zcl_sysrec *r);

/* Does thread tid hold calls? */
bool zcl_run_pending(pid_t tid);

/* The thread of a pending run whose calls were checked the longest ago
 * (any pending run); 0 when none is pending. For the end-of-trace flush. */
pid_t zcl_run_any(void);

/* A finished call of a closed run, in order. disk: the disk was read during
 * the run and this is the run's last call on its watched file (measure the
 * fill now). */
typedef void (*zcl_run_emit_fn)(struct zcl_sysrec *r, bool disk);

/* Close tid's run: before = the thread's counters when the run began, after
 * = now (NULL: they could not be read; every held result is then unknown).
 * Each held call gets its result (exact, proven failed, or ambiguous: see
 * runs.c) and goes to emit, in the order the calls were made; the run is
 * then empty and its next length chosen. Can't fail. */
void zcl_run_close(pid_t tid, const struct zcl_taskio *before, const struct zcl_taskio *after,
		   zcl_run_emit_fn emit);

/* Thread tid is gone, or new (a reused number): its entry is removed (its
 * runs start again at length 1 if it comes back). A pending run must have been closed (it is
 * kept otherwise). Can't fail. */
void zcl_run_forget(pid_t tid);

/* Threads with an entry now (seen and not forgotten): what the table
 * holds, for tests. */
size_t zcl_runs_threads(void);

/* Free every run, emitting nothing (a new collection). Can't fail. */
void zcl_runs_reset(void);

#endif
