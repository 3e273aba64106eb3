/*
 * tracer.c - ptrace + seccomp: see every chosen syscall at entry and exit.
 *
 * The child waits on a socket until we have seized it (PTRACE_SEIZE with our
 * options), then loads the seccomp filter and execs. From then on each chosen
 * syscall stops the thread at PTRACE_EVENT_SECCOMP (entry, before the kernel
 * runs it). We resume it with PTRACE_SYSCALL so it stops once more at syscall
 * exit, where PTRACE_GET_SYSCALL_INFO gives the return value, then with
 * PTRACE_CONT so it runs freely to the next chosen syscall. Syscalls the
 * filter does not mark never stop at all: that is why this is cheaper than
 * strace's two stops on every syscall.
 *
 * Seizing (rather than PTRACE_TRACEME) keeps job control the program's own:
 * a group-stop (SIGSTOP, SIGTSTP ...) is reported as PTRACE_EVENT_STOP and
 * left in place with PTRACE_LISTEN, so a stopped worker stays stopped and
 * its parent's waitpid(WUNTRACED) sees it (ptrace(2), "Group-stop"; strace
 * does the same).
 *
 * Attached to a running process (attach.c), every syscall stops at entry
 * and exit (PTRACE_SYSCALL throughout, as strace -p): no filter can be added.
 *
 * Beside this file: spawn.c starts and seizes the child, tracee_table.c
 * holds the tasks (a hash by pid that grows), tracer_cpu.c decides where the
 * program runs (pin_cpu), tracer_inject.c does the register surgery of fault
 * injection, deadline.c keeps the clock of --timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "deadline.h"
#include "filter.h"
#include "tracer.h"
#include "tracer_cpu.h"
#include "tracer_inject.h"
#include "tracer_priv.h"
#include "spawn.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000UL /* __X32_SYSCALL_BIT: an x32 call on the x86-64 entry */
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define X32_BIT 0UL
#else
#error "tracer.c: add this architecture's AUDIT_ARCH_*"
#endif

/* For zcl_trace_kill_current(), called from signal handlers and other
 * threads: one task of the run that is not reaped yet (so its pid is not
 * reused), the process group if the run has its own, and the request. */
static volatile sig_atomic_t victim, group, kill_asked;

static void kill_victim(void)
{
	pid_t v = (pid_t)victim, g = (pid_t)group;
	if (v > 0)
		kill(v, SIGKILL);
	if (g > 0)
		kill(-g, SIGKILL);
}

void zcl_trace_set_current(pid_t first, bool own_group)
{
	victim = first;
	group = own_group ? first : 0;
}

pid_t zcl_trace_current(void) { return (pid_t)victim; }

void zcl_trace_kill_current(void)
{
	kill_asked = 1;
	if (zcl_attach_wake() < 0) /* an attached run is woken to detach (attach.h) */
		kill_victim(); /* its death wakes the tracer's waitpid(), which kills the rest */
}

bool zcl_tr_asked(struct tracer *tr)
{
	return kill_asked || atomic_load(&tr->timed_out);
}

/* SIGKILL every task; from now on a newcomer is killed on sight. */
static void kill_all(struct tracer *tr)
{
	atomic_store(&tr->dying, true);
	if (tr->o->own_group)
		kill(-tr->first, SIGKILL);
	for (struct zcl_tracee *t = tr->tt.head; t; t = t->next)
		kill(t->pid, SIGKILL);
}

/* The deadline passed: end the run unless it is ending on its own. */
void zcl_tr_deadline(void *arg)
{
	struct tracer *tr = arg;
	if (tr->attach) {
		atomic_store(&tr->timed_out, true);
		zcl_attach_wake();
	} else if (!atomic_load(&tr->dying)) {
		atomic_store(&tr->timed_out, true);
		kill_victim(); /* its death wakes the waitpid() loop, which kills the rest */
	}
}

/* ---- resuming ---- */

/* Let t run on (to the exit stop if a call is in flight, or to the next
 * syscall stop once attached), delivering sig; or, detaching, leave it
 * stopped until it is let go with sig. */
static void resume(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	if (tr->parking) {
		t->parked = true;
		t->park_sig = sig;
		return;
	}
	ptrace(tr->attach || t->in_syscall ? PTRACE_SYSCALL : PTRACE_CONT, t->pid, 0L, (long)sig);
}

/* t is in a group-stop: keep it stopped, as without us (PTRACE_LISTEN;
 * detaching from a group-stop leaves it stopped too). */
