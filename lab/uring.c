/*
 * uring.c - read a tracee's io_uring rings: SQEs at io_uring_enter()'s
 * entry, CQEs at its exit (uring.h says why and what it cannot do).
 *
 * One entry per ring (process, descriptor), grown as the program makes
 * them. A ring learns its layout at io_uring_setup()'s exit (struct
 * io_uring_params, which the kernel filled in) and its addresses from the
 * mmap() calls on its descriptor. At an enter's entry the SQEs between the
 * kernel's head and the program's tail are the ones it will submit (the
 * kernel consumes SQEs only inside io_uring_enter() unless SQPOLL); each
 * becomes a pending record, its descriptors classified then (they may be
 * closed before the completion). CQEs are read from the lab's own cursor
 * up to the kernel's tail, whoever reaped them, and matched to the pending
 * records by user_data (the oldest with that value first).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "deferral.h"
#include "fdclass.h"
#include "grow.h"
#include "model.h"
#include "pcwatch.h"
#include "uring.h"
#include "uring_abi.h"


struct pending {
	uint64_t ud;          /* the SQE's user_data, echoed by its CQEs */
	bool result_seen;     /* a CQE with IORING_CQE_F_MORE came: a notification follows */
	bool report;          /* SEND_ZC asked for IORING_SEND_ZC_REPORT_USAGE */
	bool skip;            /* IOSQE_CQE_SKIP_SUCCESS: no CQE unless it fails */
	uint64_t bytes;       /* the result's bytes (for the notification) */
	uint64_t sqe_addr;    /* where its SQE sits in the tracee (fault injection) */
	uint8_t opcode;
	struct zcl_sysrec rec;
};

struct list {
	struct pending *v;
	size_t n, cap;
};

struct ring {
	pid_t tgid;
	int fd;
	struct io_uring_params p;
	uint64_t sq, cq, sqes;  /* where the program mapped them; 0 until it did */
	const char *why;        /* cannot be decoded, and why (static) */
	uint32_t cq_seen;       /* the lab's cursor in the CQ ring */
	struct zcl_sysrec last; /* the last io_uring_enter on it (pid, seq, bracket) */
	struct list stage;      /* read at the last enter's entry, not yet submitted */
	struct list pend;       /* submitted, not completed */
	struct list skips;      /* submitted with IOSQE_CQE_SKIP_SUCCESS, not shown yet */
};

static struct {
	struct ring *r;
	size_t n, cap;
	uint64_t lost;
} U;

static const char *const names[ZCL_URING_NOPS] = {
	[IORING_OP_NOP] = "NOP", [IORING_OP_READV] = "READV", [IORING_OP_WRITEV] = "WRITEV",
	[IORING_OP_FSYNC] = "FSYNC", [IORING_OP_READ_FIXED] = "READ_FIXED",
	[IORING_OP_WRITE_FIXED] = "WRITE_FIXED", [IORING_OP_POLL_ADD] = "POLL_ADD",
	[IORING_OP_POLL_REMOVE] = "POLL_REMOVE", [IORING_OP_SYNC_FILE_RANGE] = "SYNC_FILE_RANGE",
	[IORING_OP_SENDMSG] = "SENDMSG", [IORING_OP_RECVMSG] = "RECVMSG", [IORING_OP_TIMEOUT] = "TIMEOUT",
	[IORING_OP_TIMEOUT_REMOVE] = "TIMEOUT_REMOVE", [IORING_OP_ACCEPT] = "ACCEPT",
	[IORING_OP_ASYNC_CANCEL] = "ASYNC_CANCEL", [IORING_OP_LINK_TIMEOUT] = "LINK_TIMEOUT",
	[IORING_OP_CONNECT] = "CONNECT", [IORING_OP_FALLOCATE] = "FALLOCATE", [IORING_OP_OPENAT] = "OPENAT",
	[IORING_OP_CLOSE] = "CLOSE", [IORING_OP_FILES_UPDATE] = "FILES_UPDATE", [IORING_OP_STATX] = "STATX",
	[IORING_OP_READ] = "READ", [IORING_OP_WRITE] = "WRITE", [IORING_OP_FADVISE] = "FADVISE",
	[IORING_OP_MADVISE] = "MADVISE", [IORING_OP_SEND] = "SEND", [IORING_OP_RECV] = "RECV",
	[IORING_OP_OPENAT2] = "OPENAT2", [IORING_OP_EPOLL_CTL] = "EPOLL_CTL", [IORING_OP_SPLICE] = "SPLICE",
	[IORING_OP_PROVIDE_BUFFERS] = "PROVIDE_BUFFERS", [IORING_OP_REMOVE_BUFFERS] = "REMOVE_BUFFERS",
	[IORING_OP_TEE] = "TEE", [IORING_OP_SHUTDOWN] = "SHUTDOWN", [IORING_OP_RENAMEAT] = "RENAMEAT",
	[IORING_OP_UNLINKAT] = "UNLINKAT", [IORING_OP_MKDIRAT] = "MKDIRAT", [IORING_OP_SYMLINKAT] = "SYMLINKAT",
	[IORING_OP_LINKAT] = "LINKAT", [IORING_OP_MSG_RING] = "MSG_RING", [IORING_OP_FSETXATTR] = "FSETXATTR",
	[IORING_OP_SETXATTR] = "SETXATTR", [IORING_OP_FGETXATTR] = "FGETXATTR",
	[IORING_OP_GETXATTR] = "GETXATTR", [IORING_OP_SOCKET] = "SOCKET", [IORING_OP_URING_CMD] = "URING_CMD",
	[IORING_OP_SEND_ZC] = "SEND_ZC", [IORING_OP_SENDMSG_ZC] = "SENDMSG_ZC",
	/* 6.7 and later, by number (newer than the installed headers) */
	[49] = "READ_MULTISHOT", [50] = "WAITID", [51] = "FUTEX_WAIT", [52] = "FUTEX_WAKE",
	[53] = "FUTEX_WAITV", [54] = "FIXED_FD_INSTALL", [55] = "FTRUNCATE", [56] = "BIND",
	[57] = "LISTEN", [58] = "RECV_ZC", [59] = "EPOLL_WAIT", [60] = "READV_FIXED",
	[61] = "WRITEV_FIXED", [62] = "PIPE",
	[ZCL_URING_NOPS - 1] = "UNSEEN", /* a completion whose submission the lab did not see */
};

