/*
 * tracer.h - run a program under ptrace, stop at the syscalls a seccomp
 * filter marks, and report each one at entry and at exit.
 *
 * Mechanism only: the tracer knows nothing about copies. It seizes the
 * program (PTRACE_SEIZE, as strace does, so stops and continues stay the
 * program's own), loads a libseccomp filter whose TRACE action hands the
 * chosen syscalls to us (PTRACE_EVENT_SECCOMP), resumes with PTRACE_SYSCALL
 * to see the return value at the syscall-exit stop, follows fork, vfork,
 * clone and threads without a limit on their number, and ends everything at
 * a wall-clock deadline or on request. Fault injection (short counts, EINTR)
 * is applied here because it is register surgery; whether to inject is the
 * caller's choice.
 */
#ifndef ZCL_TRACER_H
#define ZCL_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "event.h"

struct zcl_tracer_hooks {
	void *ctx;
	/* At syscall entry; rec has pid, nr, args. Fill in what must be
	 * measured before the call, and return what to do to it: ZI_NONE,
	 * ZI_SHORT (set *count_arg to the argument holding the count; the
	 * tracer halves it, or uses rec->args[*count_arg] if the hook lowered
	 * it there; *count_arg = -1 means the hook shortened the call itself,
	 * e.g. an iov_len in the tracee's memory, and restores it at exit),
	 * ZI_EINTR, or ZI_DENY (set rec->deny_errno). A refusal that cannot be
	 * carried out kills the program: the call never runs. */
	enum zcl_inject (*entry)(void *ctx, struct zcl_sysrec *rec, int *count_arg);
	/* At syscall exit; rec->ret is set (-errno on failure). */
	void (*exit)(void *ctx, struct zcl_sysrec *rec);
	/* A process (thread group leader) is about to exit: /proc/PID is
	 * still readable. May be NULL. */
	void (*proc_exit)(void *ctx, pid_t pid);
	/* A new tracee appeared (fork, vfork, clone) or a tracee exec'd.
	 * May be NULL. */
	void (*proc_new)(void *ctx, pid_t pid, pid_t parent, bool exec);
	/* With opts.trace_other_abi: a syscall made through another ABI
	 * (int 0x80 on x86-64: i386 numbers; x32) finished. rec has pid, nr
	 * (that ABI's number), args and ret; abi names the ABI ("i386", "x32")
	 * and name the call in it ("getpid"). Such calls never reach entry or
	 * exit: their numbers mean other calls there. May be NULL. */
	void (*other_abi)(void *ctx, const struct zcl_sysrec *rec, const char *abi, const char *name);
	/* zcl_trace_attach: every thread of process pid (threads of them) is
	 * attached and stopped, before any runs on: the kernel's figures can
	 * be read. May be NULL. */
	void (*attached)(void *ctx, pid_t pid, size_t threads);
	/* zcl_trace_attach: every thread of the first process (pid) is
	 * stopped, about to be detached (other processes may be let go
	 * already). May be NULL. */
	void (*detaching)(void *ctx, pid_t pid);
};

struct zcl_trace_opts {
	bool trap_all;        /* trap every syscall (stage runs: exact mode switches) */
	const int *trap;      /* otherwise: these syscall numbers, ending with -1 */
	double timeout_s;     /* wall-clock limit; <= 0: none */
	bool pin_cpu;         /* while the program is one task, run it on the tracer's CPU
			       * (a ptrace stop costs less there) and tell it its real CPU set
			       * (sched_getaffinity); every CPU back once it has two tasks, and
			       * hands off for good once it sets an affinity itself */
	bool own_group;       /* put the program in a process group of its own (stage runs);
			       * zcl trace keeps it in ours, so it can use the terminal */
	bool follow_children; /* zcl trace: tasks that outlive the first process are followed
			       * until they exit (strace -f); otherwise (stage runs) they are
			       * killed when it exits */
	bool trace_other_abi; /* zcl trace: another ABI's syscalls (int 0x80) stop and go to
			       * hooks->other_abi; otherwise the filter kills the program */
	const char *path;     /* the file to execute; NULL: argv[0]. argv goes to the program
			       * untouched */
	void (*child_setup)(void *arg); /* in the child before exec (fds, rlimits); may be NULL */
	void *child_arg;
};

