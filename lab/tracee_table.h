/*
 * tracee_table.h - the tracer's record of every thread and process it
 * follows: a hash by pid (O(1) at every ptrace stop) that grows as the
 * program starts tasks, plus a list of the live ones (for killing them all,
 * and for naming one in a signal handler).
 *
 * There is no ceiling: strace keeps one `struct tcb` per tracee the same
 * way. Memory is the only limit, and running out is reported by the caller.
 */
#ifndef ZCL_TRACEE_TABLE_H
#define ZCL_TRACEE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"

/* One thread the tracer follows (tracer.c fills in the meaning). */
struct zcl_tracee {
	pid_t pid;
	bool in_syscall;           /* between the seccomp stop and the exit stop */
	bool pending;              /* a deferred call waits for this thread's next stop */
	bool seen;                 /* its attach stop (PTRACE_EVENT_STOP) was handled */
	bool announced;            /* its parent's fork/clone event was handled */
	bool held;                 /* stopped at attach, waiting for that event */
	bool held_in_group_stop;   /* ... and that stop was a group-stop: PTRACE_LISTEN it */
	bool report;               /* the call in flight goes to the hooks */
	bool parked;               /* detaching (attach.c): stopped, waiting to be let go */
	pid_t tgid;                /* detaching: its process (0: not looked up yet) */
	int park_sig;              /* ... with this signal delivered (a signal-delivery-stop) */
	bool other_abi;            /* the call in flight is another ABI's (int 0x80, x32) */
	uint32_t arch;             /* other_abi: its AUDIT_ARCH_* */
	int cpu_call;              /* the call in flight is about CPU affinity (tracer.c) */
	struct zcl_sysrec rec;     /* the syscall in flight */
	int count_reg;             /* ZI_SHORT: which argument was shrunk */
	unsigned long long saved;  /* ZI_SHORT: its original value */
	struct zcl_tracee *prev, *next; /* the live list */
};

struct zcl_tracee_table {
	struct zcl_tracee **slot;  /* open addressing, linear probing; NULL = empty */
	size_t cap;                /* a power of two, or 0 before the first add */
	size_t n;                  /* tracees in the table */
	struct zcl_tracee *head;   /* the live list, newest first */
};

/* An empty table (no allocation yet). Can't fail. */
void zcl_tt_init(struct zcl_tracee_table *tt);

/* The tracee with this pid, or NULL. O(1) expected. */
struct zcl_tracee *zcl_tt_find(const struct zcl_tracee_table *tt, pid_t pid);

/* The tracee with this pid, made (zeroed, pid set) if new; the table owns
 * it. NULL with errno ENOMEM when memory ran out (the table is unchanged). */
struct zcl_tracee *zcl_tt_add(struct zcl_tracee_table *tt, pid_t pid);

/* Take t out of the table and free it. Can't fail. */
void zcl_tt_remove(struct zcl_tracee_table *tt, struct zcl_tracee *t);

/* t now answers to pid (a non-leader thread that exec'd takes the leader's
 * pid; the caller removed the leader first). Can't fail: t's own slot is
 * given up first, so no growth is needed. */
void zcl_tt_rekey(struct zcl_tracee_table *tt, struct zcl_tracee *t, pid_t pid);

/* Free every tracee and the table. Can't fail. */
void zcl_tt_free(struct zcl_tracee_table *tt);

#endif
