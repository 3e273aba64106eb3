/*
 * test_pace.c - how long the animation lingers (viz/pace.c): arithmetic
 * over the model's events for a stage-1 run, so no clock is involved.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sys/syscall.h>

#include "model.h"
#include "helpers.h"
#include "pace.h"
#include "params.h"

#define K 1024ull
#define BUF 0x5581e2a4c000ull



/* Milliseconds the animation spends on one finished syscall at `speed`. */
static double play(struct zcl_pace *p, int speed, struct zcl_sysrec r, bool sg)
{
	struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
	r.in_bracket = true;
	int n = (int)zcl_model(&r, sg, ev, ZCL_MAX_EVENTS_PER_CALL);
	double ms = 2 * zcl_pace_switch_ms(p, speed, r.nr); /* in and back out */
	for (int i = 1; i < n; i++)
		ms += zcl_pace_copy_ms(p, speed, &ev[i]);
	zcl_pace_seen(p, r.nr, ev, n);
	return ms;
}

/* A 1 MiB stage-1 run in 64K chunks as the reference makes it (readahead
 * fills 256K at the first read, 768K at the fifth), at `speed`. */
static double stage1_mib(int speed)
{
	struct zcl_pace p;
	zcl_pace_init(&p);
	double ms = 0;
	for (int i = 0; i < 16; i++) {
		ms += play(&p, speed, rec_read(64 * K, i == 0 ? 256 * K : i == 4 ? 768 * K : 0), true);
		ms += play(&p, speed, rec_write(BUF, 64 * K, 64 * K, false, 0), true);
	}
	return ms + play(&p, speed, rec_read(0, 0), true);
}

Test(pace, the_default_pace_plays_a_mib_of_stage_1_in_20_to_40_seconds)
{
	double s = stage1_mib(ZCL_PACE_DEFAULT) / 1000;
	cr_expect(s >= 20 && s <= 40, "the README says 20-40 s (about 25); the pace gives %.1f s", s);
}

Test(pace, a_bigger_file_adds_little_time_to_the_animation)
{
	struct zcl_pace p;
	zcl_pace_init(&p);
	double first = 0, rest = 0;
	for (int i = 0; i < 1000; i++) { /* 64 MiB */
		double ms = play(&p, ZCL_PACE_DEFAULT, rec_read(64 * K, 64 * K), true);
		ms += play(&p, ZCL_PACE_DEFAULT, rec_write(BUF, 64 * K, 64 * K, false, 0), true);
		*(i < 16 ? &first : &rest) += ms;
	}
	cr_expect_eq(rest, 0, "after the first iterations everything is coalesced (%.0f ms more)", rest);
	cr_expect_gt(first, 0);
}

Test(pace, a_kind_of_copy_not_seen_before_gets_the_full_pace_late_in_a_run)
{
	struct zcl_pace p;
	zcl_pace_init(&p);
	for (int i = 0; i < 50; i++) /* warm cache: no fills, the CPU copy over and over */
		play(&p, ZCL_PACE_DEFAULT, rec_read(64 * K, 0), true);
	struct zcl_event cpu = {ZE_CPU, ZP_PAGE_CACHE, ZP_USER, 64 * K, false, NULL};
	struct zcl_event dma = {ZE_DMA, ZP_DISK, ZP_PAGE_CACHE, 64 * K, false, NULL};
	struct zcl_pace fresh;
	zcl_pace_init(&fresh);
	cr_expect_eq(zcl_pace_copy_ms(&p, ZCL_PACE_DEFAULT, &cpu), 0, "the 51st CPU copy is coalesced");
	cr_expect_eq(zcl_pace_copy_ms(&p, ZCL_PACE_DEFAULT, &dma), zcl_pace_copy_ms(&fresh, ZCL_PACE_DEFAULT, &dma),
		     "the first disk DMA, late in the run, travels at the full pace");
	cr_expect_gt(zcl_pace_copy_ms(&p, ZCL_PACE_DEFAULT, &dma), 0);
}

Test(pace, a_higher_speed_is_never_slower_and_9_animates_nothing)
{
	for (int speed = 1; speed < ZCL_PACE_MAX; speed++)
		cr_expect_geq(stage1_mib(speed), stage1_mib(speed + 1), "speed %d vs %d", speed, speed + 1);
	cr_expect_eq(stage1_mib(ZCL_PACE_MAX), 0, "speed 9: nothing animated");
	cr_expect_gt(stage1_mib(1), stage1_mib(ZCL_PACE_DEFAULT));
	cr_expect_geq(zcl_pace_coalesce_ms(ZCL_PACE_MAX), zcl_pace_coalesce_ms(ZCL_PACE_DEFAULT),
		      "speed 9 draws least often");
}
