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
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "account.h"
#include "model.h"

void zcl_account_init(struct zcl_totals *t)
{
	memset(t, 0, sizeof *t);
	t->outside_nr = -1;
}

static void add(struct zcl_count *c, uint64_t bytes)
{
	c->count++;
	c->bytes += bytes;
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
		return;
	}
	if (rule->fam == ZM_READ && r->in.lab_input)
		t->file_read_bytes += n;
	if (!r->out.lab_socket)
		return;
	if (!t->any_send) {
		t->any_send = true;
		t->first_send_held = r->msg_more;
	}
	t->delivered_bytes += n;
	if (rule->fam == ZM_WRITE || rule->fam == ZM_SEND)
		*(r->src_in_filemap ? &t->sock_map_bytes : &t->sock_user_bytes) += n;
	else
		t->sock_kernel_bytes += n;
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

void zcl_account_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct zcl_totals *t = ctx;
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	if (n > 0 && ev[0].kind == ZE_MARK) {
		t->marks++;
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
	if (rule && rule->fam == ZM_MMAP && r->in.lab_input && r->ret >= 0)
		t->file_mmaps++;
	if (r->injected != ZI_NONE)
		t->injected++;
	if (rule && rule->io && kernel_counts(r)) {
		uint64_t b = r->ret > 0 ? (uint64_t)r->ret : 0;
		if (rule->io & 1) { t->io_rchar += b; t->io_syscr++; }
		if (rule->io & 2) { t->io_wchar += b; t->io_syscw++; }
	}
	if (rule && r->in.kind == ZF_FILE && r->ret > 0 && rule->fam != ZM_MMAP) {
		uint64_t got = (uint64_t)r->ret;
		t->hit_bytes += got > r->filled_bytes ? got - r->filled_bytes : 0;
	}
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
			if (!(rule && rule->out_fd >= 0 && r->args[rule->out_fd] <= 2))
				t->data_cpu_bytes += e->bytes;
			break;
		case ZE_REF: add(&t->ref, e->bytes); break;
		case ZE_MARK: break;
		}
	}
}

static int differ(char **p, size_t *left, const char *what, uint64_t ours, uint64_t kernel)
{
	if (ours == kernel)
		return 0;
	int w = snprintf(*p, *left, "%s: lab counted %llu, kernel /proc/PID/io says %llu\n", what,
			 (unsigned long long)ours, (unsigned long long)kernel);
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
	bad += differ(&p, &left, "rchar", t->io_rchar, e->rchar - b->rchar - x->rchar);
	bad += differ(&p, &left, "wchar", t->io_wchar, e->wchar - b->wchar - x->wchar);
	bad += differ(&p, &left, "syscr", t->io_syscr, e->syscr - b->syscr - x->syscr);
	bad += differ(&p, &left, "syscw", t->io_syscw, e->syscw - b->syscw - x->syscw);
	return bad;
}
