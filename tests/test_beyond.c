/*
 * test_beyond.c - the stages past the articles (5: splice), on 1 MiB cold:
 * the reference moves every file byte by reference through its pipe, the
 * CPU copies nothing with scatter-gather and every byte without it, and it
 * pays about two syscalls per pipe-full where sendfile pays one call.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include "helpers.h"

#define MIB (1024u * 1024u)
#define PIPE_BYTES (64u * 1024u) /* a pipe's default capacity: pipe(7) */

Test(beyond, splice_moves_page_references_and_no_cpu_bytes_with_sg)
{
	struct zcl_run r = run_stage(5, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	const struct zcl_totals *t = &r.totals;
	cr_expect_eq(t->cpu.bytes, 0, "CPU bytes %llu with scatter-gather", (unsigned long long)t->cpu.bytes);
	/* file -> pipe and pipe -> socket: each byte is referenced twice */
	cr_expect_eq(t->ref.bytes, 2ull * MIB, "by reference %llu", (unsigned long long)t->ref.bytes);
	if (!r.tmpfs)
		cr_expect_eq(t->filled_bytes, MIB, "the disk fill is measured: the whole file, once");
	/* 16 pipe-fulls, 2 splices each, plus pipe2 and two closes */
	uint64_t chunks = MIB / PIPE_BYTES;
	cr_expect_geq(t->syscalls, 2 * chunks, "syscalls %llu", (unsigned long long)t->syscalls);
	cr_expect_leq(t->syscalls, 2 * chunks + 4, "syscalls %llu", (unsigned long long)t->syscalls);
	cr_expect_eq(t->mode_switches, 2 * t->syscalls);
	zcl_run_free(&r);
}

Test(beyond, splice_without_sg_copies_every_byte_once)
{
	struct zcl_run r = run_stage(5, true, MIB, false, false, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect_eq(r.totals.cpu.bytes, MIB, "CPU bytes %llu without SG", (unsigned long long)r.totals.cpu.bytes);
	zcl_run_free(&r);
}

Test(beyond, splice_takes_twice_the_syscalls_of_sendfile)
{
	struct zcl_run s3 = run_stage(3, true, MIB, false, true, ZI_NONE, 10);
	struct zcl_run s5 = run_stage(5, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(s3.verdict, ZV_PASS, "%s", s3.reason);
	cr_assert_eq(s5.verdict, ZV_PASS, "%s", s5.reason);
	cr_expect_gt(s5.totals.mode_switches, 2 * s3.totals.mode_switches,
		     "splice %llu mode switches, sendfile %llu", (unsigned long long)s5.totals.mode_switches,
		     (unsigned long long)s3.totals.mode_switches);
	zcl_run_free(&s3);
	zcl_run_free(&s5);
}

Test(beyond, splice_skeleton_is_not_implemented)
{
	struct zcl_run r = run_stage(5, false, 4096, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_NOT_IMPLEMENTED, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	zcl_run_free(&r);
}