static void keep_stopped(struct tracer *tr, struct zcl_tracee *t)
{
	if (tr->parking)
		resume(tr, t, 0);
	else
		ptrace(PTRACE_LISTEN, t->pid, 0L, 0L);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The first stop of a new task (its PTRACE_EVENT_STOP): run it, or leave
 * it in the group-stop it was born into. */
static void start_new(struct tracer *tr, struct zcl_tracee *t, bool group_stop)
{
	if (group_stop)
		keep_stopped(tr, t);
	else
		resume(tr, t, 0);
}

/* ---- the task table ---- */

struct zcl_tracee *zcl_tr_track(struct tracer *tr, pid_t pid)
{
	size_t before = tr->tt.n;
	struct zcl_tracee *t = zcl_tt_add(&tr->tt, pid);
	if (!t) {
		tr->res->lost++;
		if (tr->attach)
			ptrace(PTRACE_DETACH, pid, 0L, 0L); /* (if it is stopped; else our exit lets it go) */
		else
			kill(pid, SIGKILL);
		return NULL;
	}
	if (tr->tt.n == before)
		return t; /* known already */
	if (atomic_load(&tr->dying))
		kill(pid, SIGKILL);
	if (tr->tt.n > tr->res->most_tasks)
		tr->res->most_tasks = tr->tt.n;
	zcl_cpu_tasks_changed(&tr->cpu, &tr->tt);
	return t;
}

static void complete_pending(struct tracer *tr, struct zcl_tracee *t);

/* (tracer_priv.h) Forget it, and name another one for kill_victim(). */
void zcl_tr_forget(struct tracer *tr, struct zcl_tracee *t)
{
	complete_pending(tr, t); /* counters are gone: reported as unknown */
	zcl_tt_remove(&tr->tt, t);
	if (!tr->attach) /* an attached run has no victim: it is detached, never killed */
		victim = tr->tt.head ? tr->tt.head->pid : 0;
	zcl_cpu_tasks_changed(&tr->cpu, &tr->tt);
}

static bool wanted(const struct tracer *tr, long nr)
{
	if (tr->o->trap_all)
		return true;
	return nr >= 0 && nr < WANT_MAX && (tr->want[nr / 64] >> (nr % 64) & 1);
}

/* ---- syscalls ---- */

/* A reported call at entry: the hook measures and decides; we inject. */
static void enter_reported(struct tracer *tr, struct zcl_tracee *t, const uint64_t *orig_args)
{
	int count_arg = -1;
	enum zcl_inject inj = tr->h->entry ? tr->h->entry(tr->h->ctx, &t->rec, &count_arg) : ZI_NONE;
	/* a count the hook lowered in rec->args is the count to use */
	unsigned long long asked = count_arg >= 0 && count_arg < 6 &&
				   t->rec.args[count_arg] < orig_args[count_arg]
				   ? t->rec.args[count_arg] : 0;
	enum zcl_inject done = zcl_inject_at_entry(t, inj, count_arg, asked);
	if (inj == ZI_DENY && done != ZI_DENY)
		kill(t->pid, SIGKILL); /* could not refuse it: never let it run */
	t->rec.injected = done;
	if (!tr->attach && t->rec.deferred && done == ZI_NONE && t->cpu_call == ZCL_CPU_NONE) {
		/* No exit stop: the collector reads the result from the
		 * kernel's counters at this thread's next stop. (Attached,
		 * the exit stop comes anyway: every result is exact.) */
		t->pending = true;
		resume(tr, t, 0);
		return;
	}
	t->rec.deferred = false;
	t->in_syscall = true;
	resume(tr, t, 0);
}

/* A syscall is about to run (a seccomp stop, or an attached run's entry
 * stop): record it, report it if the caller wants it. */
static void enter(struct tracer *tr, struct zcl_tracee *t, uint32_t arch, uint64_t nr, const uint64_t *args)
{
	memset(&t->rec, 0, sizeof t->rec);
	t->rec.pid = t->pid;
	t->rec.nr = (long)nr;
	memcpy(t->rec.args, args, sizeof t->rec.args);
	t->other_abi = arch != NATIVE_ARCH || (X32_BIT && (nr & X32_BIT));
	if (t->other_abi) {
		/* int 0x80 or x32: other numbers; seen at exit, never modelled */
		t->arch = arch;
		t->report = false;
		t->cpu_call = ZCL_CPU_NONE;
		t->in_syscall = true;
		resume(tr, t, 0);
		return;
	}
	t->cpu_call = zcl_cpu_call(&tr->cpu, t->rec.nr);
	t->report = wanted(tr, t->rec.nr);
	if (t->report) {
		enter_reported(tr, t, args);
		return;
	}
	/* a call the tracer trapped for itself; attached, every exit stops */
	t->in_syscall = tr->attach || t->cpu_call != ZCL_CPU_NONE;
	resume(tr, t, 0);
}

/* Seccomp stop: the syscall is about to run. (Attached, the entry stop
 * came first and said it all: a filter of the program's own is let be.) */
static void on_entry(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	(void)sig;
	struct __ptrace_syscall_info si;
	if (tr->attach || ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof si, &si) < 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(tr, t, 0);
		return;
	}
	enter(tr, t, si.arch, si.seccomp.nr, si.seccomp.args);
}

