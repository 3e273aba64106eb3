/*
 * sandbox.h - what a student's program may not do, and the walls around it.
 *
 * Two halves. The policy is consulted by the collector at every syscall
 * entry of a stage run (every syscall is trapped there), so a refused call
 * is skipped, fails with an errno, and is reported by name. The walls are
 * put up in the child before exec: limits, an unprivileged uid when the lab
 * runs as root, and Landlock so it writes nowhere but its scratch directory.
 */
#ifndef ZCL_SANDBOX_H
#define ZCL_SANDBOX_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "event.h"

/* What the harness (lab/harness.c, same text) prints on stderr when the
 * program dies of SIGSEGV beyond its stack limit. */
#define ZCL_STACK_OVERFLOW_MSG "zcl: stack overflow"

/* Facts the policy needs about the run. */
struct zcl_sandbox_state {
	bool exec_seen;   /* the stage binary has been exec'd: no further exec */
	pid_t group;      /* the program's process group (its first pid) */
	bool (*is_ours)(pid_t pid); /* is pid one of the program's processes or threads? */
	bool allow_uring; /* the stage's row allows io_uring (never SQPOLL or registered rings) */
};

/* Should r (at entry) be refused? Returns 0 to let it run, or the errno to
 * fail it with; *why is set to a sentence naming the rule, or NULL when the
 * refusal is quiet (clone3: glibc falls back to clone). Can't fail. */
int zcl_sandbox_check(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st,
		      const char **why);

/* The uid and gid a stage program runs as when the lab is root: unused ids
 * of our own, so runs share no process limit with anyone. */
uid_t zcl_sandbox_uid(void);

/* The limits of one run, set by the lab (never inherited from the shell). */
struct zcl_limits {
	rlim_t cpu_s;      /* CPU seconds: SIGXCPU, then SIGKILL a second later */
	rlim_t as_bytes;   /* address space: ZCL_RLIMIT_AS + the input's size */
	rlim_t memlock_bytes; /* locked memory: 0, or ZCL_RLIMIT_MEMLOCK_PIN where MSG_ZEROCOPY
			       * or io_uring must pin pages (the stage's row: zerocopy, allow_uring) */
};

/* In the child, before exec: limits (CPU, address space, stack, file size,
 * processes, descriptors, no core, locked memory as lim says), the unprivileged uid
 * (when root), Landlock (reads only of the system, a few files of /etc and
 * /dev and run_dir; writes only below work). Only async-signal-safe calls.
 * Returns the ZCL_LAYER_* bits (view.h) put up, or -1 when a wall could
 * not be put up that must be (the uid change); Landlock missing from the
 * kernel is not an error. */
int zcl_sandbox_enter(const char *run_dir, const char *work, const struct zcl_limits *lim);

/* For the compiler where bubblewrap cannot run, before exec: Landlock
 * reads only of the system, /etc and the job directory (its sources and
 * temporaries), writes only in the job directory, so an .include or
 * .incbin of solutions/ or another upload finds nothing. True when in
 * force. Async-signal-safe. */
bool zcl_sandbox_confine_compiler(const char *job);

/* Without an IPC namespace (the fallback), SysV shared memory, queues and
 * semaphores outlive the processes that made them: remove every one whose
 * creator is uid (the run's own sandbox uid when root, so nobody else's;
 * (uid_t)-1 for none) and every shared memory segment process pid made (a
 * normal user's run: its uid is the user's). Can't fail. */
void zcl_sandbox_sweep_ipc(uid_t uid, pid_t pid);

/* In the child: give up the controlling terminal, if any (TIOCNOTTY on
 * /dev/tty; ioctl_tty(2)), so TIOCSTI and job-control signals cannot reach
 * the grader's terminal. True when the child has no terminal now. */
bool zcl_sandbox_detach_tty(void);

#endif