struct zcl_trace_result {
	pid_t pid;          /* the first process (attached: the first given) */
	bool exited;        /* it exited normally ... */
	int exit_code;      /* ... with this code */
	int term_signal;    /* or was killed by this signal (0 if none) */
	bool timed_out;     /* the deadline passed; everything was killed */
	bool exec_failed;   /* execve of the program failed (exit_code 127) */
	unsigned long stops; /* ptrace stops handled */
	unsigned long traced; /* syscalls reported */
	unsigned long other_abi; /* syscalls made through another ABI (see trace_other_abi) */
	unsigned long lost;  /* tasks the tracer could not record (out of memory): killed */
	unsigned long most_tasks; /* most threads and processes alive at once */
	bool killed;         /* zcl_trace_kill_current() ended the run */
	unsigned long detached; /* zcl_trace_attach: tasks let go, running on (on request or at
				 * the deadline: killed or timed_out says which) */
	unsigned long undetached; /* zcl_trace_attach: tasks that did not stop to be let go in
				   * time: zcl's exit lets them go (the kernel detaches them) */
	unsigned long in_flight; /* zcl_trace_attach: calls in flight at attach (their exit stop
				  * came without an entry): not reported */
};

/* Who zcl_trace_kill_current() kills (0: nobody); for spawn.c. */
void zcl_trace_set_current(pid_t first, bool own_group);

/* The task zcl_trace_kill_current() would kill (the first process while
 * it lives), 0 if none; async-signal-safe. */
pid_t zcl_trace_current(void);

/* End the run being traced: SIGKILL one of its tasks (and its process
 * group, if it has its own) so the tracer wakes up and kills the rest.
 * Async-signal-safe and thread-safe: for SIGINT/SIGTERM handlers and the
 * viz's thread. */
void zcl_trace_kill_current(void);

/*
 * Run opts->path (or argv[0]) with argv under the tracer until every
 * process it started is gone (with follow_children), or until the first one
 * is gone (the others are killed then). Fills *res. Returns 0, or -1 with
 * errno and a message in err (size errlen) when the tracer itself could not
 * work (fork failed, ptrace not permitted, bad filter). No process is left
 * behind in either case. One run at a time per process.
 */
int zcl_trace_run(char *const argv[], char *const envp[],
		  const struct zcl_trace_opts *opts,
		  const struct zcl_tracer_hooks *hooks,
		  struct zcl_trace_result *res, char *err, size_t errlen);

/*
 * Attach to the running processes pids[0..n) (every thread of each, as
 * strace -p does; a thread's id names its process) and trace them, and all
 * they start, until every one is gone, or until zcl_trace_kill_current() or
 * the deadline: then every task is detached and runs on, its stops and
 * pending signals its own. No filter can be added to a running program, so
 * every syscall stops at entry and exit: each result is exact (no deferred
 * calls). Reads o->trap/trap_all, timeout_s and trace_other_abi; never pins
 * CPUs. res->pid is pids[0]'s process, exited/exit_code/term_signal its end
 * if it ended. Returns 0, or -1 with errno and a one-line message in err
 * when a process cannot be attached (attach.h: zcl_attach_check, or
 * PTRACE_SEIZE refused): nothing stays attached then. One run at a time.
 */
int zcl_trace_attach(const pid_t *pids, size_t n, const struct zcl_trace_opts *opts,
		     const struct zcl_tracer_hooks *hooks, struct zcl_trace_result *res,
		     char *err, size_t errlen);

/*
 * Run argv[0] without the tracer: the same child setup, process group and
 * deadline, no ptrace and no filter (for timing a program). Fills
 * res->exited/exit_code/term_signal/timed_out. 0, or -1 with err.
 */
int zcl_spawn_untraced(char *const argv[], char *const envp[], const struct zcl_trace_opts *opts,
		       struct zcl_trace_result *res, char *err, size_t errlen);

#endif
