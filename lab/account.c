/*
 * account.c - add up the event stream; cross-check with /proc/PID/io.
 *
 * The kernel keeps its own books per process: rchar/wchar are bytes that
 * went through read-like and write-like calls (read, write, their vector
 * and positional forms, sendfile and copy_file_range count on both sides;
 * sendto/recvfrom and splice do not), syscr/syscw the number of such calls.
 * The model table's `io` column says which rows the kernel counts, so the
 * lab's sums and the kernel's must match exactly over the same span.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "account.h"
#include "fdclass.h"
#include "model.h"
#include "wire.h"

void zcl_account_init(struct zcl_totals *t)
{
	memset(t, 0, sizeof *t);
	t->outside_nr = -1;
	t->fail_nr = -1;
	t->gather.wire_fd = -1;
}

static void add(struct zcl_count *c, uint64_t bytes)
{
	c->count++;
	c->bytes += bytes;
}

/* Sample the lab's end of the socket that r wrote to (found on first use). */
static bool wire(struct zcl_gather *g, const struct zcl_sysrec *r, long fd, struct zcl_wire_sample *s)
{
	if (!g->wire_looked && fd >= 0) {
		ino_t ino = 0;
		g->wire_looked = true;
		if (zcl_fd_class(r->pid, fd, NULL, &ino).lab_socket)
			g->wire_fd = zcl_wire_find(ino);
	}
	return g->wire_fd >= 0 && zcl_wire_sample(g->wire_fd, s) == 0;
}

/* Bytes went into the lab's socket: header or body, held or not, and
 * (while it is still the header) what has left so far. */
static void gather_send(struct zcl_gather *g, const struct zcl_sysrec *r, const struct zcl_rule *rule,
			uint64_t n)
{
	bool body = (rule->fam != ZM_WRITE && rule->fam != ZM_SEND) || r->src_in_filemap;
	g->last_more = rule->fam == ZM_SEND && rule->flags >= 0 && (r->args[rule->flags] & MSG_MORE);
	if (body)
		g->body_started = true;
	if (g->body_started)
		return;
	g->header_bytes += n;
	g->header_calls++;
	if (!r->msg_more) {
		if (!g->unheld_bytes) {
			g->unheld_nr = r->nr;
			g->unheld_nth = g->header_calls;
			g->unheld_len = n;
		}
		g->unheld_bytes += n;
	}
	struct zcl_wire_sample s;
	if (wire(g, r, (long)(int)r->args[rule->out_fd], &s)) {
		g->measured = true;
		g->alone_segs = s.data_segs_out;
		g->alone_bytes = s.bytes_sent;
	}
}

/* setsockopt(TCP_CORK or TCP_NODELAY) on the lab's socket, before the body:
 * read the options back and see what left. */
static void gather_sockopt(struct zcl_gather *g, const struct zcl_sysrec *r)
{
	if (r->ret != 0 || (int)r->args[1] != IPPROTO_TCP || g->body_started ||
	    ((int)r->args[2] != TCP_CORK && (int)r->args[2] != TCP_NODELAY))
		return;
	if (!zcl_fd_class(r->pid, (long)(int)r->args[0], NULL, NULL).lab_socket)
		return;
	struct zcl_wire_sample s;
	if (!wire(g, r, (long)(int)r->args[0], &s))
		return;
	if ((int)r->args[2] == TCP_NODELAY && s.nodelay && s.cork && g->header_bytes > 0)
		g->nodelay_corked = true; /* it pushes out what is queued: the header */
	if ((int)r->args[2] == TCP_CORK && !s.cork && g->header_bytes > 0)
		g->uncorked_early = true;
	g->measured = true;
	g->alone_segs = s.data_segs_out;
	g->alone_bytes = s.bytes_sent;
}

/* MSG_ZEROCOPY in the bracket: sends that pinned pages on the lab's
 * socket, and the completions reaped (ranges of sends; the deferred copy
 * the kernel reported, measured from the completion). */
