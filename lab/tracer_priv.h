/*
 * tracer_priv.h - what tracer.c shares with attach.c (zcl trace -p), and
 * with no other file: the run's state and the handlers of its stops.
 *
 * A run started by zcl_trace_run and a run attached by zcl_trace_attach go
 * through the same stop handlers; they differ in how a syscall stops
 * (a seccomp stop at entry, or PTRACE_SYSCALL's entry and exit stops for
 * every call once attached, since no filter can be added from outside) and
 * in how the run ends (killed, or detached and left running).
 */
#ifndef ZCL_TRACER_PRIV_H
#define ZCL_TRACER_PRIV_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "tracee_table.h"
#include "tracer.h"
#include "tracer_cpu.h"

#define WANT_MAX 1024 /* syscall numbers the trap bitmap covers (x86-64 has ~460) */

/* The ptrace options of every run: follow fork, vfork, clone and exec,
 * see exits, mark syscall stops (SIGTRAP | 0x80), and take seccomp stops.
 * zcl_trace_run adds PTRACE_O_EXITKILL; an attached run never does (a zcl
 * that dies leaves the program running). */
#define ZCL_PTRACE_OPTS (PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
			 PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |        \
			 PTRACE_O_TRACEEXIT)

struct tracer {
	struct zcl_tracee_table tt;
	pid_t first;
	const struct zcl_trace_opts *o;
	const struct zcl_tracer_hooks *h;
	struct zcl_trace_result *res;
	uint64_t seq;
	uint64_t want[WANT_MAX / 64]; /* the caller's trap list: calls reported to the hooks */
	struct zcl_cpu cpu;
	bool exec_seen;            /* a program image was loaded */
	bool attach;               /* zcl_trace_attach: every syscall stops at entry and exit */
	bool parking;              /* detaching: a task is parked where it stops, not resumed */
	size_t held;               /* new tasks waiting for their parent's fork/clone event */
	atomic_bool dying;         /* everything was sent SIGKILL: newcomers are killed too */
	atomic_bool timed_out;     /* set by the deadline's thread */
};

/* A fresh run's state for o, h and res (res zeroed; the trap list read);
 * a request to end an earlier run is forgotten. Can't fail. */
void zcl_tr_init(struct tracer *tr, const struct zcl_trace_opts *o, const struct zcl_tracer_hooks *h,
		 struct zcl_trace_result *res);

/* Record a task we just learnt of; NULL when out of memory (it is then
 * killed, or with tr->attach detached, and counted in res->lost). */
struct zcl_tracee *zcl_tr_track(struct tracer *tr, pid_t pid);

/* A task is gone, or let go: forget it. Can't fail. */
void zcl_tr_forget(struct tracer *tr, struct zcl_tracee *t);

/* waitpid() reported pid stopped with status, or gone (exited or killed). */
void zcl_tr_on_stop(struct tracer *tr, pid_t pid, int status);
void zcl_tr_on_gone(struct tracer *tr, pid_t pid, int status);

/* Wait for stops until every task is gone, or (tr->attach) until the run
 * is asked to end (zcl_tr_asked): the caller then detaches. */
void zcl_tr_loop(struct tracer *tr);

/* Was the run asked to end (zcl_trace_kill_current, or the deadline)? */
bool zcl_tr_asked(struct tracer *tr);

/* The deadline's function (deadline.h): arg is the struct tracer. */
void zcl_tr_deadline(void *arg);

#endif
