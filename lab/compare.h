/*
 * compare.h - zcl bench: every stage of the table, side by side, by what
 * zero-copy changes: the sender's CPU time per GiB sent, and throughput.
 * A sweep over file sizes, chunk sizes and a warm or cold cache, repeated
 * rounds, medians and the spread; ratios to the first stage (read+write).
 */
#ifndef ZCL_COMPARE_H
#define ZCL_COMPARE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "stages.h"

/* The median and the spread of one figure over the rounds. */
struct zcl_stat {
	double median, min, max;
};

/* One stage at one size, chunk and cache state. */
struct zcl_bench_cell {
	const struct zcl_stage *stage;
	uint64_t size, chunk;      /* chunk 0: the stage's own calls */
	bool warm;
	struct zcl_bench_sample *samples; /* n rounds (malloc'd; zcl_bench_free) */
	int n;
	char why[200];             /* not timed: why; empty when timed */
	/* from the samples (zcl_bench_run fills them) */
	struct zcl_stat gib_s;     /* bytes sent / wall time of the call, GiB/s */
	struct zcl_stat cpu_s_gib; /* sender CPU seconds per GiB (user + system) */
	struct zcl_stat user_s_gib, sys_s_gib, recv_s_gib;
	double minflt_per_mib;     /* the sender's minor page faults per MiB, median */
};

/* A stage's verdict, from one traced run (the lab's runner and checker). */
struct zcl_bench_stage {
	const struct zcl_stage *stage;
	char verdict[32];          /* "pass", or why its speed means nothing */
	double cpu_copies;         /* modelled CPU bytes per byte sent */
	char bin[4096];            /* its binary, copied into the scratch directory (PATH_MAX) */
};

struct zcl_bench {
	/* the settings (the caller's) */
	bool solution;             /* solutions/ (run without the sandbox's walls: the lab's own code) */
	bool copy_receiver;        /* the receiver read()s; else it discards with MSG_TRUNC */
	bool sg;                   /* model a scatter-gather NIC in the traced run */
	int rounds;
	uint64_t seed;
	double timeout_s;          /* per round */
	const uint64_t *sizes;     /* input sizes, bytes */
	size_t nsizes;
	const uint64_t *chunks;    /* 0: the stage's own */
	size_t nchunks;
	bool warm, cold;           /* which cache states to time */
	FILE *progress;            /* one line per step there, or NULL */
	const volatile int *interrupted; /* non-zero: stop after the current round (may be NULL) */
	/* what was measured */
	struct zcl_bench_stage *stages;
	size_t nstages;
	struct zcl_bench_cell *cells; /* nsizes x nchunks x (warm, cold) x nstages */
	size_t ncells;
	uint64_t check_size;       /* input size of the traced verdict run */
	bool tmpfs;                /* the inputs live in RAM: "cold" reads no disk */
	double memcpy_gib_s;       /* this machine's memcpy, the ceiling of a CPU copy */
};

/* Check every stage once (traced), then time the sweep. 0, or -1 with a
 * message in err (no scratch space, no compiler, interrupted). A stage that fails or a
 * round that cannot be timed is a cell with a why, not an error. The
 * caller frees with zcl_bench_free. */
int zcl_bench_run(struct zcl_bench *b, char *err, size_t errlen);

/* Free what zcl_bench_run allocated. Can't fail. */
void zcl_bench_free(struct zcl_bench *b);

/* The cell of stage index si at size index zi, chunk index ci, warm or
 * cold; NULL when that cache state was not measured. */
const struct zcl_bench_cell *zcl_bench_cell(const struct zcl_bench *b, size_t zi, size_t ci, bool warm, size_t si);

/* cell's median against the same cell of the baseline stage (the first of
 * the table, read+write): sender CPU and throughput ratios; 0 when either
 * is not timed. */
double zcl_bench_cpu_ratio(const struct zcl_bench *b, const struct zcl_bench_cell *c);
double zcl_bench_speed_ratio(const struct zcl_bench *b, const struct zcl_bench_cell *c);

/* The tables and a bar chart, for people (bench_report.c). */
void zcl_bench_print_text(FILE *out, const struct zcl_bench *b);

/* The numbers as one JSON object (schema "zcl-bench/1", README.md). */
void zcl_bench_print_json(FILE *out, const struct zcl_bench *b);

/* Parse a comma-separated list of byte counts ("4K,1M,256M"; K, M, G are
 * powers of 1024); with chunk, "own" is 0 (the stage's own calls) and 0
 * itself is refused. The list into *out (malloc'd, caller frees), its
 * length into *n. 0, or -1 with a message in err. */
int zcl_bench_parse_list(const char *s, bool chunk, uint64_t **out, size_t *n, char *err, size_t errlen);

/* The machine's memcpy bandwidth in GiB/s (median of a few 64 MiB copies). */
double zcl_memcpy_gib_s(void);

#endif
