/*
 * collect.c - turn the tracer's raw syscalls into complete records.
 *
 * Per syscall, at entry: classify the source and destination descriptors
 * (they may be closed by the call itself), start watching a file the lab has
 * not seen yet, find out whether a write's buffer lies in a file mapping,
 * whether the socket holds the bytes back, and whether to inject a fault.
 * At exit: measure how much of the file is now in the page cache (the fill),
 * keep the mapping and descriptor tables up to date, open or close the
 * bracket, run the model and hand record + events to the sinks.
 *
 * In zcl trace's fast mode a plain read or write has no exit: it joins its
 * thread's run and is finished, in order, when one reading of the thread's
 * I/O counters settles the run (runs.c) - before the thread's next call
 * that is not deferred, at its exit, or at the end of the trace.
 *
 * A fill is "residency now minus residency at the last measurement", so a
 * page faulted in from user space (touching a mapping outside a syscall)
 * shows up on the next syscall that touches the file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "collect.h"
#include "deferral.h"
#include "fdclass.h"
#include "inject.h"
#include "maps.h"
#include "model.h"
#include "pagecache.h"
#include "pcwatch.h"
#include "runs.h"
#include "tasks.h"
#include "sandbox.h"
#include "params.h"
#include "uring.h"
#include "zerocopy.h"

static struct {
	struct zcl_collect_opts o;
	const struct zcl_sink *sinks;
	size_t nsinks;
	bool in_bracket;
	bool first_seen;
	pid_t first;
	unsigned long ndata; /* data calls seen, for every-Nth injection */
	unsigned long uring_seen, uring_enters; /* io_uring data ops and enters seen, for --inject */
	struct zcl_kernel_acct k;
	bool exec_seen;
	int marks_seen;          /* genuine bracket markers so far */
} C;

/* ---- the growable tables live in tasks.c and pcwatch.c ---- */

static pid_t tgid_of(pid_t pid) { return zcl_task_tgid(pid); }
static int watch_fd(pid_t pid, long fd, dev_t dev, ino_t ino) { return zcl_pcw_fd(pid, fd, dev, ino); }
static uint64_t watch_fill(int i) { return zcl_pcw_fill(i); }
static bool task_known(pid_t pid) { return zcl_task_known(pid); }
static struct zcl_taskio *taskio_of(pid_t tgid, pid_t tid) { return zcl_taskio_of(tgid, tid); }
static void taskio_forget(pid_t tid) { zcl_taskio_forget(tid); }
static bool cork_get(ino_t ino) { return zcl_cork_get(ino); }
static void cork_set(ino_t ino, bool on) { zcl_cork_set(ino, on); }

static int taskio_sample(const struct zcl_taskio *t, struct zcl_taskio *now)
{
	return zcl_taskio_sample(t, now);
}

/*
 * At an exact call's exit on a watched file: did the thread read from a
 * disk since the last sample? (true when unsure, so residency gets
 * measured). Deferred calls are checked in runs instead (runs.c).
 */
static bool taskio_exit(struct zcl_sysrec *r)
{
	struct zcl_taskio *t = taskio_of(r->tgid, r->pid), now;
	if (taskio_sample(t, &now) < 0)
		return true;
	bool moved = !t->have || now.read_bytes != t->read_bytes;
	*t = now;
	return moved;
}

/* Copy len bytes from the tracee's memory. 0 or -1. */
static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* The watched-file slot of the lab's input in this run (runs differ by
 * their token): in a stage run only a mapping of the input counts as
 * "from the mapping"; a memfd or anonymous copy is a plain buffer. */
static struct { bool set; unsigned long token; int w; } lab_in;

/* Is [a, a + len) inside one mapping that counts? *w gets its slot. */
static bool counted_map(pid_t tgid, uint64_t a, uint64_t len, int *w)
{
	*w = zcl_map_lookup(tgid, a);
	if (*w < 0 || (len > 1 && zcl_map_lookup(tgid, a + len - 1) != *w))
		return false;
	return !C.o.bracket || (lab_in.set && lab_in.token == C.o.token && lab_in.w == *w);
}

/* The address of the first byte a write-family call sends when every byte
 * it is asked to send lies in one mapping that counts (every iovec is
 * checked); else 0, and the call writes from a plain buffer. */
