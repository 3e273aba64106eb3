/*
 * attach.c - zcl trace -p PID: trace a program that is already running,
 * then leave it running.
 *
 * Attach as strace -p does: PTRACE_SEIZE every thread listed in
 * /proc/PID/task, listing again until a pass finds no new one (threads are
 * made while we attach; those a seized thread makes are attached by the
 * kernel, PTRACE_O_TRACECLONE), and PTRACE_INTERRUPT each. Once all have
 * stopped, the kernel's figures are read (the attached hook) and each is
 * resumed with PTRACE_SYSCALL: no seccomp filter can be added from outside,
 * so every syscall gives an entry and an exit stop (tracer.c reads both).
 * No PTRACE_O_EXITKILL: if zcl dies, the kernel detaches and the program
 * runs on (ptrace(2), "exit_ptrace").
 *
 * Detaching (Ctrl-C, SIGTERM, --timeout): every task is interrupted and
 * parked where it stops (a signal it was about to get kept for it, a
 * group-stop kept: ptrace(2), "Detaching of the tracee"); once all are
 * parked the kernel's figures are read again (the detaching hook) and each
 * is let go with PTRACE_DETACH. A signal with SA_RESTART (main.c's) does
 * not wake a blocked waitpid(), so a small thread, the waker, sends the
 * tracer's thread SIGURG (no SA_RESTART) until it has noticed. SIGURG is
 * blocked in the tracer's thread but while it waits (zcl_attach_waitpid),
 * so nothing else it does (writing the timeline) is cut short by it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "deferral.h"
#include "deadline.h"
#include "escape.h"
#include "params.h"
#include "tracer.h"
#include "tracer_priv.h"

/* ---- reading /proc ---- */

/* The name (comm) of pid, escaped for a terminal when asked, or "?". */
static void comm_of(pid_t pid, char *name, size_t len, bool escaped)
{
	char raw[64];
	zcl_proc_comm(pid, raw, sizeof raw);
	if (escaped)
		zcl_escape_text(raw, name, len);
	else
		snprintf(name, len, "%s", raw);
}

int zcl_attach_check(pid_t pid, pid_t *tgid, char *name, size_t namelen, char *err, size_t errlen)
{
	char path[64], st[4096], who[160];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (pid <= 0 || zcl_proc_slurp(path, st, sizeof st) <= 0) {
		snprintf(err, errlen, "trace -p %d: no such process", (int)pid);
		return -1;
	}
	*tgid = (pid_t)zcl_proc_field(st, "Tgid");
	comm_of(*tgid, name, namelen, false);
	comm_of(*tgid, who, sizeof who, true);
	const char *state = strstr(st, "\nState:");
	char s = state ? state[strspn(state + 7, " \t") + 7] : '?';
	long tracer = zcl_proc_field(st, "TracerPid");
	long kthread = zcl_proc_field(st, "Kthread"); /* (Linux 6.x; before it: kthreadd's children) */
	const char *why = NULL;
	if (*tgid == getpid())
		why = "that is zcl itself";
	else if (*tgid == getppid())
		why = "that is zcl's own parent: it waits for zcl, which would wait for it";
	else if (kthread == 1 || (kthread < 0 && (*tgid == 2 || zcl_proc_parent(*tgid) == 2)))
		why = "a kernel thread: it makes no syscalls to trace";
	else if (s == 'Z' || s == 'X')
		why = "a zombie: it has exited, and its parent has not reaped it yet";
	if (why) {
		snprintf(err, errlen, "trace -p %d (%s): %s", (int)pid, who, why);
		return -1;
	}
	if (tracer == getpid())
		return 1; /* ours already: nothing more to do */
	if (tracer > 0) {
		char by[160];
		comm_of((pid_t)tracer, by, sizeof by, true);
		snprintf(err, errlen, "trace -p %d (%s): already traced by PID %ld (%s), says TracerPid in "
			 "/proc/%d/status: one tracer at a time (strace, gdb, zcl)", (int)pid, who, tracer, by, (int)pid);
		return -1;
	}
	return 0;
}

/* Why PTRACE_SEIZE said EPERM, in one line (ptrace(2), "EPERM"; Yama:
 * Documentation/admin-guide/LSM/Yama.rst). */
