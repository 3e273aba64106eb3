/*
 * tracer.c - ptrace + seccomp: see every chosen syscall at entry and exit.
 *
 * The child stops itself (PTRACE_TRACEME + SIGSTOP), we set the options, it
 * loads the seccomp filter and execs. From then on each chosen syscall stops
 * the thread at PTRACE_EVENT_SECCOMP (entry, before the kernel runs it). We
 * resume it with PTRACE_SYSCALL so it stops once more at syscall exit, where
 * PTRACE_GET_SYSCALL_INFO gives the return value, then with PTRACE_CONT so it
 * runs freely to the next chosen syscall. Syscalls the filter does not mark
 * never stop at all: that is why this is cheaper than strace's two stops on
 * every syscall.
 *
 * Faults are injected with register surgery (x86-64):
 *   short  at entry shrink the count register to half, at exit put it back,
 *          so the kernel really moves fewer bytes and the program cannot tell;
 *   eintr  at entry set the syscall number to -1 (the kernel skips it), at
 *          exit set the result to -EINTR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "params.h"
#include "filter.h"
#include "tracer.h"

struct tracee {
	pid_t pid;
	bool used;
	bool in_syscall;           /* between the seccomp stop and the exit stop */
	bool pending;              /* a deferred call waits for this thread's next stop */
	bool seen;                 /* its first (attach) SIGSTOP was absorbed */
	bool announced;            /* its parent's fork/clone event was handled */
	bool held;                 /* stopped at attach, waiting for that event */
	struct zcl_sysrec rec;     /* the syscall in flight */
	int count_reg;             /* ZI_SHORT: which argument was shrunk */
	unsigned long long saved;  /* ZI_SHORT: its original value */
};

struct tracer {
	struct tracee t[ZCL_MAX_TRACEES];
	int live;
	pid_t first;
	const struct zcl_tracer_hooks *h;
	struct zcl_trace_result *res;
	uint64_t seq;
	/* watchdog */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	bool first_reaped;         /* the first process is gone: no timeout any more */
	bool exec_seen;            /* the first program image was loaded */
	bool own_group;            /* the tracees have a process group of their own */
	double timeout_s;
	atomic_bool timed_out;
};

/* For zcl_trace_kill_current(), called from signal handlers. */
static volatile sig_atomic_t current_first, current_group;

static struct tracee *find(struct tracer *tr, pid_t pid)
{
	for (int i = 0; i < ZCL_MAX_TRACEES; i++)
		if (tr->t[i].used && tr->t[i].pid == pid)
			return &tr->t[i];
	return NULL;
}

static struct tracee *add(struct tracer *tr, pid_t pid)
{
	struct tracee *t = find(tr, pid);
	if (t)
		return t;
	for (int i = 0; i < ZCL_MAX_TRACEES; i++) {
		if (!tr->t[i].used) {
			memset(&tr->t[i], 0, sizeof tr->t[i]);
			tr->t[i].used = true;
			tr->t[i].pid = pid;
			tr->live++;
			return &tr->t[i];
		}
	}
	return NULL; /* table full: the caller kills the newcomer */
}

static void complete_pending(struct tracer *tr, struct tracee *t);

static void drop(struct tracer *tr, pid_t pid)
{
	struct tracee *t = find(tr, pid);
	if (t) {
		complete_pending(tr, t); /* counters are gone: reported as unknown */
		t->used = false;
		tr->live--;
	}
}

static void kill_all(struct tracer *tr)
{
	kill(tr->first, SIGKILL);
	if (tr->own_group)
		kill(-tr->first, SIGKILL);
	for (int i = 0; i < ZCL_MAX_TRACEES; i++)
		if (tr->t[i].used)
			kill(tr->t[i].pid, SIGKILL);
}

void zcl_trace_set_current(pid_t first, bool own_group)
{
	current_first = first;
	current_group = own_group;
}

void zcl_trace_kill_current(void)
{
	pid_t first = (pid_t)current_first;
	if (first > 0) {
		kill(first, SIGKILL);
		if (current_group)
			kill(-first, SIGKILL);
	}
}

