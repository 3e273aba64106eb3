/*
 * tracer_inject.c - fault injection by register surgery (x86-64).
 *
 *   short  at entry shrink the count register (to half, or to what the hook
 *          asked), at exit put it back, so the kernel really moves fewer
 *          bytes and the program cannot tell;
 *   eintr  at entry set the syscall number to -1 (the kernel skips it), at
 *          exit set the result to -EINTR;
 *   deny   the same, with the sandbox's errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "tracer_inject.h"

#if defined(__x86_64__)
static unsigned long long *argreg(struct user_regs_struct *r, int i)
{
	switch (i) {
	case 0: return &r->rdi;
	case 1: return &r->rsi;
	case 2: return &r->rdx;
	case 3: return &r->r10;
	case 4: return &r->r8;
	case 5: return &r->r9;
	}
	return NULL; /* impossible: callers pass 0..5 */
}

#endif

enum zcl_inject zcl_inject_at_entry(struct zcl_tracee *t, enum zcl_inject inj, int count_arg,
				    unsigned long long asked)
{
#if defined(__x86_64__)
	if (inj == ZI_NONE)
		return ZI_NONE;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->pid, 0, &regs) < 0)
		return ZI_NONE;
	if (inj == ZI_EINTR || inj == ZI_DENY) {
		regs.orig_rax = (unsigned long long)-1; /* the kernel skips it */
	} else if (count_arg >= 0 && count_arg < 6 && *argreg(&regs, count_arg) > 1) {
		unsigned long long *reg = argreg(&regs, count_arg);
		t->count_reg = count_arg;
		t->saved = *reg;
		*reg = asked ? asked : *reg / 2;
	} else if (count_arg == -1) {
		t->count_reg = -1; /* the hook shortened it in memory */
	} else {
		return ZI_NONE;
	}
	return ptrace(PTRACE_SETREGS, t->pid, 0, &regs) < 0 ? ZI_NONE : inj;
#else
	/* Register surgery is written for x86-64 only. */
	(void)t, (void)count_arg, (void)asked;
	(void)inj;
	return ZI_NONE;
#endif
}


void zcl_inject_at_exit(struct zcl_tracee *t)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->pid, 0, &regs) == 0) {
		if (t->rec.injected == ZI_EINTR)
			regs.rax = (unsigned long long)-EINTR;
		else if (t->rec.injected == ZI_DENY)
			regs.rax = (unsigned long long)-(long long)t->rec.deny_errno;
		else if (t->count_reg >= 0)
			*argreg(&regs, t->count_reg) = t->saved;
		ptrace(PTRACE_SETREGS, t->pid, 0, &regs);
	}
	if (t->rec.injected == ZI_EINTR)
		t->rec.ret = -EINTR;
	if (t->rec.injected == ZI_DENY)
		t->rec.ret = -t->rec.deny_errno;
#else
	(void)t;
#endif
}