static uint64_t source_addr(const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	uint64_t a = r->args[rule->buf], addr, n;
	int w, slot = -1;
	if (!rule->iov)
		return counted_map(r->tgid, a, rule->count >= 0 ? r->args[rule->count] : 1, &w) ? a : 0;
	struct iovec *v = zcl_iov_peek(r, rule, &addr, &n);
	uint64_t first = 0;
	bool ok = v != NULL;
	for (uint64_t i = 0; ok && i < n; i++) {
		if (v[i].iov_len == 0)
			continue;
		uint64_t base = (uint64_t)(uintptr_t)v[i].iov_base;
		ok = counted_map(r->tgid, base, v[i].iov_len, &w) && (slot < 0 || w == slot);
		slot = w;
		first = first ? first : base;
	}
	free(v);
	return ok ? first : 0;
}

static bool is_data(const struct zcl_rule *rule)
{
	return rule && rule->fam != ZM_MMAP && rule->fam != ZM_MUNMAP;
}


/* --inject on io_uring: short: halve data operations in their SQEs
 * (uring.h); eintr: the 1st and every ZCL_INJECT_EVERY-th io_uring_enter
 * fails with EINTR before it submits anything (io_uring_enter(2): the
 * program submits again). */
static enum zcl_inject uring_inject(struct zcl_sysrec *r, int *count_arg)
{
	if (C.o.inject == ZI_SHORT) {
		if (zcl_uring_shorten(r, ZCL_INJECT_EVERY, &C.uring_seen) == 0)
			return ZI_NONE;
		*count_arg = -1; /* shortened in the SQEs themselves */
		return ZI_SHORT;
	}
	return C.uring_enters++ % ZCL_INJECT_EVERY == 0 ? C.o.inject : ZI_NONE;
}

static void defer_or_close(struct zcl_sysrec *r, const struct zcl_rule *rule);

/* ---- tracer hooks ---- */

static enum zcl_inject on_entry(void *ctx, struct zcl_sysrec *r, int *count_arg)
{
	(void)ctx;
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	int w = -1;
	r->t_entry_ns = zcl_now_ns();
	r->tgid = tgid_of(r->pid);
	if (!C.first_seen) {
		C.first_seen = true;
		C.first = r->pid;
	}
	if ((r->nr == SYS_execve || r->nr == SYS_execveat) && C.exec_seen) {
		struct zcl_procio pre;
		if (zcl_procio_read_io(r->pid, &pre) == 0)
			zcl_task_exec_put(r->tgid, &pre); /* after exec the process has the group's id */
	}
	r->in_bracket = C.o.bracket ? C.in_bracket : true;
	if (rule) {
		dev_t dev;
		ino_t ino;
		if (rule->in_fd >= 0) {
			r->in = zcl_fd_class(r->pid, (long)(int)r->args[rule->in_fd], &dev, &ino);
			if (r->in.kind == ZF_FILE)
				w = watch_fd(r->pid, (long)(int)r->args[rule->in_fd], dev, ino);
		}
		if (rule->out_fd >= 0) {
			r->out = zcl_fd_class(r->pid, (long)(int)r->args[rule->out_fd], &dev, &ino);
			if (r->out.kind == ZF_SOCKET)
				r->msg_more = cork_get(ino);
		}
		if (rule->flags >= 0 && (rule->fam == ZM_SEND))
			r->msg_more |= (r->args[rule->flags] & MSG_MORE) != 0;
		if ((rule->fam == ZM_WRITE || rule->fam == ZM_SEND) && rule->buf >= 0) {
			int mw = zcl_map_lookup(r->tgid, source_addr(r, rule));
			if (mw >= 0) {
				r->src_in_filemap = true;
				w = mw;
			}
		}
	}
	r->watch = w;
	defer_or_close(r, rule);

	zcl_uring_entry(r); /* io_uring_enter: the SQEs it submits (uring.h) */
	zcl_zc_entry(r);    /* send(MSG_ZEROCOPY) on an SO_ZEROCOPY socket (zerocopy.h) */
	for (size_t i = 0; i < C.nsinks; i++)
		if (C.sinks[i].entry)
			C.sinks[i].entry(C.sinks[i].ctx, r);

	if (C.o.sandbox) {
		struct zcl_sandbox_state st = {C.exec_seen, C.first, task_known, C.o.allow_uring};
		const char *why = NULL;
		int err = zcl_sandbox_check(r, &st, &why);
		if (err) {
			r->deny_errno = err;
			r->deny_why = why;
			return ZI_DENY;
		}
	}