/* The watchdog sleeps until the deadline; then it kills the first process
 * (its pid cannot be reused before we reap it) and its group, so the
 * waitpid() loop wakes up and kills the rest from its table. */
static void *watchdog(void *arg)
{
	struct tracer *tr = arg;
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	double whole = (double)(long)tr->timeout_s;
	dl.tv_sec += (time_t)whole;
	dl.tv_nsec += (long)((tr->timeout_s - whole) * 1e9);
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&tr->mu);
	while (!tr->done) {
		if (pthread_cond_timedwait(&tr->cv, &tr->mu, &dl) == ETIMEDOUT) {
			if (!tr->first_reaped) {
				atomic_store(&tr->timed_out, true);
				kill(tr->first, SIGKILL);
				if (tr->own_group)
					kill(-tr->first, SIGKILL);
			}
			break;
		}
	}
	pthread_mutex_unlock(&tr->mu);
	return NULL;
}

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

static void resume(pid_t pid, bool to_exit, int sig)
{
	ptrace(to_exit ? PTRACE_SYSCALL : PTRACE_CONT, pid, 0L, (long)sig);
}

/* Seccomp stop: the syscall is about to run. */
static void on_entry(struct tracer *tr, struct tracee *t)
{
	struct __ptrace_syscall_info si;
	memset(&t->rec, 0, sizeof t->rec);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof si, &si) < 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(t->pid, false, 0);
		return;
	}
	t->rec.pid = t->pid;
	t->rec.nr = (long)si.seccomp.nr;
	memcpy(t->rec.args, si.seccomp.args, sizeof t->rec.args);
	int count_arg = -1;
	enum zcl_inject inj = tr->h->entry ? tr->h->entry(tr->h->ctx, &t->rec, &count_arg) : ZI_NONE;
	/* a count the hook lowered in rec->args is the count to use */
	unsigned long long asked = count_arg >= 0 && count_arg < 6 &&
				   t->rec.args[count_arg] < si.seccomp.args[count_arg]
				   ? t->rec.args[count_arg] : 0;
	t->rec.injected = inj; /* what was asked; set again to what was done */
#if defined(__x86_64__)
	if (inj != ZI_NONE) {
		struct user_regs_struct regs;
		if (ptrace(PTRACE_GETREGS, t->pid, 0, &regs) == 0) {
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
				inj = ZI_NONE;
			}
			if (inj != ZI_NONE && ptrace(PTRACE_SETREGS, t->pid, 0, &regs) < 0)
				inj = ZI_NONE;
		} else {
			inj = ZI_NONE;
		}
	}
#else
	/* Register surgery is written for x86-64 only; a refusal elsewhere
	 * kills the program rather than let the call through. */
	if (inj == ZI_DENY)
		kill(t->pid, SIGKILL);
	inj = ZI_NONE;
#endif
	if (t->rec.injected == ZI_DENY && inj != ZI_DENY)
		kill(t->pid, SIGKILL); /* could not refuse it: never let it run */
	t->rec.injected = inj;
	if (t->rec.deferred && inj == ZI_NONE) {
		/* No exit stop: the collector reads the result from the
		 * kernel's counters at this thread's next stop. */
		t->pending = true;
		resume(t->pid, false, 0);
		return;
	}
	t->rec.deferred = false;
	t->in_syscall = true;
	resume(t->pid, true, 0);
}

/* Hand a finished record to the collector. */
static void report(struct tracer *tr, struct tracee *t)
{
	t->rec.seq = ++tr->seq;
	tr->res->traced++;
	if (tr->h->exit)
		tr->h->exit(tr->h->ctx, &t->rec);
}

/* The thread stopped again (or is gone): its deferred call is over. */
static void complete_pending(struct tracer *tr, struct tracee *t)
{
	if (!t->pending)
		return;
	t->pending = false;
	t->rec.ret = 0; /* the collector fills it in from the counters */
	report(tr, t);
}

