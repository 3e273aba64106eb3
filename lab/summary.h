/*
 * summary.h - what `zcl trace` says at the end: a table per syscall (calls,
 * errors, bytes, time) like `strace -c`, the same per process, the copies
 * with measured, derived and modelled DMA apart, CPU bytes per byte sent,
 * the descriptor classes the model used, the kernel cross-check, and what
 * the lab could not see (io_uring, AIO, O_DIRECT).
 *
 * A sink (collect.h): feed it every step with zcl_summary_step.
 */
#ifndef ZCL_SUMMARY_H
#define ZCL_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "account.h"
#include "collect.h"

struct zcl_summary;

/* A new, empty summary, or NULL (out of memory). Free with zcl_summary_free. */
struct zcl_summary *zcl_summary_new(bool all_trapped);

/* The sink function: ctx is a struct zcl_summary *. */
void zcl_summary_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n);

/* Print the summary as text: with table, the per-syscall and per-process
 * tables; always the copies, the classes, the blind spots and the kernel
 * cross-check (t: the account sink's totals over the same steps; k: the
 * kernel's figures). */
void zcl_summary_print(FILE *out, const struct zcl_summary *s, bool table,
		       const struct zcl_totals *t, const struct zcl_kernel_acct *k);

/* The same as one JSON object on one line: {"syscall_summary": ...}. */
void zcl_summary_json(FILE *out, const struct zcl_summary *s, const struct zcl_totals *t,
		      const struct zcl_kernel_acct *k);

/* Free s (NULL is fine). */
void zcl_summary_free(struct zcl_summary *s);

#endif