/* Hand a finished record to the collector. */
static void report(struct tracer *tr, struct zcl_tracee *t)
{
	t->rec.seq = ++tr->seq;
	tr->res->traced++;
	if (tr->h->exit)
		tr->h->exit(tr->h->ctx, &t->rec);
}

/* The thread stopped again (or is gone): its deferred call is over. */
static void complete_pending(struct tracer *tr, struct zcl_tracee *t)
{
	if (!t->pending)
		return;
	t->pending = false;
	t->rec.ret = 0; /* the collector fills it in from the counters */
	report(tr, t);
}

static const char *abi_name(uint32_t arch)
{
	return arch == AUDIT_ARCH_I386 ? "i386" : arch == NATIVE_ARCH ? "x32" : "another ABI";
}

/* Syscall-exit stop: the result is known (si: PTRACE_GET_SYSCALL_INFO's
 * answer there, or NULL when it failed). */
static void on_exit_stop(struct tracer *tr, struct zcl_tracee *t, const struct __ptrace_syscall_info *si)
{
	t->in_syscall = false;
	bool ok = si && si->op == PTRACE_SYSCALL_INFO_EXIT;
	t->rec.ret = ok ? si->exit.rval : 0;
	if (ok && t->other_abi) {
		tr->res->other_abi++;
		char name[64];
		if (tr->h->other_abi)
			tr->h->other_abi(tr->h->ctx, &t->rec, abi_name(t->arch),
					 zcl_filter_syscall_name(t->arch, t->rec.nr, name, sizeof name));
	} else if (ok) {
		if (t->cpu_call != ZCL_CPU_NONE)
			zcl_cpu_exit(&tr->cpu, &tr->tt, t);
		if (t->report && t->rec.injected != ZI_NONE)
			zcl_inject_at_exit(t);
		if (t->report)
			report(tr, t);
	}
	t->other_abi = false;
	t->cpu_call = ZCL_CPU_NONE;
	resume(tr, t, 0);
}

/* An attached run's syscall stop: an entry, or the exit of the call in
 * flight. An exit without an entry is a call that was in flight when we
 * attached (blocked in accept, say): counted apart, never paired. */
static void on_syscall_stop(struct tracer *tr, struct zcl_tracee *t)
{
	struct __ptrace_syscall_info si;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof si, &si) < 0)
		si.op = PTRACE_SYSCALL_INFO_NONE;
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY && !tr->parking) {
		enter(tr, t, si.arch, si.entry.nr, si.entry.args);
	} else if (si.op == PTRACE_SYSCALL_INFO_EXIT && t->in_syscall) {
		on_exit_stop(tr, t, &si);
	} else {
		if (si.op == PTRACE_SYSCALL_INFO_EXIT)
			tr->res->in_flight++;
		t->in_syscall = false; /* (detaching: the call runs on untraced) */
		resume(tr, t, 0);
	}
}

/* ---- stops, one handler per kind (the event in status >> 16) ---- */

/* No event: a syscall stop, or a signal about to be delivered. */
static void on_plain(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	if (sig == (SIGTRAP | 0x80) && tr->attach) {
		on_syscall_stop(tr, t);
	} else if (sig == (SIGTRAP | 0x80)) {
		struct __ptrace_syscall_info si;
		if (t->in_syscall)
			on_exit_stop(tr, t, ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof si, &si) >= 0
					    ? &si : NULL);
		else
			resume(tr, t, 0); /* impossible: we only ask for exit stops */
	} else {
		resume(tr, t, sig); /* deliver it: the program's signals are its own */
	}
}