static void eperm(pid_t pid, char *err, size_t errlen)
{
	char scope[16], path[64], st[4096], who[160];
	comm_of(pid, who, sizeof who, true);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	long tracer = zcl_proc_slurp(path, st, sizeof st) > 0 ? zcl_proc_field(st, "TracerPid") : 0;
	if (tracer > 0) {
		snprintf(err, errlen, "trace -p %d (%s): not permitted: another tracer (PID %ld, TracerPid in "
			 "/proc/%d/status) is attached", (int)pid, who, tracer, (int)pid);
		return;
	}
	bool yama = zcl_proc_slurp("/proc/sys/kernel/yama/ptrace_scope", scope, sizeof scope) > 0;
	scope[strcspn(scope, "\n")] = 0;
	snprintf(err, errlen, "trace -p %d (%s): ptrace not permitted (EPERM): %s%s%sthe process is another "
		 "user's or more privileged (zcl needs CAP_SYS_PTRACE: run it as root), or another tracer is "
		 "attached (TracerPid in /proc/%d/status)", (int)pid, who,
		 yama ? "/proc/sys/kernel/yama/ptrace_scope is " : "", yama ? scope : "",
		 yama ? " (0 lets you trace your own processes, 1 only your children), " : "", (int)pid);
}

/* ---- the waker ---- */

static struct {
	pthread_t thread;
	int rd;                   /* the pipe's read end (the waker's) */
	pid_t tracer;             /* the tracer's thread */
	atomic_bool noticed;      /* the tracer saw the request: stop sending */
	struct sigaction old_urg; /* SIGURG's action before the run */
	sigset_t old_mask, urg;
} W;
static volatile sig_atomic_t wake_fd = -1; /* the pipe's write end; -1: no attached run */

int zcl_attach_wake(void)
{
	int fd = (int)wake_fd;
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "w", 1); /* non-blocking: a full pipe has enough */
	(void)n;
	return 0;
}

static void on_urg(int sig)
{
	(void)sig; /* only there to break the tracer's waitpid() with EINTR */
}

pid_t zcl_attach_waitpid(pid_t pid, int *status)
{
	pthread_sigmask(SIG_UNBLOCK, &W.urg, NULL); /* (one that comes before the wait:
						      * the waker sends another) */
	pid_t p = waitpid(pid, status, __WALL);
	int e = errno;
	pthread_sigmask(SIG_BLOCK, &W.urg, NULL);
	errno = e;
	return p;
}

static void *waker(void *arg)
{
	(void)arg;
	char c;
	for (;;) {
		ssize_t n = read(W.rd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == 'q')
			return NULL;
		while (!atomic_load(&W.noticed)) {
			syscall(SYS_tgkill, getpid(), W.tracer, SIGURG);
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
		}
	}
}

/* Start the waker. 0, or -1 with errno (no pipe, no thread). */
static int waker_start(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	W.rd = p[0];
	W.tracer = (pid_t)syscall(SYS_gettid);
	atomic_store(&W.noticed, false);
	struct sigaction sa = {.sa_handler = on_urg}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGURG, &sa, &W.old_urg);
	sigemptyset(&W.urg);
	sigaddset(&W.urg, SIGURG);
	pthread_sigmask(SIG_BLOCK, &W.urg, &W.old_mask); /* but in zcl_attach_waitpid */
	int e = pthread_create(&W.thread, NULL, waker, NULL);
	if (e) {
		close(p[0]);
		close(p[1]);
		sigaction(SIGURG, &W.old_urg, NULL);
		pthread_sigmask(SIG_SETMASK, &W.old_mask, NULL);
		errno = e;
		return -1;
	}
	wake_fd = p[1];
	return 0;
}

static void waker_stop(void)
{
	int fd = (int)wake_fd;
	atomic_store(&W.noticed, true);
	wake_fd = -1;
	ssize_t n = write(fd, "q", 1);
	(void)n;
	pthread_join(W.thread, NULL);
	close(fd);
	close(W.rd);
	sigaction(SIGURG, &W.old_urg, NULL);
	pthread_sigmask(SIG_SETMASK, &W.old_mask, NULL);
}

/* ---- attaching ---- */

/* Stops that came while attaching, handled once the figures are read. */
struct kept {
	struct { pid_t pid; int st; } *v;
	size_t n, cap;
};


/* Seize thread tid and ask it to stop. 1 seized, 0 gone or ours already
 * (made by a thread we hold: the kernel attached it), -1 refused (errno). */
static int seize(struct tracer *tr, pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, 0L, (long)ZCL_PTRACE_OPTS) < 0) {
		char path[64], st[4096];
		snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
		if (errno == ESRCH || (errno == EPERM && zcl_proc_slurp(path, st, sizeof st) > 0 &&
				       zcl_proc_field(st, "TracerPid") == getpid()))
			return 0;
		return -1;
	}
	struct zcl_tracee *t = zcl_tr_track(tr, tid);
	if (!t)
		return 0; /* out of memory: let go at once (counted in res->lost) */
	t->announced = true; /* no parent's event will come for it */
	ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
	return 1;
}

/* Seize every thread of process tgid; *threads gets how many. 0, or -1
 * with err (the first thread could not be seized: nothing is held). */