const char *zcl_uring_opname(unsigned op)
{
	static char other[ZCL_URING_NOPS][8];
	if (op >= ZCL_URING_NOPS)
		return "op_?";
	if (names[op])
		return names[op];
	if (!other[op][0])
		snprintf(other[op], sizeof other[op], "op_%u", op);
	return other[op];
}

/* Copy len bytes from the tracee's memory. 0 or -1. */
static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	return addr && process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

static int push(struct list *l, const struct pending *p)
{
	if (l->n == l->cap && ZCL_GROW(l->v, l->cap, 16) < 0)
		return -1;
	l->v[l->n++] = *p;
	return 0;
}

static void drop(struct list *l, size_t i)
{
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
	l->n--;
}

static struct ring *find(pid_t tgid, int fd)
{
	for (size_t i = 0; i < U.n; i++)
		if (U.r[i].tgid == tgid && U.r[i].fd == fd)
			return &U.r[i];
	return NULL;
}

static void ring_free(struct ring *g)
{
	free(g->stage.v);
	free(g->pend.v);
	free(g->skips.v);
}

/* A new ring at io_uring_setup()'s exit (a reused descriptor replaces the old one). */
static void on_setup(const struct zcl_sysrec *r)
{
	struct ring g = {.tgid = r->tgid, .fd = (int)r->ret};
	if (peek(r->pid, r->args[1], &g.p, sizeof g.p) < 0)
		g.why = "io_uring: its parameters could not be read; operations not decoded";
	else if (g.p.flags & IORING_SETUP_SQPOLL)
		g.why = "io_uring SQPOLL: a kernel thread submits from the ring with no syscall; not decoded";
	else if (g.p.flags & (IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY))
		g.why = "io_uring NO_MMAP or REGISTERED_FD_ONLY: rings the lab cannot locate; not decoded";
	struct ring *old = find(g.tgid, g.fd);
	if (old) {
		ring_free(old);
		*old = g;
		return;
	}
	if (U.n == U.cap && ZCL_GROW(U.r, U.cap, 4) < 0) {
		U.lost++;
		return;
	}
	U.r[U.n++] = g;
}

/* mmap() of a ring descriptor: which part, by its offset. */
static void on_mmap(const struct zcl_sysrec *r)
{
	struct ring *g = find(r->tgid, (int)r->args[4]);
	if (!g || r->ret < 0)
		return;
	uint64_t at = (uint64_t)r->ret;
	switch (r->args[5]) {
	case IORING_OFF_SQ_RING:
		g->sq = at;
		if (g->p.features & IORING_FEAT_SINGLE_MMAP)
			g->cq = at; /* one mapping holds both rings */
		break;
	case IORING_OFF_CQ_RING: g->cq = at; break;
	case IORING_OFF_SQES: g->sqes = at; break;
	}
}

