/*
 * collect.h - the collectors: what the tracer's raw syscalls need before the
 * model can read them, and the hand-off of each finished step to a sink.
 *
 * For every traced syscall the collector classifies its descriptors, measures
 * page-cache residency of the file it touches, notes whether a write's buffer
 * lies in a file mapping and whether a send is held back (MSG_MORE,
 * TCP_CORK), opens and closes the harness's bracket, decides fault injection,
 * runs the model, and calls the sink with the record and its events - the
 * one event stream every consumer reads.
 */
#ifndef ZCL_COLLECT_H
#define ZCL_COLLECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "tracer.h"

/* A consumer of the event stream. */
struct zcl_sink {
	void *ctx;
	void (*step)(void *ctx, const struct zcl_sysrec *rec, const struct zcl_event *ev, size_t n);
	/* Optional: a syscall is about to run (rec has no result yet). The
	 * program waits until this returns: the viz's step mode holds it here. */
	void (*entry)(void *ctx, const struct zcl_sysrec *rec);
};

/* The kernel's own accounting of a process (/proc/PID/io and status). */
struct zcl_procio {
	bool valid;
	uint64_t rchar, wchar, syscr, syscw;
	uint64_t read_bytes;       /* bytes the process made the disk read (readahead, io_uring too) */
	uint64_t write_bytes;      /* bytes it dirtied in the page cache, to be written back */
	uint64_t vol_cs, invol_cs; /* scheduler context switches */
};

struct zcl_collect_opts {
	bool sg;                 /* model a NIC with scatter-gather */
	bool bracket;            /* stage run: events count only between markers */
	unsigned long token;     /* the markers' per-run token */
	enum zcl_inject inject;  /* fault to inject into every Nth data call */
	bool sandbox;            /* stage runs: refuse what sandbox.c refuses */
	bool allow_uring;        /* ... but io_uring (the stage's row says so) */
	bool fast;               /* zcl trace: no exit stop for read/write-type calls; their
				  * byte counts come from the thread's rchar/wchar, read once
				  * per run of such calls (runs.h) */
};

/* Start collecting (one collection per process at a time). sinks: n sinks
 * called in order for every step. Can't fail. */
void zcl_collect_begin(const struct zcl_collect_opts *o, const struct zcl_sink *sinks, size_t n);

/* The tracer hooks that feed the collector. */
const struct zcl_tracer_hooks *zcl_collect_hooks(void);

/* The syscalls `zcl trace` must trap: every modelled one plus those that
 * change descriptors, mappings or processes. Ends with -1. */
const int *zcl_collect_trap_list(void);

/* The kernel's accounting of the first process over the counted span (it
 * includes the children it has reaped):
 * stage runs read /proc/PID/io at the two markers, zcl trace at the first
 * exec (after the kernel loaded the program) and at the exit. */
struct zcl_kernel_acct {
	struct zcl_procio begin, end; /* end.vol_cs/invol_cs: at the process's exit */
	struct zcl_procio excluded;   /* the kernel's own reads while loading a program
				       * (every exec after the first): not the program's I/O */
	const char *not_compared;     /* why the lab's counts and these figures cover different
				       * things (static text), NULL when they can be compared */
};
/* Call once the trace is over: it first settles the fast mode's pending
 * runs, so every call has gone to the sinks when it returns. Can't fail. */
struct zcl_kernel_acct zcl_collect_kernel(void);

/* Hand any call still held in a fast-mode run to the sinks (its result
 * unknown if its thread is gone), release the lab's descriptors on watched
 * files and free the run's tables (descriptor names stay readable until the
 * next zcl_fd_set_lab). */
void zcl_collect_end(void);

/* Read /proc/PID/io and /proc/PID/status (its context switches) of a live
 * process. 0 or -1. */
int zcl_procio_read(pid_t pid, struct zcl_procio *io);

/* /proc/PID/io only (vol_cs, invol_cs left 0): the figures a begin or an
 * exec needs, without the larger status file. 0 or -1. */
int zcl_procio_read_io(pid_t pid, struct zcl_procio *io);

#endif
