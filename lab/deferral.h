/*
 * deferral.h - which traced calls may go without an exit stop in zcl
 * trace's fast mode (their byte count then comes from the thread's I/O
 * counters, read once per run of such calls: runs.h), and the clock the
 * timeline's call times are read from.
 */
#ifndef ZCL_DEFERRAL_H
#define ZCL_DEFERRAL_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "model.h"

/* May r (at entry, descriptors classified) skip its exit stop? Only where
 * a failure could not pass for end of file (see deferral.c). Can't fail. */
bool zcl_can_defer(const struct zcl_sysrec *r, const struct zcl_rule *rule);

/* CLOCK_MONOTONIC now, in nanoseconds. Can't fail. */
uint64_t zcl_now_ns(void);

#endif