/* Classify the descriptor of argument a (unless it is a registered file). */
static struct zcl_fdinfo classify(struct zcl_sysrec *op, int a, bool fixed, int *w)
{
	dev_t dev;
	ino_t ino;
	if (a < 0 || fixed)
		return (struct zcl_fdinfo){.kind = ZF_NONE};
	struct zcl_fdinfo fi = zcl_fd_class(op->pid, (long)(int)op->args[a], &dev, &ino);
	if (fi.kind == ZF_FILE && *w < 0)
		*w = zcl_pcw_fd(op->pid, (long)(int)op->args[a], dev, ino);
	return fi;
}

/* One SQE as a pending record. Its arguments, laid out to read well:
 *   SPLICE, TEE         fd_in, fd_out, len, splice_flags, off_in, off_out
 *   SEND, RECV, ...MSG  fd, addr, len, msg_flags, off, user_data
 *   the others          fd, addr, len, off, rw_flags, user_data */
static struct pending from_sqe(const struct zcl_sysrec *r, const struct io_uring_sqe *s)
{
	struct pending p = {.ud = s->user_data, .report = s->ioprio & IORING_SEND_ZC_REPORT_USAGE};
	struct zcl_sysrec *op = &p.rec;
	unsigned o = s->opcode;
	bool two = o == IORING_OP_SPLICE || o == IORING_OP_TEE;
	bool msg = o == IORING_OP_SEND || o == IORING_OP_RECV || o == IORING_OP_SENDMSG ||
		   o == IORING_OP_RECVMSG || o == IORING_OP_SEND_ZC || o == IORING_OP_SENDMSG_ZC;
	op->pid = r->pid;
	op->tgid = r->tgid;
	op->nr = ZCL_NR_URING + o;
	if (two) {
		uint64_t a[6] = {(uint64_t)(int64_t)s->splice_fd_in, (uint64_t)(int64_t)s->fd, s->len,
				 s->splice_flags, s->splice_off_in, s->off};
		memcpy(op->args, a, sizeof a);
	} else {
		uint64_t a[6] = {(uint64_t)(int64_t)s->fd, s->addr, s->len, msg ? s->msg_flags : s->off,
				 msg ? s->off : s->rw_flags, s->user_data};
		memcpy(op->args, a, sizeof a);
	}
	op->watch = -1;
	op->t_entry_ns = r->t_entry_ns;
	op->zerocopy = s->opcode == IORING_OP_SEND_ZC || s->opcode == IORING_OP_SENDMSG_ZC;
	const struct zcl_rule *rule = zcl_rule_for(op->nr);
	bool fixed = s->flags & IOSQE_FIXED_FILE;
	if (rule) {
		op->in = classify(op, rule->in_fd, two ? (s->splice_flags & SPLICE_F_FD_IN_FIXED) : fixed,
				  &op->watch);
		op->out = classify(op, rule->out_fd, fixed, &op->watch);
	}
	return p;
}

static int ring_u32(pid_t pid, uint64_t base, uint32_t off, uint32_t *v)
{
	return peek(pid, base + off, v, sizeof *v);
}

/* Read the SQEs this enter will submit into g->stage; how many, or -1. */
static long read_sqes(struct ring *g, const struct zcl_sysrec *r)
{
	uint32_t head, tail, mask, idx;
	const struct io_sqring_offsets *o = &g->p.sq_off;
	if (ring_u32(r->pid, g->sq, o->head, &head) < 0 || ring_u32(r->pid, g->sq, o->tail, &tail) < 0 ||
	    ring_u32(r->pid, g->sq, o->ring_mask, &mask) < 0)
		return -1;
	uint32_t avail = tail - head, want = (uint32_t)r->args[1];
	uint32_t n = avail < want ? avail : want;
	if (n > g->p.sq_entries) /* the program wrote the tail: the kernel takes at most a ring */
		n = g->p.sq_entries;
	size_t stride = g->p.flags & IORING_SETUP_SQE128 ? 128 : 64;
	g->stage.n = 0;
	for (uint32_t i = 0; i < n; i++) {
		idx = (head + i) & mask;
		if (!(g->p.flags & IORING_SETUP_NO_SQARRAY) &&
		    ring_u32(r->pid, g->sq, o->array + 4 * idx, &idx) < 0)
			return -1;
		struct io_uring_sqe s;
		if (idx >= g->p.sq_entries || peek(r->pid, g->sqes + idx * stride, &s, sizeof s) < 0)
			return -1;
		struct pending p = from_sqe(r, &s);
		p.skip = s.flags & IOSQE_CQE_SKIP_SUCCESS;
		p.sqe_addr = g->sqes + idx * stride;
		p.opcode = s.opcode;
		if (push(&g->stage, &p) < 0)
			U.lost++;
	}
	return n;
}

