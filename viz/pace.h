/*
 * pace.h - how long the animation lingers on each copy and mode switch.
 *
 * A person learns from the first iterations of a loop, not the thousandth.
 * So every copy of a kind not seen before (DMA disk -> page cache, CPU page
 * cache -> user, ...) travels at the full pace of the speed setting, and
 * each repeat of it takes ZCL_PACE_DECAY times as long as the one before;
 * mode switches (the process crossing into the kernel and back) shrink the
 * same way per syscall. Once a copy would take less than two frames it is
 * not animated any more: the rest of the run is coalesced into a frame every
 * zcl_pace_coalesce_ms(). The sum is a geometric series, so a run lasts
 * about the same whatever the file size (a 1 MiB stage-1 run: ~25 s at the
 * default speed). Pure arithmetic: no curses, no clock.
 */
#ifndef ZCL_VIZ_PACE_H
#define ZCL_VIZ_PACE_H

#include <stdbool.h>

#include "event.h"

#define ZCL_PACE_DEFAULT 3    /* speed of `zcl run` and the tour */
#define ZCL_PACE_MAX 9        /* 9: nothing animated, a frame every 250 ms */
#define ZCL_PACE_DECAY 0.8    /* each repeat of a copy takes 0.8x the time of the last */
#define ZCL_PACE_NR 512       /* syscall numbers counted apart (higher ones share a slot) */
#define ZCL_PACE_MIN_MS 60.0  /* shorter than this (two frames): coalesce instead */

struct zcl_pace {
	unsigned calls[ZCL_PACE_NR + 1];                  /* finished syscalls, by number */
	unsigned copies[ZE_MARK + 1][ZP__COUNT][ZP__COUNT]; /* copies seen, by kind and route */
};

/* Forget everything seen (a new run). Can't fail. */
void zcl_pace_init(struct zcl_pace *p);

/* Milliseconds a copy takes to travel its arrow at speed (1..9), given the
 * copies of its kind and route seen so far; 0: don't animate it. */
double zcl_pace_copy_ms(const struct zcl_pace *p, int speed, const struct zcl_event *e);

/* Milliseconds to hold each mode switch of syscall nr (entry and return);
 * 0: don't hold. A quarter of a first copy's time, shrinking per repeat. */
double zcl_pace_switch_ms(const struct zcl_pace *p, int speed, long nr);

/* The least time between two frames when nothing is animated (coalesced
 * steps): 40 ms at speeds up to 7, then 100 and 250 ms. */
double zcl_pace_coalesce_ms(int speed);

/* Count a finished syscall and its copies (call after animating them). */
void zcl_pace_seen(struct zcl_pace *p, long nr, const struct zcl_event *ev, int n);

#endif
