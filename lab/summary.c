/*
 * summary.c - add the event stream up for `zcl trace`'s summary
 * (summary.h). One row per (process, syscall), found by a hash; rows grow
 * with the program. Printing is in summary_print.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "grow.h"
#include "maps.h"
#include "model.h"
#include "proc.h"
#include "summary_priv.h"

struct zcl_summary *zcl_summary_new(bool all_trapped)
{
	struct zcl_summary *s = calloc(1, sizeof *s);
	if (s)
		s->all_trapped = all_trapped;
	return s;
}

void zcl_summary_free(struct zcl_summary *s)
{
	if (!s)
		return;
	free(s->rows);
	zcl_htab_free(&s->ix);
	free(s);
}

/* The row of (tgid, nr), made if missing; NULL when memory ran out. */
static struct zcl_sum_row *row(struct zcl_summary *s, pid_t tgid, long nr)
{
	uint32_t i;
	if (zcl_htab_get(&s->ix, (uint64_t)tgid, (uint64_t)(nr + 1), &i))
		return &s->rows[i];
	if (s->n == s->cap && ZCL_GROW(s->rows, s->cap, 64) < 0)
		return NULL;
	if (zcl_htab_put(&s->ix, (uint64_t)tgid, (uint64_t)(nr + 1), (uint32_t)s->n) < 0)
		return NULL;
	struct zcl_sum_row *r = &s->rows[s->n++];
	*r = (struct zcl_sum_row){.tgid = tgid, .nr = nr};
	if (nr < 0)
		zcl_proc_comm(tgid, r->comm, sizeof r->comm);
	return r;
}

static void count(struct zcl_sum_row *r, const struct zcl_sysrec *rec, bool failed, uint64_t bytes)
{
	if (!r)
		return;
	r->calls++;
	r->errors += failed;
	r->bytes += bytes;
	if (rec->t_exit_ns > rec->t_entry_ns) {
		r->time_ns += rec->t_exit_ns - rec->t_entry_ns;
		r->timed++;
	}
}

/* Which class each descriptor had, and where socket bytes went. */
static void classes(struct zcl_summary *s, const struct zcl_sysrec *r, uint64_t bytes)
{
	if (r->in.kind != ZF_NONE)
		s->cls[r->in.cls]++;
	if (r->out.kind != ZF_NONE)
		s->cls[r->out.cls]++;
	if (r->out.kind != ZF_SOCKET || bytes == 0)
		return;
	s->sent += bytes;
	if (r->out.route == ZR_LOOPBACK) {
		s->loop_sends++;
	} else if (r->out.route == ZR_DEVICE) {
		s->dev_sends++;
		s->netdev = r->out.netdev;
		s->netdev_sg = r->out.dev_sg;
	} else if (r->out.cls == ZC_TCP || r->out.cls == ZC_UDP) {
		s->noroute_sends++;
	}
}

static void copies(struct zcl_summary *s, const struct zcl_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct zcl_event *e = &ev[i];
		if (e->kind == ZE_DMA && e->from == ZP_DISK && e->to == ZP_PAGE_CACHE) {
			s->fill += e->bytes;
			s->fills++;
		} else if (e->kind == ZE_DMA && e->to == ZP_NIC) {
			s->nic += e->bytes;
			s->nics++;
		} else if (e->kind == ZE_DMA) {
			s->direct += e->bytes;
			s->directs++;
		} else if (e->kind == ZE_CPU) {
			s->cpu += e->bytes;
			if (e->to == ZP_SOCKET)
				s->cpu_to_skb += e->bytes;
		} else if (e->kind == ZE_REF) {
			s->ref += e->bytes;
		}
	}
}

/* io_uring and zerocopy figures: operations are not syscalls (no row, no
 * mode switch); their bytes and copies count like a syscall's. */
static bool io_uring_and_zc(struct zcl_summary *s, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	bool op = zcl_is_uring_op(r->nr);
	if (r->zc_done) {
		s->zc_completions++;
		s->zc_copied += r->zc_copied ? r->zc_bytes : 0;
		s->zc_unreported += r->zc_unreported;
	}
	if (r->zerocopy && !r->zc_done && r->ret > 0) {
		s->zc_sends++;
		s->zc_pinned += (uint64_t)r->ret;
	}
	if (r->nr == SYS_io_uring_enter)
		s->uring_enters++;
	if (r->uring_why) {
		s->uring_undecoded++;
		s->uring_why = r->uring_why;
	}
	if (!op)
		return false;
	if (r->cqe_flags & 8 /* IORING_CQE_F_NOTIF */) {
		s->uring_notifs++;
	} else {
		s->uring_ops++;
		s->uring_by_op[r->nr - ZCL_NR_URING]++;
	}
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	classes(s, r, rule && rule->fam != ZM_OTHER && r->ret > 0 ? (uint64_t)r->ret : 0);
	copies(s, ev, n);
	return true;
}

void zcl_summary_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct zcl_summary *s = ctx;
	if ((n > 0 && ev[0].kind == ZE_MARK) || !r->in_bracket)
		return;
	if (io_uring_and_zc(s, r, ev, n))
		return;
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	bool failed = r->err_unnamed || (!r->deferred && r->ret < 0 && r->ret >= -4095);
	bool data = rule && rule->fam != ZM_MMAP && rule->fam != ZM_MUNMAP;
	uint64_t bytes = data && r->ret > 0 ? (uint64_t)r->ret : 0;
	count(row(s, r->tgid, r->nr), r, failed, bytes);
	count(row(s, r->tgid, -1), r, failed, bytes);
	s->deferred += r->deferred;
	s->err_unnamed += r->err_unnamed;
	s->unknown += r->ret_unknown;
	s->ambiguous += r->ret_ambiguous;
	if (r->nr == SYS_io_uring_setup || r->nr == SYS_io_uring_enter || r->nr == SYS_io_uring_register)
		s->uring++;
	if (r->nr == SYS_io_setup || r->nr == SYS_io_submit)
		s->aio++;
	classes(s, r, bytes);
	copies(s, ev, n);
	s->pcw = zcl_pcw_stats(); /* (the tables are freed when the run ends, before printing) */
	s->maps_lost = zcl_map_lost();
}