void zcl_uring_entry(struct zcl_sysrec *r)
{
	if (r->nr != SYS_io_uring_enter)
		return;
	struct ring *g = find(r->tgid, (int)r->args[0]);
	if (r->args[3] & IORING_ENTER_REGISTERED_RING)
		r->uring_why = "io_uring registered ring (IORING_ENTER_REGISTERED_RING): the lab cannot "
			       "resolve the index; operations not decoded";
	else if (!g)
		r->uring_why = "io_uring: a ring set up before the lab saw it (or in another process); not decoded";
	else if (g->why)
		r->uring_why = g->why;
	else if (!g->sq || !g->cq || !g->sqes)
		r->uring_why = "io_uring: the rings were not mapped where the lab could see; not decoded";
	if (r->uring_why)
		return;
	long n = read_sqes(g, r);
	if (n < 0)
		r->uring_why = "io_uring: the SQ ring could not be read; operations not decoded";
	else
		r->uring_ops = (uint32_t)n;
}

/* Ops whose len moves data through the lab's input or output. */
static bool lab_data_op(const struct pending *p)
{
	static const uint8_t data[] = {IORING_OP_SPLICE, IORING_OP_TEE, IORING_OP_SEND, IORING_OP_WRITE,
				       IORING_OP_READ, IORING_OP_SEND_ZC};
	bool lab = p->rec.in.lab_input || p->rec.in.lab_socket || p->rec.out.lab_input || p->rec.out.lab_socket;
	for (size_t i = 0; lab && i < sizeof data; i++)
		if (p->opcode == data[i])
			return p->rec.args[2] > 1;
	return false;
}

int zcl_uring_shorten(const struct zcl_sysrec *r, unsigned every, unsigned long *seen)
{
	struct ring *g = r->nr == SYS_io_uring_enter && !r->uring_why ? find(r->tgid, (int)r->args[0]) : NULL;
	int done = 0;
	for (size_t i = 0; g && every && i < g->stage.n; i++) {
		struct pending *p = &g->stage.v[i];
		if (!lab_data_op(p) || (*seen)++ % every != 0)
			continue;
		uint32_t len = (uint32_t)(p->rec.args[2] / 2);
		struct iovec local = {&len, sizeof len};
		struct iovec remote = {(void *)(uintptr_t)(p->sqe_addr + offsetof(struct io_uring_sqe, len)), sizeof len};
		if (process_vm_writev(r->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof len) {
			p->rec.args[2] = len; /* the record shows what the kernel was asked */
			p->rec.injected = ZI_SHORT;
			done++;
		}
	}
	return done;
}

/* The pending record a CQE completes: the oldest with its user_data, a
 * notification preferring one whose result came. -1: none. */
static long match(const struct list *l, uint64_t ud, bool notif)
{
	long any = -1;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].ud != ud)
			continue;
		if (l->v[i].result_seen == notif)
			return (long)i;
		any = any < 0 ? (long)i : any;
	}
	return any;
}

/* One CQE: complete its record and emit it. */
static void complete(struct ring *g, const struct zcl_sysrec *r, const struct io_uring_cqe *c,
		     zcl_uring_emit_fn emit)
{
	bool notif = c->flags & IORING_CQE_F_NOTIF;
	long i = match(&g->pend, c->user_data, notif);
	struct zcl_sysrec op = {.pid = r->pid, .tgid = r->tgid, .watch = -1, .nr = ZCL_NR_URING + ZCL_URING_NOPS - 1,
				.args = {[5] = c->user_data}};
	if (i >= 0)
		op = g->pend.v[i].rec;
	op.seq = r->seq;
	op.in_bracket = r->in_bracket;
	op.cqe_flags = c->flags;
	op.t_exit_ns = zcl_now_ns();
	if (notif) { /* res holds flags, not bytes: the record moves none itself */
		op.ret = 0;
		op.zc_done = true;
		op.zc_copied = (uint32_t)c->res & IORING_NOTIF_USAGE_ZC_COPIED;
		op.zc_unreported = i < 0 || !g->pend.v[i].report;
		op.zc_bytes = i >= 0 ? g->pend.v[i].bytes : 0;
	} else {
		op.ret = c->res;
		if (op.watch >= 0 && c->res >= 0)
			op.filled_bytes = zcl_pcw_fill(op.watch);
	}
	if (i >= 0 && !notif && (c->flags & IORING_CQE_F_MORE)) {
		g->pend.v[i].result_seen = true;
		g->pend.v[i].bytes = c->res > 0 ? (uint64_t)c->res : 0;
	} else if (i >= 0) {
		drop(&g->pend, (size_t)i);
	}
	emit(&op);
}

