/*
 * account.h - running totals of the event stream, and the facts the checker
 * needs (which syscalls touched the lab's file and socket, and how).
 *
 * A sink (collect.h): feed it every step with zcl_account_step. Only steps
 * inside the bracket count towards the totals; data moved on the lab's
 * descriptors outside it is recorded as a violation fact. CPU copies count
 * towards the copy target only on the lab's data path (datapath.h); the
 * header of the gather stage is judged with samples of the socket taken
 * at the steps that sent it and when the function returned (wire.h).
 */
#ifndef ZCL_ACCOUNT_H
#define ZCL_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "collect.h"
#include "datapath.h"
#include "event.h"

#define ZCL_MAX_NR 512 /* syscall numbers counted individually */

#define ZCL_INJ_REPORT 8 /* disturbed calls listed by name in a report (all are counted) */

struct zcl_count { uint64_t count, bytes; };

/* The gather stage's header: the bytes into the lab's socket before the
 * first byte of the file (sendfile, or a write from the input's mapping),
 * and what the wire says about them (wire.h). */
struct zcl_gather {
	bool body_started;        /* a file byte went into the socket */
	uint64_t header_bytes;    /* bytes into the socket before that */
	uint32_t header_calls;    /* calls that sent them */
	uint64_t unheld_bytes;    /* ... of them sent without MSG_MORE or TCP_CORK */
	long unheld_nr;           /* the first such call: its syscall, */
	uint32_t unheld_nth;      /* which header call it was (1, 2, ...) */
	uint64_t unheld_len;      /* and how many bytes it sent */
	bool nodelay_corked;      /* TCP_NODELAY was set while corked, header queued, no body yet */
	bool uncorked_early;      /* TCP_CORK was cleared before the body was queued */
	bool last_more;           /* the last call into the socket was a send with MSG_MORE */
	/* measured on the lab's end of the socket (TCP_INFO) */
	bool measured;            /* the samples below are real */
	bool wire_looked;         /* the lab's descriptor was looked for ... */
	int wire_fd;              /* ... and is this (-1: not found); the lab owns it */
	uint32_t alone_segs;      /* data segments that left before the body was queued */
	uint64_t alone_bytes;     /* the bytes they carried */
	bool returned;            /* the closing marker was sampled: */
	bool cork_at_return;      /* TCP_CORK still on when the function returned */
	uint32_t held_at_return;  /* bytes queued but unsent when it returned */
};

/* A call the lab disturbed (--inject), for the report. */
struct zcl_injected {
	long nr;            /* the syscall */
	uint32_t nth;       /* its how-manieth call of that name in the bracket */
	enum zcl_inject kind;
	int64_t ret;        /* what it returned then */
};

struct zcl_totals {
	uint64_t syscalls, mode_switches;
	uint64_t uring_ops;     /* io_uring operations decoded (ZE_OP records): no mode switches */
	struct zcl_count dma, cpu, ref;   /* copies by kind */
	uint64_t filled_bytes;            /* disk -> page cache (measured) */
	uint64_t hit_bytes;               /* file bytes a call found already cached: its bytes
					   * minus what it filled (from the measured fill) */
	uint64_t nic_bytes;               /* -> NIC (modelled) */
	uint64_t delivered_bytes;         /* bytes into the lab's socket */
	uint32_t by_nr[ZCL_MAX_NR];       /* syscalls in the bracket, by number */
	uint64_t injected;                /* faults injected */
	struct zcl_injected inj[ZCL_INJ_REPORT]; /* the first of them */

	/* facts for the checker: the lab's descriptors, inside the bracket */
	uint64_t file_read_bytes;     /* read-family calls returned input bytes to user space */
	uint64_t file_mmaps;          /* mmap() of the input file */
	uint64_t sock_user_bytes;     /* written to the socket from a plain user buffer */
	uint64_t sock_map_bytes;      /* written to the socket from a file mapping */
	uint64_t sock_kernel_bytes;   /* moved into the socket inside the kernel (sendfile, splice) */
	struct zcl_gather gather;     /* the header, sent before the body */
	uint64_t data_cpu_bytes;      /* CPU-copied bytes on the lab's data path (datapath.h) */
	struct zcl_datapath path;     /* how that was decided, and the program's other I/O */
	uint64_t failed_calls;        /* syscalls that failed in the bracket */
	long fail_nr;                 /* the last of them (-1: none) ... */
	int fail_errno;               /* ... its errno ... */
	bool fail_injected;           /* ... and whether the lab injected that failure */
	uint64_t outside_bytes;       /* data moved on lab fds outside the bracket */
	uint64_t preload_bytes;       /* ... of which input read before the opening marker (the
				       * harness's own read of a contract that takes a buffer) */
	/* MSG_ZEROCOPY on the lab's socket, in the bracket (zerocopy.h) */
	uint64_t zc_sends, zc_bytes;  /* sends that pinned pages, and their bytes */
	uint64_t zc_completed;        /* sends the reaped completions covered */
	uint64_t zc_copied_bytes;     /* bytes the kernel copied after all (SO_EE_CODE_ZEROCOPY_COPIED),
				       * measured from the completions: not in data_cpu_bytes */
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
 * number; 0 means the kernel agrees. A counter whose end reading is below
 * its start plus the excluded exec loads has no kernel figure: its line
 * says so with the three readings (never a wrapped-around difference) and
 * counts as a disagreement. -1 when the kernel's figures are missing (the
 * span never closed). */
int zcl_account_crosscheck(const struct zcl_totals *t, const struct zcl_kernel_acct *k,
			   char *buf, size_t len);

#endif
