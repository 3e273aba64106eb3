/*
 * runner.h - one stage run: build, make the input, connect the receiver,
 * trace the stage binary, account, and let the checker decide.
 */
#ifndef ZCL_RUNNER_H
#define ZCL_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "account.h"
#include "collect.h"
#include "extents.h"
#include "stages.h"
#include "tracer.h"

enum zcl_verdict {
	ZV_PASS,
	ZV_NOT_IMPLEMENTED,
	ZV_WRONG_BYTES,
	ZV_RULE,
	ZV_CRASH,
	ZV_TIMEOUT,
	ZV_COMPILE_ERROR,
	ZV_ERROR,          /* the function returned -1: a syscall failed (named) */
	ZV_WRONG_RETURN,   /* the function returned something other than 0 or -1 */
};

#define ZCL_MAX_VIOLATIONS 8

struct zcl_run {
	/* what to run (set by the caller) */
	const struct zcl_stage *stage;
	bool solution;          /* solutions/ instead of exercises/ */
	uint64_t size;          /* generated input size (ignored with file) */
	const char *file;       /* the user's own input file, or NULL */
	uint64_t seed;
	bool warm;              /* keep the input in the page cache */
	bool sg;                /* model a scatter-gather NIC */
	double timeout_s;
	enum zcl_inject inject;
	int sndbuf;             /* SO_SNDBUF of the stage's socket, bytes; 0: the default */
	bool untraced;          /* run without the tracer, to time it (no copy accounting,
				 * so the checker can judge the bytes only) */
	const struct zcl_sink *sinks; /* extra consumers of the event stream */
	const uint64_t *received_live; /* set during the run: the receiver's count so far
					* (read it with __atomic_load_n); NULL outside it */
	size_t nsinks;

	/* what happened (set by zcl_run_stage) */
	char *diag;             /* compiler output (malloc'd; zcl_run_free) */
	struct zcl_trace_result tr;
	struct zcl_totals totals;
	struct zcl_kernel_acct kernel;
	uint64_t expected_bytes, received_bytes;
	int64_t first_mismatch; /* -1: none (two outputs: the first wrong byte of either) */
	uint64_t received_by[2]; /* each output's bytes (two sockets: each receiver's count) */
	int64_t mismatch_by[2];  /* each output's first wrong byte, -1: none */
	struct zcl_extents out_extents; /* an output file: its extents after the run (FIEMAP) */
	size_t header_len;
	bool tmpfs;             /* the input lives in RAM: no disk */
	int64_t cache_after_evict; /* bytes still cached after eviction (cold runs) */
	char output[1024];      /* the tail of the program's stdout+stderr */
	double seconds;         /* untraced: wall time of the program, fork to exit */

	/* the sandbox and the limits (set by zcl_run_stage) */
	unsigned layers;        /* ZCL_LAYER_* bits in force (view.h) */
	char sandbox[400];      /* the layers and limits in force, one line for the result */
	char start_error[256];  /* the program could not start (exec failed): why; "" otherwise */
	bool stack_overflow;    /* it died of SIGSEGV beyond its stack limit */
	bool memory_limit_hit;  /* the memory cgroup's limit killed it */
	char timeout_detail[320]; /* timed out: what it was doing, bytes so far */
	int prefix_violations;  /* timed out: rules broken in what was traced, judged as if the input
				 * were the bytes that arrived (-1: not judged); grader.c uses it */

	/* the checker's decision (zcl_check_run) */
	enum zcl_verdict verdict;
	char reason[256];       /* one line saying why */
	char violations[ZCL_MAX_VIOLATIONS][200];
	int nviolations;
	char crosscheck[512];   /* disagreements with /proc/PID/io, empty if none */
	int crosscheck_bad;     /* lines in crosscheck; -1: not available */
};

/* Run r->stage and decide. Returns 0 when there is a verdict (whatever it
 * is), -1 with a one-line message in err for an environment or usage error
 * (input missing or a directory, ptrace not permitted, no compiler). */
int zcl_run_stage(struct zcl_run *r, char *err, size_t errlen);

/* Free what a run allocated. Can't fail. */
void zcl_run_free(struct zcl_run *r);

/* Remove dir and everything below it (not following links); errors are
 * ignored: what cannot be removed stays. For scratch directories. */
void zcl_rm_rf(const char *dir);

/* The checker: set verdict, reason and violations from what happened. */
void zcl_check_run(struct zcl_run *r);

const char *zcl_verdict_name(enum zcl_verdict v);

#endif