static int seize_all(struct tracer *tr, pid_t tgid, size_t *threads, char *err, size_t errlen)
{
	int r = seize(tr, tgid);
	if (r <= 0) {
		int e = r < 0 ? errno : ESRCH;
		if (e == EPERM)
			eperm(tgid, err, errlen);
		else
			snprintf(err, errlen, "trace -p %d: %s", (int)tgid, e == ESRCH ? "no such process" : strerror(e));
		errno = e;
		return -1;
	}
	*threads = 1;
	for (size_t added = 1; added > 0;) { /* again until a pass finds no new thread */
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/task", (int)tgid);
		DIR *d = opendir(path);
		if (!d)
			break; /* the process is gone: waitpid() will say so */
		added = 0;
		for (struct dirent *de; (de = readdir(d));) {
			pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);
			if (tid > 0 && !zcl_tt_find(&tr->tt, tid) && seize(tr, tid) > 0)
				added++;
		}
		closedir(d);
		*threads += added;
	}
	return 0;
}

/* A stop (or an end) waitpid() reported: the tracer's handlers. */
static void handle(struct tracer *tr, pid_t p, int st)
{
	tr->res->stops++;
	if (WIFEXITED(st) || WIFSIGNALED(st))
		zcl_tr_on_gone(tr, p, st);
	else if (WIFSTOPPED(st))
		zcl_tr_on_stop(tr, p, st);
}

/* Keep a stop for later; out of memory, handle it now (that task runs on
 * before the figures are read: they may then count a call or two more). */
static void keep(struct tracer *tr, struct kept *k, pid_t pid, int st)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		void *v = realloc(k->v, cap * sizeof *k->v);
		if (!v) {
			handle(tr, pid, st);
			return;
		}
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n].pid = pid;
	k->v[k->n++].st = st;
}

/* Wait for the first stop of every task seized since the list's head was
 * `before`, keeping it for later: then nothing of theirs runs while the
 * kernel's figures are read. Gives up when the run is asked to end. */
static void settle(struct tracer *tr, const struct zcl_tracee *before, struct kept *k)
{
	for (struct zcl_tracee *t = tr->tt.head; t && t != before; t = t->next) {
		int st;
		pid_t p;
		while ((p = zcl_attach_waitpid(t->pid, &st)) < 0 && errno == EINTR && !zcl_tr_asked(tr))
			;
		if (p != t->pid)
			return; /* asked to end (or the thread is not ours: impossible) */
		keep(tr, k, p, st);
	}
}

/* ---- detaching ---- */

static size_t unparked(const struct tracer *tr)
{
	size_t n = 0;
	for (const struct zcl_tracee *t = tr->tt.head; t; t = t->next)
		n += !t->parked;
	return n;
}

/* The process (thread group) of a task (/proc/TID/status), looked up once. */
static pid_t tgid_of(struct zcl_tracee *t)
{
	if (!t->tgid)
		t->tgid = (pid_t)zcl_proc_status(t->pid, "Tgid");
	return t->tgid;
}

/* Let parked tasks go, but the first process's threads (all, if keep is
 * 0). Another process is let go as soon as it parks: a vfork parent waits
 * for its child to exec or exit, and would never stop while we held the
 * child. */
static void let_go(struct tracer *tr, pid_t keep)
{
	for (struct zcl_tracee *t = tr->tt.head, *next; t; t = next) {
		next = t->next;
		if (!t->parked || (keep && tgid_of(t) == keep))
			continue;
		ptrace(PTRACE_DETACH, t->pid, 0L, (long)t->park_sig); /* ESRCH: killed meanwhile */
		tr->res->detached++;
		zcl_tr_forget(tr, t);
	}
}


/* Forget the tasks not parked that are gone: a thread that exited while
 * the others were being stopped need not report its end before we leave. */
static void forget_gone(struct tracer *tr)
{
	for (struct zcl_tracee *t = tr->tt.head, *next; t; t = next) {
		next = t->next;
		if (!t->parked && kill(t->pid, 0) < 0 && errno == ESRCH)
			zcl_tr_forget(tr, t);
	}
}

/* A new task stopped before its parent's fork/clone event was seen is
 * "held"; detaching, its parent may be parked before that event, so the
 * task would wait for ever: it is stopped, so park it as it is. */
static void park_held(struct tracer *tr)
{
	for (struct zcl_tracee *t = tr->tt.head; t && tr->held; t = t->next)
		if (t->held) {
			t->held = false;
			tr->held--;
			t->parked = true;
			t->park_sig = 0;
		}
}

