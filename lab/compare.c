/*
 * compare.c - copies removed, turned into speed.
 *
 * Each stage runs twice over: once traced on a cold cache, for its copy
 * counts (the lesson), and three times untraced on a warm cache, for its
 * throughput (the payoff; tracing would measure the tracer). The ceiling is
 * memcpy: a stage that copies each byte twice with the CPU cannot beat half
 * of it, one that never copies can go past it.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "runner.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int zcl_compare_stage(const struct zcl_stage *s, bool solution, uint64_t size, uint64_t seed, bool sg,
		      struct zcl_compare_row *row, char *err, size_t errlen)
{
	memset(row, 0, sizeof *row);
	row->stage = s;
	struct zcl_run r = {.stage = s, .solution = solution, .size = size, .seed = seed, .sg = sg,
			    .timeout_s = 30};
	if (zcl_run_stage(&r, err, errlen) < 0) {
		zcl_run_free(&r);
		return -1;
	}
	row->totals = r.totals;
	row->delivered = r.expected_bytes;
	snprintf(row->verdict, sizeof row->verdict, "%s", zcl_verdict_name(r.verdict));
	zcl_run_free(&r);
	if (strcmp(row->verdict, "pass") != 0)
		return 0; /* a failing program's speed means nothing */
	double t[3];
	for (int i = 0; i < 3; i++) {
		struct zcl_run u = {.stage = s, .solution = solution, .size = size, .seed = seed, .sg = sg,
				    .warm = true, .timeout_s = 30, .untraced = true};
		if (zcl_run_stage(&u, err, errlen) < 0) {
			zcl_run_free(&u);
			return -1;
		}
		t[i] = u.verdict == ZV_PASS && u.seconds > 0 ? u.seconds : 0;
		zcl_run_free(&u);
		if (t[i] == 0)
			return 0;
	}
	qsort(t, 3, sizeof t[0], cmp_double);
	row->mb_per_s = (double)row->delivered / t[1] / 1e6;
	return 0;
}

double zcl_memcpy_mb_per_s(void)
{
	size_t n = 64u << 20;
	char *a = malloc(n), *b = malloc(n);
	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	memset(a, 1, n);
	memset(b, 2, n); /* touch both: page faults are not memcpy */
	double t[5];
	for (int i = 0; i < 5; i++) {
		double t0 = now_s();
		memcpy(i % 2 ? a : b, i % 2 ? b : a, n);
		t[i] = now_s() - t0;
	}
	volatile char sink = a[n / 2] + b[n / 3]; /* keep the copies */
	(void)sink;
	free(a);
	free(b);
	qsort(t, 5, sizeof t[0], cmp_double);
	return (double)n / t[2] / 1e6;
}

void zcl_compare_print(FILE *o, const struct zcl_compare_row *rows, int n, double memcpy_mb_s, uint64_t size)
{
	fprintf(o, "%" PRIu64 " bytes; copies from one traced run (cold cache), speed from 3 untraced runs "
		   "(warm cache, median)\n\n", size);
	fprintf(o, "%-12s %8s %8s %10s %10s %8s %9s  %s\n", "stage", "syscalls", "switches", "DMA bytes",
		"CPU bytes", "CPU/byte", "MB/s", "speed (| = memcpy)");
	for (int i = 0; i < n; i++) {
		const struct zcl_compare_row *r = &rows[i];
		/* 20 marks = memcpy; past the | a stage beats a plain copy */
		char bar[64];
		int len = memcpy_mb_s > 0 ? (int)(r->mb_per_s / memcpy_mb_s * 20 + 0.5) : 0;
		if (len > 40)
			len = 40;
		int k = 0;
		for (int j = 0; j < 20; j++)
			bar[k++] = j < len ? '#' : ' ';
		bar[k++] = '|';
		for (int j = 20; j < len; j++)
			bar[k++] = '#';
		bar[k] = 0;
		fprintf(o, "%d %-10s %8" PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8.2f ", r->stage->num,
			r->stage->slug, r->totals.syscalls, r->totals.mode_switches, r->totals.dma.bytes,
			r->totals.cpu.bytes, r->delivered ? (double)r->totals.cpu.bytes / (double)r->delivered : 0.0);
		if (r->mb_per_s > 0)
			fprintf(o, "%9.0f  %s\n", r->mb_per_s, bar);
		else
			fprintf(o, "%9s  (%s: not timed)\n", "-", r->verdict);
	}
	fprintf(o, "\nmemcpy on this machine: %.0f MB/s (the | mark). Measured, not modelled: the time includes\n"
		   "starting the program, and on loopback the receiver's own copy out of the socket is in every\n"
		   "row; mmap pays a page fault per 4 KiB page. Removed copies show as speed only where they\n"
		   "were the bottleneck.\n",
		memcpy_mb_s);
}