static void zerocopy(struct zcl_totals *t, const struct zcl_sysrec *r)
{
	if (r->zerocopy && r->out.lab_socket && r->ret > 0) {
		t->zc_sends++;
		t->zc_bytes += (uint64_t)r->ret;
	}
	if (r->zc_done) {
		t->zc_completed += (uint64_t)(uint32_t)(r->zc_hi - r->zc_lo) + 1;
		if (r->zc_copied)
			t->zc_copied_bytes += r->zc_bytes;
	}
}

/* The function returned: is anything still held back? */
static void gather_return(struct zcl_gather *g)
{
	struct zcl_wire_sample s;
	if (g->wire_fd < 0 || zcl_wire_sample(g->wire_fd, &s) < 0)
		return;
	g->returned = true;
	g->cork_at_return = s.cork;
	g->held_at_return = s.notsent;
}

/* Facts about how the lab's file and socket were used. */
static void facts(struct zcl_totals *t, const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	uint64_t n = r->ret > 0 ? (uint64_t)r->ret : 0;
	if (!rule || n == 0)
		return;
	bool lab = r->in.lab_input || r->in.lab_socket || r->out.lab_input || r->out.lab_socket;
	if (!r->in_bracket) {
		if (lab && t->outside_nr < 0)
			t->outside_nr = r->nr;
		if (lab)
			t->outside_bytes += n;
		if (t->marks == 0 && rule->fam == ZM_READ && r->in.lab_input)
			t->preload_bytes += n;
		return;
	}
	if (rule->fam == ZM_READ && r->in.lab_input)
		t->file_read_bytes += n;
	if (!r->out.lab_socket)
		return;
	gather_send(&t->gather, r, rule, n);
	t->delivered_bytes += n;
	if (rule->fam == ZM_WRITE || rule->fam == ZM_SEND)
		*(r->src_in_filemap ? &t->sock_map_bytes : &t->sock_user_bytes) += n;
	else
		t->sock_kernel_bytes += n;
}

/* A call failed in the bracket: the last one is named when the function
 * returns an error. */
static void failed(struct zcl_totals *t, const struct zcl_sysrec *r)
{
	if (r->ret >= 0 || r->ret < -4095 || r->injected == ZI_DENY)
		return;
	t->failed_calls++;
	t->fail_nr = r->nr;
	t->fail_errno = (int)-r->ret;
	t->fail_injected = r->injected == ZI_EINTR;
}

/*
 * Does the kernel count this call in syscr/syscw? Once a call gets past the
 * descriptor and buffer checks it is counted, failed or not (EAGAIN, EPIPE,
 * a real EINTR); copy_file_range with nothing to copy returns before that;
 * a call the lab skipped to inject EINTR never ran.
 */
static bool kernel_counts(const struct zcl_sysrec *r)
{
	if (r->injected == ZI_EINTR)
		return false;
	if (r->ret == 0 && r->nr == SYS_copy_file_range)
		return false;
	return r->ret >= 0 || (r->ret != -EBADF && r->ret != -EINVAL && r->ret != -EFAULT);
}

/* Add up one call's events; returns the bytes the CPU copied. */
static uint64_t count_events(struct zcl_totals *t, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	uint64_t cpu = 0;
	for (size_t i = 0; i < n; i++) {
		const struct zcl_event *e = &ev[i];
		switch (e->kind) {
		case ZE_SYSCALL:
			t->syscalls++;
			t->mode_switches += 2;
			if (r->nr >= 0 && r->nr < ZCL_MAX_NR)
				t->by_nr[r->nr]++;
			break;
		case ZE_DMA:
			add(&t->dma, e->bytes);
			if (e->to == ZP_PAGE_CACHE && e->from == ZP_DISK)
				t->filled_bytes += e->bytes;
			if (e->to == ZP_NIC)
				t->nic_bytes += e->bytes;
			break;
		case ZE_CPU:
			add(&t->cpu, e->bytes);
			cpu += e->bytes;
			break;
		case ZE_REF: add(&t->ref, e->bytes); break;
		case ZE_MARK: break;
		case ZE_OP: t->uring_ops++; break; /* an io_uring operation: no mode switch */
		}
	}
	return cpu;
}

