/*
 * uring.h - io_uring made visible under ptrace.
 *
 * An io_uring program moves its bytes with no syscall per transfer: it
 * writes submission queue entries (SQEs) into memory it shares with the
 * kernel and calls io_uring_enter() once for many of them; the kernel
 * writes completion queue entries (CQEs) back. strace sees only
 * "io_uring_enter(...) = N". The lab reads the rings themselves from the
 * tracee's memory: their layout from io_uring_setup()'s parameters (read at
 * its exit), their addresses from the mmap() calls on the ring descriptor
 * (IORING_OFF_SQ_RING, IORING_OFF_CQ_RING, IORING_OFF_SQES), the SQEs at
 * each io_uring_enter() entry, the CQEs at its exit. Each completed
 * operation becomes a record (nr = ZCL_NR_URING + opcode) that the model
 * turns into copies like a syscall's, with no mode switch of its own.
 *
 * An operation submitted with IOSQE_CQE_SKIP_SUCCESS gets no CQE when it
 * succeeds: its record comes at the enter's exit with its result unknown.
 * What it cannot decode it says (rec->uring_why): SQPOLL rings (the kernel
 * polls the ring: I/O with no syscall at all), registered ring descriptors
 * (IORING_ENTER_REGISTERED_RING), rings in the program's own memory
 * (IORING_SETUP_NO_MMAP), rings set up before the lab saw them.
 * Kernel source: io_uring/io_uring.c, include/uapi/linux/io_uring.h.
 */
#ifndef ZCL_URING_H
#define ZCL_URING_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* Records of io_uring operations carry nr = ZCL_NR_URING + opcode (no real
 * syscall has such a number). */
#define ZCL_NR_URING 4096L
#define ZCL_URING_NOPS 256

static inline bool zcl_is_uring_op(long nr)
{
	return nr >= ZCL_NR_URING && nr < ZCL_NR_URING + ZCL_URING_NOPS;
}

/* The operation's name ("READ", "SEND_ZC", "op_77"); static storage. */
const char *zcl_uring_opname(unsigned op);

/* Hand one operation's record to the model and the sinks (collect.c). */
typedef void (*zcl_uring_emit_fn)(struct zcl_sysrec *op);

/* At io_uring_enter's entry: read the SQEs it will submit (sets
 * rec->uring_ops, or rec->uring_why when it cannot). Other calls: no-op. */
void zcl_uring_entry(struct zcl_sysrec *rec);

/* --inject short for io_uring (after zcl_uring_entry on io_uring_enter):
 * halve the len of the 1st and every `every`-th data operation (SPLICE,
 * TEE, SEND, SEND_ZC, READ, WRITE on the lab's descriptors) this enter
 * submits, in the SQE itself (the kernel reads it at submission), so the
 * operation completes short. *seen counts such operations over the run.
 * Returns how many were shortened; 0 when the ring is not decoded.
 * The ring's memory is the tracee's (process_vm_writev(2)). */
int zcl_uring_shorten(const struct zcl_sysrec *r, unsigned every, unsigned long *seen);

/* At the exit of io_uring_setup (learn the ring; rec->uring_why says when
 * it cannot be decoded), mmap (learn where it lies), io_uring_enter (the
 * SQEs read at entry that the kernel took are now pending). Before the
 * model sees rec. Other calls: no-op. */
void zcl_uring_exit(struct zcl_sysrec *rec);

/* After io_uring_enter's own record went to the sinks: read the CQEs that
 * came since the last look (whoever reaped them) and emit one record per
 * CQE, in order. Memory the tracee no longer has is skipped; running out
 * of memory or a wrapped CQ ring loses records and is counted
 * (zcl_uring_lost). Other calls: no-op. */
void zcl_uring_reap(const struct zcl_sysrec *rec, zcl_uring_emit_fn emit);

/* Process tgid is about to exit (its memory still readable): the CQEs that
 * came after its last io_uring_enter, which it may have reaped with no
 * syscall, are emitted (as of that enter's seq). */
void zcl_uring_proc_exit(pid_t tgid, zcl_uring_emit_fn emit);

/* A process exec'd: its rings are gone. */
void zcl_uring_forget(pid_t tgid);

/* Completions missed since the last zcl_uring_reset(true): the CQ ring
 * wrapped between two looks, or memory ran out. For the summary. */
uint64_t zcl_uring_lost(void);

/* Free every ring (start or end of a run); counts: zero the lost count too
 * (the start; the end keeps it for the summary). Can't fail. */
void zcl_uring_reset(bool counts);

#endif