/* Syscall-exit stop: the result is known. */
static void on_exit_stop(struct tracer *tr, struct tracee *t)
{
	struct __ptrace_syscall_info si;
	t->in_syscall = false;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof si, &si) < 0 ||
	    si.op != PTRACE_SYSCALL_INFO_EXIT) {
		resume(t->pid, false, 0);
		return;
	}
	t->rec.ret = si.exit.rval;
#if defined(__x86_64__)
	if (t->rec.injected != ZI_NONE) {
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
	}
#endif
	report(tr, t);
	resume(t->pid, false, 0);
}

static void on_stop(struct tracer *tr, pid_t pid, int status)
{
	struct tracee *t = find(tr, pid);
	if (!t) {
		/* A new child can report before its parent's fork event. */
		t = add(tr, pid);
		if (!t) {
			kill(pid, SIGKILL);
			return;
		}
	}
	int sig = WSTOPSIG(status);
	int ev = (unsigned)status >> 16;
	complete_pending(tr, t);
	if (ev == PTRACE_EVENT_SECCOMP) {
		on_entry(tr, t);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		if (t->in_syscall)
			on_exit_stop(tr, t);
		else
			resume(pid, false, 0); /* impossible: we only ask for exit stops */
		return;
	}
	if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK || ev == PTRACE_EVENT_CLONE) {
		unsigned long child = 0;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &child);
		struct tracee *c = child ? add(tr, (pid_t)child) : NULL;
		if (child && !c) {
			kill((pid_t)child, SIGKILL);
		} else if (c) {
			/* The collector copies the parent's mappings before the
			 * child runs a single instruction. */
			if (tr->h->proc_new)
				tr->h->proc_new(tr->h->ctx, c->pid, pid, false);
			c->announced = true;
			if (c->held) {
				c->held = false;
				resume(c->pid, false, 0);
			}
		}
		resume(pid, t->in_syscall, 0);
		return;
	}
	if (ev == PTRACE_EVENT_EXEC) {
		unsigned long former = 0;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &former);
		struct tracee *old = former && (pid_t)former != pid ? find(tr, (pid_t)former) : NULL;
		if (old) {
			/* A non-leader thread exec'd: it now has the leader's pid,
			 * and carries its own state (inside execve) along. */
			struct tracee moved = *old;
			drop(tr, old->pid);
			moved.pid = pid;
			*t = moved;
		}
		tr->exec_seen = true;
		if (tr->h->proc_new)
			tr->h->proc_new(tr->h->ctx, pid, pid, true);
		resume(pid, t->in_syscall, 0);
		return;
	}
	if (ev == PTRACE_EVENT_EXIT) {
		if (tr->h->proc_exit)
			tr->h->proc_exit(tr->h->ctx, pid);
		resume(pid, false, 0);
		return;
	}
	if (ev != 0) {
		resume(pid, t->in_syscall, 0); /* PTRACE_EVENT_STOP etc.: nothing to do */
		return;
	}
	if (sig == SIGSTOP && !t->seen) {
		t->seen = true; /* the attach stop of a new tracee: swallow it */
		if (t->announced)
			resume(pid, false, 0);
		else
			t->held = true; /* it beat its parent's event: wait for it */
		return;
	}
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) < 0) {
		/* group-stop (SIGSTOP, SIGTSTP ...): keep it running; a stopped
		 * program would only wait for the deadline */
		resume(pid, t->in_syscall, 0);
		return;
	}
	resume(pid, t->in_syscall, sig); /* deliver the signal */
}

/* Write a fixed message: between fork and exec only async-signal-safe calls. */
static void say(const char *msg)
{
	ssize_t n = write(2, msg, strlen(msg));
	(void)n;
}

static void child(char *const argv[], char *const envp[], const struct zcl_trace_opts *o,
		  const struct sock_fprog *f)
{
	if (o->own_group)
		setpgid(0, 0);
	if (o->child_setup)
		o->child_setup(o->child_arg);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
		say("zcl: tracer: ptrace(PTRACE_TRACEME) refused\n");
		_exit(126);
	}
	raise(SIGSTOP);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, f) < 0) {
		say("zcl: tracer: cannot install the seccomp filter\n");
		_exit(126);
	}
	execve(argv[0], argv, envp);
	say("zcl: tracer: execve failed\n");
	_exit(127);
}