/* Let every task go, running as it was: each is interrupted and parked
 * where it stops; once all the first process's threads are parked, its
 * figures are read (the detaching hook) and they are let go too. A task
 * that has not stopped within ZCL_DETACH_WAIT_S is left to the kernel:
 * when zcl exits, the kernel detaches its tracees and they run on
 * (ptrace(2): "If the tracer dies, all tracees are automatically
 * detached"); res->undetached says how many. */
static void detach_all(struct tracer *tr)
{
	tr->parking = true;
	park_held(tr);
	for (struct zcl_tracee *t = tr->tt.head; t; t = t->next)
		if (!t->parked)
			ptrace(PTRACE_INTERRUPT, t->pid, 0L, 0L); /* ESRCH: gone, waitpid() says so */
	pid_t keep = zcl_tt_find(&tr->tt, tr->first) ? tr->first : 0;
	let_go(tr, keep);
	int st;
	uint64_t until = zcl_now_ns() + ZCL_DETACH_WAIT_S * 1000000000ull;
	while (unparked(tr) > 0 && zcl_now_ns() < until) {
		pid_t p = waitpid(-1, &st, __WALL | WNOHANG);
		if (p == 0 || (p < 0 && errno == EINTR)) {
			forget_gone(tr);
			nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
			continue;
		}
		if (p < 0)
			break; /* ECHILD: nothing left to wait for (impossible with tasks parked) */
		handle(tr, p, st);
		park_held(tr);
		let_go(tr, keep);
	}
	forget_gone(tr);
	tr->res->undetached = unparked(tr);
	if (keep && zcl_tt_find(&tr->tt, keep) && tr->h->detaching)
		tr->h->detaching(tr->h->ctx, keep);
	let_go(tr, 0);
}

/* Attach every process of pids (each once); tg gets their ids, *ntg how
 * many. 0, or -1 with err. */
static int attach_all(struct tracer *tr, const pid_t *pids, size_t n, pid_t *tg, size_t *ntg,
		      struct kept *k, char *err, size_t errlen)
{
	for (size_t i = 0; i < n && !zcl_tr_asked(tr); i++) {
		char name[64];
		pid_t tgid;
		int ours = zcl_attach_check(pids[i], &tgid, name, sizeof name, err, errlen);
		if (ours < 0)
			return -1;
		bool dup = ours == 1;
		for (size_t j = 0; j < *ntg; j++)
			dup |= tg[j] == tgid;
		if (dup)
			continue;
		struct zcl_tracee *before = tr->tt.head;
		size_t threads;
		if (seize_all(tr, tgid, &threads, err, errlen) < 0)
			return -1;
		tg[(*ntg)++] = tgid;
		if (!tr->first)
			tr->first = tr->res->pid = tgid;
		settle(tr, before, k);
		if (tr->h->attached)
			tr->h->attached(tr->h->ctx, tgid, threads);
	}
	return 0;
}

int zcl_trace_attach(const pid_t *pids, size_t n, const struct zcl_trace_opts *o,
		     const struct zcl_tracer_hooks *h, struct zcl_trace_result *res, char *err, size_t errlen)
{
	struct tracer tr;
	zcl_tr_init(&tr, o, h, res);
	tr.attach = true;
	zcl_cpu_begin(&tr.cpu, false); /* the program's CPUs are its own business */
	for (size_t i = 0; i < n; i++) { /* every refusal before anything is held */
		char name[64];
		pid_t tgid;
		if (zcl_attach_check(pids[i], &tgid, name, sizeof name, err, errlen) < 0) {
			errno = ESRCH;
			return -1;
		}
	}
	pid_t *tg = calloc(n ? n : 1, sizeof *tg);
	if (!tg || waker_start() < 0) {
		snprintf(err, errlen, "trace -p: %s", strerror(errno));
		free(tg);
		return -1;
	}
	struct kept k = {0};
	size_t ntg = 0;
	struct zcl_deadline wd;
	zcl_deadline_start(&wd, o->timeout_s, zcl_tr_deadline, &tr);
	int rc = attach_all(&tr, pids, n, tg, &ntg, &k, err, errlen);
	int e = errno;
	for (size_t i = 0; i < k.n; i++)
		handle(&tr, k.v[i].pid, k.v[i].st);
	if (rc == 0)
		zcl_tr_loop(&tr); /* until all are gone, or asked to end */
	atomic_store(&W.noticed, true);
	if (tr.tt.n > 0)
		detach_all(&tr);
	zcl_deadline_stop(&wd);
	waker_stop();
	res->timed_out = atomic_load(&tr.timed_out) && res->detached;
	res->killed = !res->timed_out && res->detached;
	zcl_tt_free(&tr.tt);
	zcl_cpu_end(&tr.cpu);
	free(tg);
	free(k.v);
	errno = e;
	return rc;
}
