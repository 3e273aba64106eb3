/*
 * model.h - the copy model: one syscall record in, the kernel's copies out.
 *
 * The rules are a table (model.c), one row per syscall: its family, which
 * arguments are the source and destination descriptors, the buffer, the
 * count and the flags. The tracer's collectors use the same rows to know
 * what to measure; the model uses them to say what the kernel did.
 */
#ifndef ZCL_MODEL_H
#define ZCL_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

enum zcl_family {
	ZM_READ,      /* read, pread64, readv, preadv, preadv2: fd -> user */
	ZM_WRITE,     /* write, pwrite64, writev, pwritev, pwritev2: user -> fd */
	ZM_SEND,      /* sendto, sendmsg: user -> socket, with flags */
	ZM_RECV,      /* recvfrom, recvmsg: socket -> user */
	ZM_SENDFILE,  /* sendfile: file -> fd, inside the kernel */
	ZM_SPLICE,    /* splice: one end is a pipe, pages move by reference */
	ZM_TEE,       /* tee: pipe -> pipe, by reference */
	ZM_VMSPLICE,  /* vmsplice: user pages -> pipe, by reference */
	ZM_COPYRANGE, /* copy_file_range: file -> file inside the kernel */
	ZM_MMAP,      /* mmap: map a file; copies nothing yet */
	ZM_MUNMAP,    /* munmap, mremap: the mapping goes or moves */
	ZM_OTHER,     /* an io_uring operation that moves no bytes (NOP, POLL_ADD, ...) */
};

struct zcl_rule {
	long nr;            /* syscall number */
	const char *name;
	enum zcl_family fam;
	signed char in_fd;  /* argument holding the source fd, -1 if none */
	signed char out_fd; /* argument holding the destination fd, -1 if none */
	signed char buf;    /* argument holding the user buffer (or iovec), -1 if none */
	signed char count;  /* argument holding the byte count, -1 if none (iovec calls) */
	signed char flags;  /* argument holding MSG_* flags, -1 if none */
	bool iov;           /* buf points to an iovec array (or msghdr for sendmsg) */
	unsigned char io;   /* /proc/PID/io accounting: 1 rchar+syscr, 2 wchar+syscw, 3 both */
};

/* The row for syscall nr, or NULL when the model has none; for an io_uring
 * operation's record (nr >= ZCL_NR_URING, uring.h) the operation's row,
 * whose argument numbers index the record's args (fd, addr, len, off,
 * splice_fd_in or flags, user_data). Can't fail. */
const struct zcl_rule *zcl_rule_for(long nr);

/* All syscall rows (not the io_uring operations'), *n set to their number. */
const struct zcl_rule *zcl_rules(size_t *n);

/* The syscall's name ("read", "sendfile", "syscall_999", "io_uring:READ"); static storage. */
const char *zcl_syscall_name(long nr);

/* Does rec look like a bracket marker (getppid with the magic), token or not? */
bool zcl_looks_like_marker(const struct zcl_sysrec *rec);

/* Is rec the harness's bracket marker? Sets *phase (1 open, 2 close). */
bool zcl_is_marker(const struct zcl_sysrec *rec, unsigned long token, int *phase);

/*
 * Turn one finished syscall into events: a ZE_SYSCALL event first (two mode
 * switches; its note says what the call does), then the copies in the order
 * the kernel makes them. An io_uring operation's record gets a ZE_OP event
 * first instead (no mode switch: its io_uring_enter had them). A send with
 * rec->zerocopy pins your pages (a reference, no CPU copy); a record with
 * rec->zc_done and zc_copied shows the kernel's deferred copy of zc_bytes. sg: the NIC does scatter-gather (default on).
 * Writes at most max events to ev and returns how many (max >=
 * ZCL_MAX_EVENTS_PER_CALL always suffices). Can't fail.
 */
size_t zcl_model(const struct zcl_sysrec *rec, bool sg, struct zcl_event *ev, size_t max);

#endif