static void pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

int zcl_trace_run(char *const argv[], char *const envp[],
		  const struct zcl_trace_opts *o,
		  const struct zcl_tracer_hooks *h,
		  struct zcl_trace_result *res, char *err, size_t errlen)
{
	static struct tracer tr; /* large; one run at a time */
	memset(&tr, 0, sizeof tr);
	memset(res, 0, sizeof *res);
	tr.h = h;
	tr.res = res;
	tr.timeout_s = o->timeout_s;

	cpu_set_t old;
	bool pinned = false;
	if (o->pin_cpu && sched_getaffinity(0, sizeof old, &old) == 0) {
		pin_to_this_cpu();
		pinned = true;
	}
	struct sock_fprog *f = zcl_filter_build(o);
	if (!f) {
		snprintf(err, errlen, "tracer: cannot build the seccomp filter");
		errno = EINVAL;
		goto fail_unpin;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "tracer: fork: %s", strerror(errno));
		free(f);
		goto fail_unpin;
	}
	if (pid == 0)
		child(argv, envp, o, f);
	free(f);
	if (o->own_group)
		setpgid(pid, pid); /* also done in the child: no race on who is first */
	tr.first = pid;
	tr.own_group = o->own_group;
	current_group = o->own_group;
	current_first = pid;
	res->pid = pid;

	int st;
	while (waitpid(pid, &st, __WALL) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "tracer: waitpid: %s", strerror(errno));
			kill(pid, SIGKILL);
			goto fail_unpin;
		}
	}
	if (!WIFSTOPPED(st)) {
		snprintf(err, errlen, "tracer: the child could not start (status %#x)", st);
		errno = ECHILD;
		goto fail_unpin;
	}
	long popts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL |
		     PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		     PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, popts) < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		snprintf(err, errlen, "tracer: ptrace not permitted here: %s", strerror(e));
		errno = e;
		goto fail_unpin;
	}
	struct tracee *t0 = add(&tr, pid);
	t0->seen = true;
	t0->announced = true;

	pthread_t wd;
	bool have_wd = false;
	pthread_mutex_init(&tr.mu, NULL);
	pthread_cond_init(&tr.cv, NULL);
	if (o->timeout_s > 0)
		have_wd = pthread_create(&wd, NULL, watchdog, &tr) == 0;

	ptrace(PTRACE_CONT, pid, 0, 0);
	while (tr.live > 0) {
		pid_t p = waitpid(-1, &st, __WALL);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left */
		}
		if (atomic_load(&tr.timed_out))
			kill_all(&tr);
		res->stops++;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (p == pid) {
				res->exited = WIFEXITED(st);
				res->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
				res->term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
			}
			drop(&tr, p);
			if (p == pid) {
				pthread_mutex_lock(&tr.mu);
				tr.first_reaped = true;
				pthread_mutex_unlock(&tr.mu);
				current_first = 0;
				kill_all(&tr); /* the program is over: so are its helpers */
			}
			continue;
		}
		if (WIFSTOPPED(st))
			on_stop(&tr, p, st);
	}
	/* Reap whatever is left in the group (untraced leftovers cannot exist:
	 * every child is auto-attached, but be sure). */
	if (o->own_group) {
		kill(-pid, SIGKILL);
		while (waitpid(-pid, &st, __WALL | WNOHANG) > 0)
			;
	}
	current_first = 0;

	pthread_mutex_lock(&tr.mu);
	tr.done = true;
	pthread_cond_signal(&tr.cv);
	pthread_mutex_unlock(&tr.mu);
	if (have_wd)
		pthread_join(wd, NULL);
	res->timed_out = atomic_load(&tr.timed_out);
	res->exec_failed = !tr.exec_seen;
	if (pinned)
		sched_setaffinity(0, sizeof old, &old);
	return 0;

fail_unpin:
	if (pinned)
		sched_setaffinity(0, sizeof old, &old);
	return -1;
}
