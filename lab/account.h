/*
 * account.h - running totals of the event stream, and the facts the checker
 * needs (which syscalls touched the lab's file and socket, and how).
 *
 * A sink (collect.h): feed it every step with zcl_account_step. Only steps
 * inside the bracket count towards the totals; data moved on the lab's
 * descriptors outside it is recorded as a violation fact.
 */
#ifndef ZCL_ACCOUNT_H
#define ZCL_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "collect.h"
#include "event.h"

#define ZCL_MAX_NR 512 /* syscall numbers counted individually */

struct zcl_count { uint64_t count, bytes; };

struct zcl_totals {
	uint64_t syscalls, mode_switches;
	struct zcl_count dma, cpu, ref;   /* copies by kind */
	uint64_t filled_bytes;            /* disk -> page cache (measured) */
	uint64_t hit_bytes;               /* file bytes a call found already cached: its bytes
					   * minus what it filled (from the measured fill) */
	uint64_t nic_bytes;               /* -> NIC (modelled) */
	uint64_t delivered_bytes;         /* bytes into the lab's socket */
	uint32_t by_nr[ZCL_MAX_NR];       /* syscalls in the bracket, by number */
	uint64_t injected;                /* faults injected */

	/* facts for the checker: the lab's descriptors, inside the bracket */
	uint64_t file_read_bytes;     /* read-family calls returned input bytes to user space */
	uint64_t file_mmaps;          /* mmap() of the input file */
	uint64_t sock_user_bytes;     /* written to the socket from a plain user buffer */
	uint64_t sock_map_bytes;      /* written to the socket from a file mapping */
	uint64_t sock_kernel_bytes;   /* moved into the socket inside the kernel (sendfile, splice) */
	bool any_send;                /* something was written to the socket */
	bool first_send_held;         /* ... and the first write was held (MSG_MORE/TCP_CORK) */
	uint64_t data_cpu_bytes;      /* CPU-copied bytes, except writes to stdout/stderr */
	uint64_t outside_bytes;       /* data moved on lab fds outside the bracket */
	long outside_nr;              /* the first such syscall */
	int marks;                    /* bracket markers seen: 2 when the function returned */
	int forged_marks;             /* marker-like calls without the token or out of order */
	int denied;                   /* calls the sandbox refused (by name) */
	long denied_nr[4];            /* the first of them ... */
	const char *denied_why[4];    /* ... and why (static text) */

	/* our side of the /proc/PID/io cross-check, same span, every process
	 * (the kernel adds reaped children into their parent's figures) */
	uint64_t io_rchar, io_wchar, io_syscr, io_syscw;
};

/* Zero t. Can't fail. */
void zcl_account_init(struct zcl_totals *t);

/* The sink function: ctx is a struct zcl_totals *. */
void zcl_account_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n);

/* Compare our totals with the kernel's over the same span. Writes one line
 * per disagreement into buf (NUL-terminated, may be empty) and returns their
 * number; 0 means the kernel agrees. -1 when the kernel's figures are
 * missing (the span never closed). */
int zcl_account_crosscheck(const struct zcl_totals *t, const struct zcl_kernel_acct *k,
			   char *buf, size_t len);

#endif
