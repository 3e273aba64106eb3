/*
 * tracer_cpu.h - where the traced program runs (see tracer_cpu.c).
 */
#ifndef ZCL_TRACER_CPU_H
#define ZCL_TRACER_CPU_H

#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>

#include "tracee_table.h"

/* What a call in flight means to the placement (zcl_tracee.cpu_call). */
enum { ZCL_CPU_NONE, ZCL_CPU_GET, ZCL_CPU_SET };

struct zcl_cpu {
	bool managed;   /* the tracer decides where the program runs */
	bool pinned;    /* tracer and program share one CPU now */
	cpu_set_t all;  /* the CPUs zcl was given: the program's real set */
};

/* Before the program starts: if want, remember our CPU set and pin the
 * calling thread (so the child it forks) to the CPU it is on. Can't fail:
 * without sched_getaffinity nothing is managed. */
void zcl_cpu_begin(struct zcl_cpu *c, bool want);

/* The number of tasks changed: one task, pin it beside the tracer; two or
 * more, give every task and the tracer all the CPUs back. Can't fail (a
 * task that died meanwhile is skipped). */
void zcl_cpu_tasks_changed(struct zcl_cpu *c, const struct zcl_tracee_table *tt);

/* Is syscall nr one the placement must see at exit? ZCL_CPU_GET
 * (sched_getaffinity while pinned), ZCL_CPU_SET (sched_setaffinity), or
 * ZCL_CPU_NONE. */
int zcl_cpu_call(const struct zcl_cpu *c, long nr);

/* At the exit stop of t's ZCL_CPU_* call (t->rec.ret set): make
 * sched_getaffinity answer with the real set; after a successful
 * sched_setaffinity on one of the program's tasks, hands off for good.
 * Can't fail. */
void zcl_cpu_exit(struct zcl_cpu *c, const struct zcl_tracee_table *tt, const struct zcl_tracee *t);

/* After the run: the calling thread gets its CPUs back. Can't fail. */
void zcl_cpu_end(struct zcl_cpu *c);

#endif