	if (r->in.lab_input && r->watch >= 0 && C.o.bracket) {
		lab_in.set = true;
		lab_in.token = C.o.token;
		lab_in.w = r->watch;
	}
	if (C.o.inject != ZI_NONE && r->nr == SYS_io_uring_enter && r->in_bracket && r->uring_ops > 0)
		return uring_inject(r, count_arg);
	bool lab_fd = r->in.lab_input || r->in.lab_socket || r->out.lab_input || r->out.lab_socket;
	if (C.o.inject == ZI_NONE || !is_data(rule) || !r->in_bracket || !lab_fd)
		return ZI_NONE;
	return zcl_inject_decide(r, rule, C.o.inject, count_arg); /* at seeded offsets: inject.h */
}

/* Descriptor and mapping bookkeeping after a call succeeded. */
static void track(const struct zcl_sysrec *r, int w)
{
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	if (r->in_bracket && is_data(rule) && r->ret > 0)
		zcl_inject_moved(zcl_inject_stream(r), (uint64_t)r->ret);
	switch (r->nr) {
	case SYS_close:
		zcl_fd_forget((long)(int)r->args[0]);
		break;
	case SYS_dup2:
	case SYS_dup3:
		zcl_fd_forget((long)(int)r->args[1]);
		break;
	case SYS_close_range:
		zcl_fd_forget_all();
		break;
	case SYS_mmap: /* a new mapping replaces whatever was there (MAP_FIXED) */
		zcl_map_remove(r->tgid, (uint64_t)r->ret, zcl_page_end((uint64_t)r->ret, r->args[1]));
		if (r->in.kind == ZF_FILE && w >= 0)
			zcl_map_add(r->tgid, (uint64_t)r->ret, zcl_page_end((uint64_t)r->ret, r->args[1]), w);
		break;
	case SYS_munmap:
		zcl_map_remove(r->tgid, r->args[0], zcl_page_end(r->args[0], r->args[1]));
		break;
	case SYS_mremap: {
		int mw = zcl_map_lookup(r->tgid, r->args[0]);
		zcl_map_remove(r->tgid, r->args[0], zcl_page_end(r->args[0], r->args[1]));
		zcl_map_remove(r->tgid, (uint64_t)r->ret, zcl_page_end((uint64_t)r->ret, r->args[2]));
		if (mw >= 0)
			zcl_map_add(r->tgid, (uint64_t)r->ret, zcl_page_end((uint64_t)r->ret, r->args[2]), mw);
		break;
	}
	case SYS_setsockopt:
		if ((int)r->args[1] == IPPROTO_TCP && (int)r->args[2] == TCP_CORK) {
			int v = 0;
			ino_t ino;
			struct zcl_fdinfo fi = zcl_fd_class(r->pid, (long)(int)r->args[0], NULL, &ino);
			if (fi.kind == ZF_SOCKET && peek(r->pid, r->args[3], &v, sizeof v) == 0)
				cork_set(ino, v != 0);
		}
		break;
	}
}

/* An io_uring operation (uring.h): modelled and handed on like a syscall. */
static void emit_op(struct zcl_sysrec *op)
{
	struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
	size_t n = zcl_model(op, C.o.sg, ev, ZCL_MAX_EVENTS_PER_CALL);
	for (size_t i = 0; i < C.nsinks; i++)
		C.sinks[i].step(C.sinks[i].ctx, op, ev, n);
}

/* A call's result is known: bookkeeping, the model, the sinks. disk: the
 * thread may have read from a disk (measure the watched file's fill). */
static void finish(struct zcl_sysrec *r, bool disk)
{
	int w = r->watch;
	if (r->ret >= 0) {
		track(r, w);
		zcl_fd_after_call(r);
	}
	if (w >= 0 && r->ret >= 0 && disk)
		r->filled_bytes = watch_fill(w);
	zcl_uring_exit(r); /* rings set up, mapped, submitted to (uring.h) */
	zcl_zc_exit(r);    /* SO_ZEROCOPY, zerocopy sends, error-queue completions */

	struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
	size_t n;
	int phase;
	/* A marker must carry the run's token and come in order: open once,
	 * then close once. Anything else is an attempt to move the bracket. */
	bool real = C.o.bracket && zcl_is_marker(r, C.o.token, &phase);
	if (real && ((phase == 1 && C.marks_seen != 0) || (phase == 2 && C.marks_seen != 1)))
		real = false;
	if (!real && C.o.bracket && zcl_looks_like_marker(r))
		r->forged_marker = true;
	if (real) {
		C.marks_seen++;
		ev[0] = (struct zcl_event){ZE_MARK, ZP_NONE, ZP_NONE, (uint64_t)phase, false,
					   phase == 1 ? "the harness calls your function"
						      : "your function returned"};
		n = 1;
		C.in_bracket = phase == 1;
		r->in_bracket = true;
		zcl_procio_read_io(r->pid, phase == 1 ? &C.k.begin : &C.k.end); /* (cs: at the exit) */
	} else {
		n = zcl_model(r, C.o.sg, ev, ZCL_MAX_EVENTS_PER_CALL);
	}
	for (size_t i = 0; i < C.nsinks; i++)
		C.sinks[i].step(C.sinks[i].ctx, r, ev, n);
	zcl_uring_reap(r, emit_op); /* io_uring_enter: each completion a record (uring.h) */
}

