/*
 * memcg.h - a memory cgroup per run: a limit that counts all the memory the
 * program makes the machine hold (heap, stacks, page tables, memfd and
 * tmpfs pages, SysV segments, page cache it fills), not just its address
 * space. Where the machine has no memory controller we can write to (a
 * container, a normal user), the run goes on without it and says so.
 */
#ifndef ZCL_MEMCG_H
#define ZCL_MEMCG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct zcl_memcg {
	bool on;              /* the cgroup exists and has its limit */
	bool v2;              /* cgroup v2 (memory.max) rather than v1 */
	char dir[PATH_MAX / 2];
	int procs_fd;         /* its cgroup.procs, open for the child; -1 */
	uint64_t limit;       /* its limit, bytes */
	long long oom_base;   /* its OOM kills before this run (a kept cgroup's count goes on) */
	bool keepable;        /* a run's (zcl_memcg_create_run): may be kept for the next */
};

/* Make a cgroup below our own with a limit of `bytes` (swap included where
 * the kernel accounts it). Leaves m->on false when it cannot (no error:
 * the caller reports the layer as missing). Can't fail otherwise. */
void zcl_memcg_create(struct zcl_memcg *m, uint64_t bytes);

/* For a run: the cgroup kept from the grade's last run (zcl_memcg_keep)
 * when it may serve again, else as zcl_memcg_create. Its destroy may keep
 * it for the next run. Can't fail otherwise. */
void zcl_memcg_create_run(struct zcl_memcg *m, uint64_t bytes);

/* Keep the cgroup of one run for the next (true: one process's runs one
 * after another, a grade), or stop and remove the kept one (false). Only
 * as root (the program, another uid, cannot write the cgroup's files) and
 * only a run's cgroup (never a compile's). A kept cgroup is used again
 * only when no task is left in it, its last run hit no limit and it holds
 * at most ZCL_MEMCG_REUSE_MAX bytes (the page cache of an input, charged
 * to the run that read it first); otherwise a new one is made. Making and removing a cgroup each run costs more than many
 * runs (a cgroup's per-CPU state; the kernel frees it after an RCU grace
 * period). Starting to keep also removes the cgroups a lab killed with
 * SIGKILL left (zcl-PID-N, PID gone, empty). Can't fail. */
void zcl_memcg_keep(bool keep);

/* In the child before exec: join the cgroup (writes "0" to cgroup.procs).
 * Async-signal-safe. 0, or -1 when it could not (the child must then not
 * run the program, or the limit would be claimed falsely). */
int zcl_memcg_join(const struct zcl_memcg *m);

/* After the run (every process gone): did the limit kill something, then
 * remove the cgroup. Returns true when the limit was hit (an OOM kill).
 * Can't fail. */
bool zcl_memcg_destroy(struct zcl_memcg *m);

#endif