/* fork, vfork, clone: the child is traced already. */
static void on_new_child(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	(void)sig;
	unsigned long child = 0;
	ptrace(PTRACE_GETEVENTMSG, t->pid, 0, &child);
	struct zcl_tracee *c = child ? zcl_tr_track(tr, (pid_t)child) : NULL;
	if (c) {
		/* The collector copies the parent's mappings before the
		 * child runs a single instruction. */
		if (tr->h->proc_new)
			tr->h->proc_new(tr->h->ctx, c->pid, t->pid, false);
		c->announced = true;
		if (c->held) {
			c->held = false;
			tr->held--;
			start_new(tr, c, c->held_in_group_stop);
		}
	}
	resume(tr, t, 0);
}

static void on_exec(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	(void)sig;
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, t->pid, 0, &former);
	struct zcl_tracee *old = former && (pid_t)former != t->pid
				 ? zcl_tt_find(&tr->tt, (pid_t)former) : NULL;
	if (old) {
		/* A non-leader thread exec'd: it now has the leader's pid (the
		 * leader is gone without an exit report) and carries its own
		 * state (inside execve) along. */
		pid_t pid = t->pid;
		zcl_tr_forget(tr, t);
		zcl_tt_rekey(&tr->tt, old, pid);
		if (!tr->attach)
			victim = tr->tt.head ? tr->tt.head->pid : 0;
		t = old;
	}
	tr->exec_seen = true;
	if (tr->h->proc_new)
		tr->h->proc_new(tr->h->ctx, t->pid, t->pid, true);
	resume(tr, t, 0);
}

static void on_exit_event(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	(void)sig;
	if (tr->h->proc_exit)
		tr->h->proc_exit(tr->h->ctx, t->pid);
	resume(tr, t, 0);
}

/* PTRACE_EVENT_STOP: a new task's first stop, a group-stop, or the wake-up
 * of a group-stop (SIGCONT) reported as SIGTRAP. */
static void on_event_stop(struct tracer *tr, struct zcl_tracee *t, int sig)
{
	(void)tr;
	if (!t->seen) {
		t->seen = true;
		if (t->announced) {
			start_new(tr, t, is_stop_signal(sig));
		} else {
			t->held = true; /* it beat its parent's event: wait for it */
			t->held_in_group_stop = is_stop_signal(sig);
			tr->held++;
		}
		return;
	}
	if (is_stop_signal(sig))
		keep_stopped(tr, t); /* stay stopped, as without us */
	else
		resume(tr, t, 0);
}

typedef void (*stop_fn)(struct tracer *tr, struct zcl_tracee *t, int sig);

static const stop_fn on_event[] = {
	[0] = on_plain,
	[PTRACE_EVENT_FORK] = on_new_child,
	[PTRACE_EVENT_VFORK] = on_new_child,
	[PTRACE_EVENT_CLONE] = on_new_child,
	[PTRACE_EVENT_EXEC] = on_exec,
	[PTRACE_EVENT_EXIT] = on_exit_event,
	[PTRACE_EVENT_SECCOMP] = on_entry,
	[PTRACE_EVENT_STOP] = on_event_stop,
};

void zcl_tr_on_stop(struct tracer *tr, pid_t pid, int status)
{
	struct zcl_tracee *t = zcl_tt_find(&tr->tt, pid);
	if (!t && !(t = zcl_tr_track(tr, pid))) /* a new child can report before its parent's event */
		return;
	int sig = WSTOPSIG(status);
	unsigned ev = (unsigned)status >> 16;
	complete_pending(tr, t);
	if (ev != PTRACE_EVENT_STOP)
		t->seen = true;
	stop_fn fn = ev < sizeof on_event / sizeof on_event[0] ? on_event[ev] : NULL;
	if (fn)
		fn(tr, t, sig);
	else
		resume(tr, t, 0); /* an event we did not ask for */
}

/* A task is gone, and new tasks still wait for their parent's event: the
 * parent may have been the one that died (killed before it could report
 * the fork). Let such orphans run rather than hold them for ever. */
static void release_orphans(struct tracer *tr)
{
	for (struct zcl_tracee *t = tr->tt.head; t; t = t->next) {
		if (!t->held || zcl_tt_find(&tr->tt, zcl_proc_parent(t->pid)))
			continue; /* its parent is alive: its event will come */
		t->held = false;
		tr->held--;
		t->announced = true;
		if (tr->h->proc_new)
			tr->h->proc_new(tr->h->ctx, t->pid, 0, false); /* parent unknown */
		start_new(tr, t, t->held_in_group_stop);
	}
}