/* ---- the fast mode's runs (runs.h) ---- */

/* Close tid's run of deferred calls: one reading of its counters settles
 * them, and they go to the sinks in order. Nothing pending: nothing to do. */
static void close_run(pid_t tid, pid_t tgid)
{
	if (!zcl_run_pending(tid))
		return;
	struct zcl_taskio *t = taskio_of(tgid, tid), now;
	bool ok = t && t->have && taskio_sample(t, &now) == 0;
	zcl_run_close(tid, t && t->have ? t : NULL, ok ? &now : NULL, finish);
	if (t)
		*t = ok ? now : (struct zcl_taskio){.tid = tid};
}

/* At a traced call's entry in the fast mode: may it go without an exit stop
 * (deferral.c)? Then it joins its thread's run, else the run is closed
 * first, while the counters hold exactly the run's calls. */
static void defer_or_close(struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	enum zcl_run_admit a = ZCL_RUN_NOMEM;
	if (C.o.fast && !C.o.bracket && C.o.inject == ZI_NONE && rule && rule->io && zcl_can_defer(r, rule))
		a = zcl_run_admit(r, rule);
	if (a != ZCL_RUN_JOIN)
		close_run(r->pid, r->tgid);
	if (a == ZCL_RUN_CLOSE)
		a = zcl_run_admit(r, rule);
	if (a != ZCL_RUN_JOIN)
		return;
	/* a run needs the counters as they were before its first call */
	struct zcl_taskio *t = taskio_of(r->tgid, r->pid), now;
	if (t && !t->have && taskio_sample(t, &now) == 0)
		*t = now;
	r->deferred = t && t->have;
}

/* An exact call moved the counters of a thread with a run pending (the
 * tracer kept an exit stop after all): take its bytes out of the run's
 * start, so the run's check still holds. */
static void credit_exact(const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	struct zcl_taskio *t = taskio_of(r->tgid, r->pid);
	if (!t || r->ret <= 0)
		return;
	if (rule->io & 1)
		t->rchar += (uint64_t)r->ret;
	if (rule->io & 2)
		t->wchar += (uint64_t)r->ret;
}

static void on_exit_hook(void *ctx, struct zcl_sysrec *r)
{
	(void)ctx;
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	zcl_inject_restore(r->pid); /* iovecs an injection shortened (inject.h) */
	if (r->deferred) {
		zcl_run_hold(r); /* settled with its run (runs.c) */
		return;
	}
	r->t_exit_ns = zcl_now_ns();
	bool disk = false;
	if (rule && rule->io && zcl_run_pending(r->pid)) {
		credit_exact(r, rule);
		disk = r->watch >= 0;
	} else {
		/* whether the disk was read at all */
		disk = r->watch >= 0 && rule ? taskio_exit(r) : false;
		if (C.o.fast && rule && rule->io && r->watch < 0)
			zcl_taskio_stale(r->pid); /* an exact call moved the counters past the last sample */
	}
	finish(r, disk);
}

/* Every pending run, settled if its thread can still be read (the end of a
 * trace, a kill or a timeout: then its calls are unknown). */
static void flush_runs(void)
{
	pid_t tid;
	while ((tid = zcl_run_any()) != 0)
		close_run(tid, tgid_of(tid));
}

static void on_proc_exit(void *ctx, pid_t pid)
{
	(void)ctx;
	close_run(pid, tgid_of(pid)); /* its counters are final, and readable one last time */
	zcl_run_forget(pid);
	taskio_forget(pid);
	zcl_uring_proc_exit(tgid_of(pid), emit_op); /* completions reaped with no syscall */
	if (pid != C.first && C.first_seen)
		return;
	struct zcl_procio now;
	if (zcl_procio_read(pid, &now) < 0)
		return;
	if (!C.o.bracket) {
		C.k.end = now;
	} else {
		C.k.end.vol_cs = now.vol_cs;
		C.k.end.invol_cs = now.invol_cs;
	}
}

