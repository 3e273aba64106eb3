/*
 * tracer_inject.h - fault injection by register surgery (see tracer_inject.c).
 */
#ifndef ZCL_TRACER_INJECT_H
#define ZCL_TRACER_INJECT_H

#include "event.h"
#include "tracee_table.h"

/*
 * At t's seccomp stop: carry out inj. ZI_SHORT lowers argument count_arg to
 * asked (or to half when asked is 0) and saves it in t; count_arg -1 means
 * the hook shortened the call in memory itself. ZI_EINTR and ZI_DENY make
 * the kernel skip the call. Returns what was done (ZI_NONE when the
 * registers could not be read or written, or on a non-x86-64 build).
 */
enum zcl_inject zcl_inject_at_entry(struct zcl_tracee *t, enum zcl_inject inj, int count_arg,
				    unsigned long long asked);

/* At t's exit stop: put the count back, or give the skipped call its
 * result (-EINTR, -deny_errno) in the registers and in t->rec.ret. */
void zcl_inject_at_exit(struct zcl_tracee *t);

#endif