/* Every CQE since the lab's cursor, whoever reaped it. */
static void reap(struct ring *g, const struct zcl_sysrec *r, zcl_uring_emit_fn emit)
{
	uint32_t tail, mask;
	const struct io_cqring_offsets *o = &g->p.cq_off;
	if (ring_u32(r->pid, g->cq, o->tail, &tail) < 0 || ring_u32(r->pid, g->cq, o->ring_mask, &mask) < 0)
		return;
	if (tail - g->cq_seen > g->p.cq_entries) { /* overwritten before the lab looked */
		U.lost += tail - g->cq_seen - g->p.cq_entries;
		g->cq_seen = tail - g->p.cq_entries;
	}
	size_t stride = g->p.flags & IORING_SETUP_CQE32 ? 32 : 16;
	for (; g->cq_seen != tail; g->cq_seen++) {
		struct io_uring_cqe c;
		if (peek(r->pid, g->cq + o->cqes + (g->cq_seen & mask) * stride, &c, sizeof c) < 0)
			return;
		complete(g, r, &c, emit);
	}
}

void zcl_uring_exit(struct zcl_sysrec *r)
{
	if (r->nr == SYS_io_uring_setup && r->ret >= 0) {
		on_setup(r);
		struct ring *g = find(r->tgid, (int)r->ret);
		r->uring_why = g ? g->why : NULL;
	} else if (r->nr == SYS_mmap && r->ret >= 0) {
		on_mmap(r);
	} else if (r->nr == SYS_io_uring_enter && !r->uring_why) {
		struct ring *g = find(r->tgid, (int)r->args[0]);
		if (!g)
			return;
		size_t k = r->ret > 0 ? (size_t)r->ret : 0; /* the kernel submitted the first ret */
		for (size_t i = 0; i < g->stage.n && i < k; i++)
			if (push(g->stage.v[i].skip ? &g->skips : &g->pend, &g->stage.v[i]) < 0)
				U.lost++;
		g->stage.n = 0;
	}
}

/* Operations submitted with IOSQE_CQE_SKIP_SUCCESS: no CQE will say what
 * they did. Shown at the enter's exit with their result unknown. */
static void skipped(struct ring *g, const struct zcl_sysrec *r, zcl_uring_emit_fn emit)
{
	for (size_t i = 0; i < g->skips.n; i++) {
		struct zcl_sysrec op = g->skips.v[i].rec;
		op.seq = r->seq;
		op.in_bracket = r->in_bracket;
		op.ret_unknown = true;
		emit(&op);
	}
	g->skips.n = 0;
}

void zcl_uring_reap(const struct zcl_sysrec *r, zcl_uring_emit_fn emit)
{
	if (r->nr != SYS_io_uring_enter || r->uring_why)
		return;
	struct ring *g = find(r->tgid, (int)r->args[0]);
	if (g) {
		g->last = (struct zcl_sysrec){.pid = r->pid, .tgid = r->tgid, .seq = r->seq, .in_bracket = r->in_bracket};
		skipped(g, r, emit);
		reap(g, r, emit);
	}
}

void zcl_uring_proc_exit(pid_t tgid, zcl_uring_emit_fn emit)
{
	for (size_t i = 0; i < U.n; i++)
		if (U.r[i].tgid == tgid && !U.r[i].why && U.r[i].last.pid)
			reap(&U.r[i], &U.r[i].last, emit);
}

void zcl_uring_forget(pid_t tgid)
{
	for (size_t i = 0; i < U.n;) {
		if (U.r[i].tgid == tgid) {
			ring_free(&U.r[i]);
			U.r[i] = U.r[--U.n];
		} else {
			i++;
		}
	}
}

uint64_t zcl_uring_lost(void)
{
	return U.lost;
}

void zcl_uring_reset(bool counts)
{
	uint64_t lost = U.lost;
	for (size_t i = 0; i < U.n; i++)
		ring_free(&U.r[i]);
	free(U.r);
	memset(&U, 0, sizeof U);
	U.lost = counts ? 0 : lost;
}
