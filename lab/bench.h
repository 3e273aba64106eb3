/*
 * bench.h - one timed round of a stage, without the tracer: what the
 * sender's call costs in wall time and in CPU time, by the kernel's own
 * accounting of the sending process, and what the receiver spent apart.
 */
#ifndef ZCL_BENCH_H
#define ZCL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stages.h"

/* What one round measured. The sender's figures cover the stage function
 * alone: the harness reads the clocks just before and just after it
 * (lab/harness.c, ZCL_TIMING_FD), so exec, the dynamic loader and exit are
 * not in them. */
struct zcl_bench_sample {
	double wall_s;       /* the call, CLOCK_MONOTONIC */
	double cpu_s;        /* the sending process's CPU, CLOCK_PROCESS_CPUTIME_ID (ns-exact) */
	double user_s, sys_s; /* getrusage(2) split of it (sampled at each tick: approximate) */
	double recv_cpu_s;   /* the receiver thread's CPU, CLOCK_THREAD_CPUTIME_ID */
	long minflt, majflt; /* page faults of the sender during the call */
};

/* One round to run. */
struct zcl_bench_job {
	const struct zcl_stage *stage;
	const char *bin;      /* the stage binary (zcl_bench_prepare copied it into dir) */
	const char *input;    /* the input file */
	uint64_t size;        /* its size in bytes */
	uint64_t chunk;       /* 0: the stage's own calls; else at most this many bytes per call */
	const char *shim;     /* with chunk: the library that caps each call (zcl_bench_shim) */
	bool warm;            /* input in the page cache (else evicted first) */
	bool copy_receiver;   /* the receiver read()s into a buffer; else it discards (MSG_TRUNC) */
	bool sandbox;         /* the sandbox's walls (uid, limits, Landlock): a student's code */
	const char *dir;      /* scratch directory the program runs in */
	double timeout_s;     /* wall-clock limit of the round */
};

/* Run one round. Returns 0 with *out filled; 1 when the round could not be
 * timed (the program failed, sent the wrong count, did not report), with a
 * sentence in why; -1 with a message in why for an environment error
 * (fork, socket, input missing). Kills what it started in every case. */
int zcl_bench_round(const struct zcl_bench_job *j, struct zcl_bench_sample *out, char *why, size_t whylen);

/* The sender's and the receiver's CPUs: the first two this process may
 * use, so that where the scheduler puts them does not change the figures
 * from one round to the next; -1 each when there is only one (then the
 * receiver sleeps in recv() instead of polling). Can't fail. */
void zcl_bench_cpus(int cpu[2]);

/* Build the chunk-capping library (lab/shim/chunkcap.c, LD_PRELOAD) into
 * dir; its path into path. 0, or -1 with a message in err (no compiler). */
int zcl_bench_shim(const char *dir, char *path, size_t pathlen, char *err, size_t errlen);

/* Copy the stage binary `from` to dir/NAME, executable; path into `to`.
 * The program then needs no access to the lab's tree. 0, or -1 with errno. */
int zcl_bench_copy_exe(const char *from, const char *dir, const char *name, char *to, size_t tolen);

#endif