void zcl_account_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct zcl_totals *t = ctx;
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	if (n > 0 && ev[0].kind == ZE_MARK) {
		t->marks++;
		if (ev[0].bytes == 2)
			gather_return(&t->gather);
		return;
	}
	if (r->forged_marker)
		t->forged_marks++;
	if (r->injected == ZI_DENY && r->deny_why) {
		if (t->denied < 4) {
			t->denied_nr[t->denied] = r->nr;
			t->denied_why[t->denied] = r->deny_why;
		}
		t->denied++;
	}
	facts(t, r, rule);
	if (!r->in_bracket)
		return;
	failed(t, r);
	zerocopy(t, r);
	if (r->nr == SYS_setsockopt)
		gather_sockopt(&t->gather, r);
	if (rule && rule->fam == ZM_MMAP && r->in.lab_input && r->ret >= 0)
		t->file_mmaps++;
	if (rule && rule->io && kernel_counts(r)) {
		uint64_t b = r->ret > 0 ? (uint64_t)r->ret : 0;
		if (rule->io & 1) { t->io_rchar += b; t->io_syscr++; }
		if (rule->io & 2) { t->io_wchar += b; t->io_syscw++; }
	}
	if (rule && r->in.kind == ZF_FILE && r->ret > 0 && rule->fam != ZM_MMAP) {
		uint64_t got = (uint64_t)r->ret;
		t->hit_bytes += got > r->filled_bytes ? got - r->filled_bytes : 0;
	}
	uint64_t cpu = count_events(t, r, ev, n);
	if (r->zc_done)
		cpu = 0; /* the kernel's deferred copy of pinned pages (loopback): shown, measured,
			  * but not the program's copy: not on the data path (zc_copied_bytes) */
	if (rule && r->ret > 0 && rule->fam != ZM_MMAP) /* an mmap returns an address, not bytes */
		t->data_cpu_bytes += zcl_datapath_step(&t->path, r, rule, cpu);
	if (r->injected != ZI_NONE && r->injected != ZI_DENY) {
		if (t->injected < ZCL_INJ_REPORT)
			t->inj[t->injected] = (struct zcl_injected){
				r->nr, r->nr >= 0 && r->nr < ZCL_MAX_NR ? t->by_nr[r->nr] : 0, r->injected, r->ret};
		t->injected++;
	}
}

/* One counter: the kernel's figure is end - begin - excluded (the loads of
 * later execs). When that would go below zero (an end read early, e.g. of a
 * process killed by --timeout) there is no figure to print: say so rather
 * than print the wrapped-around unsigned difference. */
static int differ(char **p, size_t *left, const char *what, uint64_t ours, uint64_t begin, uint64_t end,
		  uint64_t excluded)
{
	int w;
	if (end < begin || end - begin < excluded)
		w = snprintf(*p, *left, "%s: lab counted %llu, kernel /proc/PID/io has no figure (read %llu at the "
			     "start, %llu at the end, %llu excluded as exec loads)\n", what,
			     (unsigned long long)ours, (unsigned long long)begin, (unsigned long long)end,
			     (unsigned long long)excluded);
	else if (ours == end - begin - excluded)
		return 0;
	else
		w = snprintf(*p, *left, "%s: lab counted %llu, kernel /proc/PID/io says %llu\n", what,
			     (unsigned long long)ours, (unsigned long long)(end - begin - excluded));
	if (w > 0 && (size_t)w < *left) {
		*p += w;
		*left -= (size_t)w;
	}
	return 1;
}

int zcl_account_crosscheck(const struct zcl_totals *t, const struct zcl_kernel_acct *k,
			   char *buf, size_t len)
{
	if (len)
		buf[0] = 0;
	if (!k->begin.valid || !k->end.valid)
		return -1;
	char *p = buf;
	size_t left = len;
	int bad = 0;
	const struct zcl_procio *b = &k->begin, *e = &k->end, *x = &k->excluded;
	bad += differ(&p, &left, "rchar", t->io_rchar, b->rchar, e->rchar, x->rchar);
	bad += differ(&p, &left, "wchar", t->io_wchar, b->wchar, e->wchar, x->wchar);
	bad += differ(&p, &left, "syscr", t->io_syscr, b->syscr, e->syscr, x->syscr);
	bad += differ(&p, &left, "syscw", t->io_syscw, b->syscw, e->syscw, x->syscw);
	return bad;
}