/* After an exec (other than the first): the kernel read the new program's
 * headers on the process's account. That is not the program's I/O, but it
 * reaches the first process's /proc/PID/io when the process is reaped. */
static void exclude_exec(pid_t pid)
{
	struct zcl_procio post, pre, *x = &C.k.excluded;
	if (!zcl_task_exec_take(tgid_of(pid), &pre) || zcl_procio_read_io(pid, &post) < 0)
		return;
	x->rchar += post.rchar - pre.rchar;
	x->wchar += post.wchar - pre.wchar;
	x->syscr += post.syscr - pre.syscr;
	x->syscw += post.syscw - pre.syscw;
}

static void on_proc_new(void *ctx, pid_t pid, pid_t parent, bool exec)
{
	(void)ctx;
	/* a run the number's last owner left (it vanished without an exit
	 * stop), or a run of the leader a non-leader's exec replaced: the
	 * counters under this number are another thread's now */
	zcl_run_close(pid, NULL, NULL, finish);
	if (!exec) {
		zcl_run_forget(pid);
		zcl_task_forget(pid); /* a new thread or process: its number may be reused */
	}
	pid_t tgid = tgid_of(pid);
	if (exec) {
		if (!C.exec_seen && !C.o.bracket)
			zcl_procio_read_io(pid, &C.k.begin); /* after the kernel loaded the program */
		else
			exclude_exec(pid);
		C.exec_seen = true;
		taskio_forget(pid); /* exec read the program: the counters moved under us */
		taskio_forget(tgid); /* (a non-leader that exec'd took the leader's id) */
		zcl_map_remove(tgid, 0, UINT64_MAX);
		zcl_uring_forget(tgid);
		zcl_fd_forget_all();
	} else if (tgid != tgid_of(parent)) {
		zcl_map_copy(tgid_of(parent), tgid); /* fork: a copy of the address space */
	}
}

static const struct zcl_tracer_hooks hooks = {
	.ctx = NULL,
	.entry = on_entry,
	.exit = on_exit_hook,
	.proc_exit = on_proc_exit,
	.proc_new = on_proc_new,
};

const struct zcl_tracer_hooks *zcl_collect_hooks(void)
{
	return &hooks;
}

void zcl_collect_begin(const struct zcl_collect_opts *o, const struct zcl_sink *sinks, size_t n)
{
	zcl_runs_reset(); /* (a run left by a collection that never ended: its sinks are gone) */
	zcl_collect_end();
	memset(&C, 0, sizeof C);
	zcl_map_reset();
	zcl_uring_reset(true);
	zcl_zc_reset();
	C.o = *o;
	C.sinks = sinks;
	C.nsinks = n;
}

void zcl_collect_end(void)
{
	flush_runs(); /* the sinks still get every call */
	zcl_runs_reset();
	zcl_tasks_reset();
	zcl_pcw_reset();
	zcl_map_reset();
	zcl_uring_reset(false);
	zcl_zc_reset();
	zcl_fd_forget_all(); /* (descriptor names stay readable until the next run starts) */
}

struct zcl_kernel_acct zcl_collect_kernel(void)
{
	flush_runs(); /* the trace is over: every call to the sinks before the totals are read */
	return C.k;
}

const int *zcl_collect_trap_list(void)
{
	static int *list; /* built once, sized from the model's rules; lives as long as the process */
	static const int extra[] = {SYS_close, SYS_dup2, SYS_dup3, SYS_close_range,
				    SYS_setsockopt, SYS_execve, SYS_execveat, SYS_clone,
				    SYS_clone3, SYS_fork, SYS_vfork,
				    /* flags that decide deferral; what the lab cannot see */
				    SYS_fcntl, SYS_ioctl, SYS_io_uring_setup, SYS_io_uring_enter,
				    SYS_io_uring_register, SYS_io_setup, SYS_io_submit};
	enum { NEXTRA = sizeof extra / sizeof extra[0] };
	if (!list) {
		size_t n, k = 0;
		const struct zcl_rule *r = zcl_rules(&n);
		int *l = calloc(n + NEXTRA + 1, sizeof *l);
		if (!l) { /* a short list would miss calls silently: say so and stop */
			fputs("zcl: out of memory building the list of syscalls to trap\n", stderr);
			abort();
		}
		for (size_t i = 0; i < n; i++)
			l[k++] = (int)r[i].nr;
		for (size_t i = 0; i < NEXTRA; i++)
			l[k++] = extra[i];
		l[k] = -1;
		list = l;
	}
	return list;
}
