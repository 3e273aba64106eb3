/*
 * tracer_cpu.c - where the traced program runs, and what it is told.
 *
 * A ptrace stop hands the CPU from the tracee to the tracer and back. On one
 * CPU that is a plain context switch; across two it waits for a wake-up IPI
 * and, on a VM whose idle vCPU halts, for that vCPU to come back: 10-20x
 * dearer per stop (measured by `make bench`). So while the program is a
 * single task it runs on the tracer's CPU. It must not notice:
 *  - sched_getaffinity(2) answers with the CPUs it really has (the ones zcl
 *    was given), so nproc, xz -T0 and pigz size their thread pools as they
 *    would untraced;
 *  - the moment it has a second task (fork, clone, a thread), every task
 *    and the tracer get all those CPUs back, so threads run in parallel;
 *    when it is down to one task again, it is pinned again;
 *  - once it sets an affinity itself (sched_setaffinity on one of its own
 *    tasks), the tracer never touches placement again.
 * What it can still see: the Cpus_allowed lines of /proc/PID/status while
 * it is pinned.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tracer_cpu.h"

/* Pin the calling thread, and task (if > 0), to the CPU we are on. */
static void pin_here(struct zcl_cpu *c, pid_t task)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) < 0)
		return;
	if (task > 0)
		sched_setaffinity(task, sizeof one, &one);
	c->pinned = true;
}

void zcl_cpu_begin(struct zcl_cpu *c, bool want)
{
	c->managed = c->pinned = false;
	if (!want || sched_getaffinity(0, sizeof c->all, &c->all) < 0)
		return;
	c->managed = true;
	pin_here(c, 0);
}

void zcl_cpu_tasks_changed(struct zcl_cpu *c, const struct zcl_tracee_table *tt)
{
	if (!c->managed)
		return;
	if (tt->n >= 2 && c->pinned) {
		for (const struct zcl_tracee *t = tt->head; t; t = t->next)
			sched_setaffinity(t->pid, sizeof c->all, &c->all);
		sched_setaffinity(0, sizeof c->all, &c->all);
		c->pinned = false;
	} else if (tt->n == 1 && !c->pinned) {
		pin_here(c, tt->head->pid);
	}
}

int zcl_cpu_call(const struct zcl_cpu *c, long nr)
{
	if (!c->managed)
		return ZCL_CPU_NONE;
	if (nr == SYS_sched_getaffinity)
		return c->pinned ? ZCL_CPU_GET : ZCL_CPU_NONE;
	return nr == SYS_sched_setaffinity ? ZCL_CPU_SET : ZCL_CPU_NONE;
}

void zcl_cpu_exit(struct zcl_cpu *c, const struct zcl_tracee_table *tt, const struct zcl_tracee *t)
{
	pid_t who = (pid_t)t->rec.args[0];
	if (!c->managed || t->rec.ret < 0 || (who != 0 && !zcl_tt_find(tt, who)))
		return; /* failed, or about a task that is not the program's */
	if (t->cpu_call == ZCL_CPU_GET && t->rec.ret > 0) {
		/* the kernel copied ret bytes of the mask (sched_getaffinity(2)) */
		size_t len = (size_t)t->rec.ret < sizeof c->all ? (size_t)t->rec.ret : sizeof c->all;
		struct iovec local = {&c->all, len};
		struct iovec remote = {(void *)(uintptr_t)t->rec.args[2], len};
		process_vm_writev(t->pid, &local, 1, &remote, 1, 0);
	} else if (t->cpu_call == ZCL_CPU_SET) {
		if (c->pinned)
			sched_setaffinity(0, sizeof c->all, &c->all);
		c->managed = c->pinned = false;
	}
}

void zcl_cpu_end(struct zcl_cpu *c)
{
	if (c->managed && c->pinned)
		sched_setaffinity(0, sizeof c->all, &c->all);
	c->managed = c->pinned = false;
}
