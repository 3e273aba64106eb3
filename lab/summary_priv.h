/*
 * summary_priv.h - the summary's figures, shared by summary.c (which adds
 * up the event stream) and summary_print.c (which prints them). Not for
 * other modules: they use summary.h.
 */
#ifndef ZCL_SUMMARY_PRIV_H
#define ZCL_SUMMARY_PRIV_H

#include "htab.h"
#include "pcwatch.h"
#include "summary.h"
#include "uring.h"

/* One syscall of one process (nr -1: the process's own totals). */
struct zcl_sum_row {
	pid_t tgid;
	long nr;
	uint64_t calls, errors, bytes;
	uint64_t time_ns, timed;   /* over calls with an exit stop */
	char comm[20];             /* nr -1: the process's name */
};

struct zcl_summary {
	bool all_trapped;            /* every syscall was trapped (exact counts of all) */
	struct zcl_sum_row *rows;
	size_t n, cap;
	struct zcl_htab ix;          /* (tgid, nr + 1) -> row */
	uint64_t fill, fills;        /* DMA disk -> page cache, measured */
	uint64_t direct, directs;    /* DMA disk <-> user (O_DIRECT), from return values */
	uint64_t nic, nics;          /* DMA -> NIC, modelled */
	uint64_t cpu, ref;           /* bytes */
	uint64_t cpu_to_skb;         /* of cpu: bytes copied into a socket buffer */
	uint64_t sent;               /* bytes into sockets */
	uint64_t deferred, err_unnamed, unknown;
	uint64_t ambiguous;          /* deferred calls whose own result a run left unknown (runs.c) */
	uint64_t uring, aio;         /* io_uring_* and io_setup/io_submit calls */
	uint64_t uring_enters;       /* io_uring_enter calls */
	uint64_t uring_ops, uring_notifs; /* operations decoded (their completions), notifications */
	uint64_t uring_by_op[ZCL_URING_NOPS];
	uint64_t uring_undecoded;    /* io_uring calls whose operations could not be read */
	const char *uring_why;       /* the last reason (static text) */
	uint64_t zc_sends, zc_pinned;     /* zerocopy sends, their bytes (pinned, not copied) */
	uint64_t zc_completions, zc_copied; /* completions read, bytes the kernel copied after all */
	uint64_t zc_unreported;      /* SEND_ZC notifications that did not say whether it copied */
	uint64_t cls[ZC__COUNT];     /* descriptor uses by class (in and out) */
	uint64_t loop_sends, dev_sends, noroute_sends;
	const char *netdev;          /* the last real device seen, interned */
	int netdev_sg;               /* its scatter-gather: 1, 0, -1 unknown */
	struct zcl_pcw_stats pcw;    /* the watched files, as of the last step */
	uint64_t maps_lost;          /* mappings not remembered, as of the last step */
};

#endif
