/*
 * test_stages.c - the reference solutions pass on every awkward size, cold
 * and warm, with faults injected; the skeletons are "not implemented"; and
 * on a 1 MiB cold input the lab reproduces the articles' table.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "helpers.h"
#include "stages.h"

#define MIB (1024u * 1024u)

struct size_case { int stage; uint64_t size; bool warm; };

#define MAX_STAGES 16 /* more than the table holds: a test asserts it */

static struct size_case size_cases[MAX_STAGES * 6 * 2];

/* Every stage of the table: a new row is tested without touching this file. */
static int stage_nums(int *nums)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	for (size_t i = 0; i < n && i < MAX_STAGES; i++)
		nums[i] = st[i].num;
	return n < MAX_STAGES ? (int)n : MAX_STAGES;
}

Test(stages, the_table_fits_the_tests)
{
	size_t n;
	zcl_stages(&n);
	cr_expect_leq(n, MAX_STAGES);
}

ParameterizedTestParameters(stages, solution_passes_every_size_cold_and_warm)
{
	static const uint64_t sizes[] = {0, 1, 4095, 4096, 4097, MIB + 3};
	size_t k = 0;
	int nums[MAX_STAGES], ns = stage_nums(nums);
	for (int j = 0; j < ns; j++)
		for (size_t i = 0; i < 6; i++)
			for (int w = 0; w < 2; w++)
				size_cases[k++] = (struct size_case){nums[j], sizes[i], w == 1};
	return cr_make_param_array(struct size_case, size_cases, k);
}

ParameterizedTest(struct size_case *c, stages, solution_passes_every_size_cold_and_warm)
{
	struct zcl_run r = run_stage(c->stage, true, c->size, c->warm, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_PASS, "stage %d, %llu bytes, %s: %s - %s", c->stage,
		     (unsigned long long)c->size, c->warm ? "warm" : "cold", zcl_verdict_name(r.verdict), r.reason);
	cr_expect_eq(r.received_bytes, r.expected_bytes);
	cr_expect_eq(r.crosscheck_bad, 0, "stage %d: /proc/PID/io disagrees: %s", c->stage, r.crosscheck);
	if (c->warm)
		cr_expect_eq(r.totals.filled_bytes, 0, "a warm cache needs no disk DMA");
	zcl_run_free(&r);
}

struct inject_case { int stage; enum zcl_inject inject; };

ParameterizedTestParameters(stages, solution_survives_injected_faults)
{
	static struct inject_case c[MAX_STAGES * 2];
	int nums[MAX_STAGES], ns = stage_nums(nums);
	for (int j = 0; j < ns; j++) {
		c[2 * j] = (struct inject_case){nums[j], ZI_SHORT};
		c[2 * j + 1] = (struct inject_case){nums[j], ZI_EINTR};
	}
	return cr_make_param_array(struct inject_case, c, (size_t)(2 * ns));
}

ParameterizedTest(struct inject_case *c, stages, solution_survives_injected_faults)
{
	struct zcl_run r = run_stage(c->stage, true, MIB + 3, false, true, c->inject, 10);
	cr_expect_eq(r.verdict, ZV_PASS, "stage %d, inject %d: %s - %s", c->stage, c->inject,
		     zcl_verdict_name(r.verdict), r.reason);
	/* io_uring stages too: short halves operations in their SQEs, eintr
	 * fails an io_uring_enter before it submits */
	cr_expect_gt(r.totals.injected, 0, "stage %d: a fault was really injected", c->stage);
	zcl_run_free(&r);
}

Test(stages, skeletons_are_not_implemented)
{
	int nums[MAX_STAGES], ns = stage_nums(nums);
	for (int j = 0; j < ns; j++) {
		int s = nums[j];
		struct zcl_run r = run_stage(s, false, 4096, false, true, ZI_NONE, 10);
		cr_expect_eq(r.verdict, ZV_NOT_IMPLEMENTED, "skeleton %d: %s - %s", s, zcl_verdict_name(r.verdict), r.reason);
		zcl_run_free(&r);
	}
}

/* The articles' table, on 1 MiB cold. */
struct canon { int stage; bool sg; unsigned dma_x, cpu_x; bool cpu_is_header; uint64_t syscalls; };

ParameterizedTestParameters(stages, one_mib_cold_gives_the_articles_numbers)
{
	static struct canon c[] = {
		/* syscalls of the reference: 16 x (read + write) of 64 KiB; mmap, write,
		 * munmap; one sendfile; send of the header + one sendfile */
		{1, true, 2, 2, false, 32}, {2, true, 2, 1, false, 3}, {3, true, 2, 0, false, 1},
		{3, false, 2, 1, false, 1}, {4, true, 2, 0, true, 2},
	};
	return cr_make_param_array(struct canon, c, sizeof c / sizeof c[0]);
}

ParameterizedTest(struct canon *c, stages, one_mib_cold_gives_the_articles_numbers)
{
	struct zcl_run r = run_stage(c->stage, true, MIB, false, c->sg, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s", r.reason);
	if (r.tmpfs)
		cr_skip_test("the scratch directory is on tmpfs: no disk, no disk DMA (set ZCL_SCRATCH)");
	const struct zcl_totals *t = &r.totals;
	/* the DMA into the NIC carries the header too */
	cr_expect_eq(t->dma.bytes, (uint64_t)c->dma_x * MIB + r.header_len, "stage %d DMA bytes %llu",
		     c->stage, (unsigned long long)t->dma.bytes);
	cr_expect_eq(t->filled_bytes, MIB, "the disk DMA is measured: the whole file, once");
	uint64_t cpu = c->cpu_is_header ? r.header_len : (uint64_t)c->cpu_x * MIB;
	cr_expect_eq(t->cpu.bytes, cpu, "stage %d CPU bytes %llu, want %llu", c->stage,
		     (unsigned long long)t->cpu.bytes, (unsigned long long)cpu);
	cr_expect_eq(t->syscalls, c->syscalls, "stage %d: every syscall in the bracket is trapped: %llu",
		     c->stage, (unsigned long long)t->syscalls);
	cr_expect_eq(t->mode_switches, 2 * c->syscalls, "two mode switches per syscall");
	zcl_run_free(&r);
}