/* A task exited or was killed. */
void zcl_tr_on_gone(struct tracer *tr, pid_t pid, int st)
{
	struct zcl_trace_result *res = tr->res;
	if (pid == tr->first) {
		res->exited = WIFEXITED(st);
		res->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
		res->term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
	struct zcl_tracee *t = zcl_tt_find(&tr->tt, pid);
	if (t) {
		if (t->held)
			tr->held--;
		zcl_tr_forget(tr, t);
	}
	if (tr->held)
		release_orphans(tr);
	if (pid == tr->first && !tr->o->follow_children && !atomic_load(&tr->dying))
		kill_all(tr); /* the program is over: so are its helpers */
}

/* ---- the run ---- */

void zcl_tr_loop(struct tracer *tr)
{
	int st;
	while (tr->tt.n > 0) {
		if (tr->attach && zcl_tr_asked(tr)) {
			tr->res->killed = kill_asked;
			return; /* attach.c detaches */
		}
		if ((kill_asked || atomic_load(&tr->timed_out)) && !atomic_load(&tr->dying)) {
			tr->res->killed = kill_asked;
			kill_all(tr); /* the tasks' deaths keep waitpid() busy from here on */
		}
		pid_t p = tr->attach ? zcl_attach_waitpid(-1, &st) : waitpid(-1, &st, __WALL);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left (impossible while the table has tasks) */
		}
		tr->res->stops++;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			zcl_tr_on_gone(tr, p, st);
		else if (WIFSTOPPED(st))
			zcl_tr_on_stop(tr, p, st);
	}
}

void zcl_tr_init(struct tracer *tr, const struct zcl_trace_opts *o, const struct zcl_tracer_hooks *h,
		 struct zcl_trace_result *res)
{
	*tr = (struct tracer){.o = o, .h = h, .res = res};
	memset(res, 0, sizeof *res);
	zcl_tt_init(&tr->tt);
	kill_asked = 0; /* a request from now on ends this run (and only this one) */
	if (o->trap_all || !o->trap)
		return;
	for (const int *p = o->trap; *p >= 0; p++)
		if (*p < WANT_MAX)
			tr->want[*p / 64] |= 1ULL << (*p % 64);
}

int zcl_trace_run(char *const argv[], char *const envp[],
		  const struct zcl_trace_opts *o,
		  const struct zcl_tracer_hooks *h,
		  struct zcl_trace_result *res, char *err, size_t errlen)
{
	struct tracer tr;
	zcl_tr_init(&tr, o, h, res);
	struct sock_fprog *f = zcl_filter_build(o);
	if (!f) {
		snprintf(err, errlen, "tracer: cannot build the seccomp filter");
		errno = EINVAL;
		return -1;
	}
	zcl_cpu_begin(&tr.cpu, o->pin_cpu); /* before fork: the child inherits the pin */
	pid_t pid = zcl_spawn_seized(argv, envp, o, f, ZCL_PTRACE_OPTS | PTRACE_O_EXITKILL, err, errlen);
	free(f);
	if (pid < 0) {
		zcl_cpu_end(&tr.cpu);
		return -1;
	}
	tr.first = res->pid = pid;
	struct zcl_tracee *t0 = zcl_tr_track(&tr, pid);
	if (!t0) {
		snprintf(err, errlen, "tracer: out of memory");
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		zcl_cpu_end(&tr.cpu);
		errno = ENOMEM;
		return -1;
	}
	t0->seen = t0->announced = true;
	zcl_trace_set_current(pid, o->own_group);

	struct zcl_deadline wd;
	zcl_deadline_start(&wd, o->timeout_s, zcl_tr_deadline, &tr);
	zcl_tr_loop(&tr);
	/* Reap whatever is left in the group (untraced leftovers cannot exist:
	 * every child is auto-attached, but be sure). */
	if (o->own_group) {
		kill(-pid, SIGKILL);
		while (waitpid(-pid, NULL, __WALL | WNOHANG) > 0)
			;
	}
	zcl_trace_set_current(0, false);
	zcl_deadline_stop(&wd);
	res->timed_out = atomic_load(&tr.timed_out);
	res->exec_failed = !tr.exec_seen;
	zcl_tt_free(&tr.tt);
	zcl_cpu_end(&tr.cpu);
	return 0;
}
