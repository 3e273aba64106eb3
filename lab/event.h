/*
 * event.h - the lab's one event stream.
 *
 * The tracer produces syscall records (struct zcl_sysrec): what the process
 * asked for and what the kernel answered, plus the facts the collectors
 * measured around it (descriptor classes, page-cache fills, whether a write's
 * buffer lies in a file mapping). The model (model.c) turns each record into
 * events (struct zcl_event): one SYSCALL event (two mode switches) and the
 * copies the kernel made. Every consumer - the text timeline, the JSON
 * writer, the accounting, the checker, the viz - reads only events.
 */
#ifndef ZCL_EVENT_H
#define ZCL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Where bytes can be. */
enum zcl_place {
	ZP_NONE,
	ZP_DISK,       /* the storage device */
	ZP_PAGE_CACHE, /* the kernel's cache of file pages */
	ZP_USER,       /* the process's own memory */
	ZP_SOCKET,     /* a socket buffer (skb) */
	ZP_PIPE,       /* a pipe buffer */
	ZP_NIC,        /* the network card */
	ZP_KERNEL,     /* data the kernel makes up on the spot (/proc, /sys, /dev/urandom) */
	ZP_TTY,        /* a terminal's buffer (tty layer) */
	ZP__COUNT
};

/* What happened. */
enum zcl_evkind {
	ZE_SYSCALL, /* one syscall: user -> kernel -> user, two mode switches */
	ZE_DMA,     /* a device copied the bytes; the CPU did not touch them */
	ZE_CPU,     /* the CPU copied the bytes (copy_to_user, memcpy, ...) */
	ZE_REF,     /* descriptor-only handoff: page references, no bytes copied */
	ZE_MARK,    /* the harness opened (bytes=1) or closed (bytes=2) the bracket */
	ZE_OP,      /* first event of an io_uring operation's record (uring.h): the
		     * kernel did it for an io_uring_enter, no mode switch of its own */
};

/* Descriptor classes. */
enum zcl_fdkind { ZF_NONE, ZF_FILE, ZF_SOCKET, ZF_PIPE, ZF_OTHER };

/* The finer class the model reads (zcl_fdclass_name names it). ZC_UNKNOWN:
 * only kind is known (the model then treats a socket as TCP on loopback). */
enum zcl_fdclass {
	ZC_UNKNOWN,
	ZC_FILE,      /* regular file on a disk filesystem: page cache over a disk */
	ZC_TMPFS,     /* regular file on tmpfs/ramfs: page cache, no disk */
	ZC_DIRECT,    /* regular file opened O_DIRECT: the disk DMAs to/from user memory */
	ZC_PSEUDO,    /* /proc, /sys, cgroup, debugfs...: made by the kernel when read */
	ZC_DIR,       /* a directory */
	ZC_PIPE,      /* pipe or FIFO */
	ZC_TCP, ZC_UDP,
	ZC_UNIX,      /* AF_UNIX: bytes go to the peer's receive queue, no NIC */
	ZC_NETLINK,   /* a socket to the kernel itself */
	ZC_SOCKET,    /* another socket family */
	ZC_TTY,       /* a terminal */
	ZC_NULL,      /* /dev/null: writes are discarded, reads are empty */
	ZC_ZERO,      /* /dev/zero: reads are zeroes written by the CPU */
	ZC_CHAR,      /* another character device (/dev/urandom, ...) */
	ZC_ANON,      /* eventfd, epoll, timerfd, signalfd, io_uring, ... */
	ZC_OTHER,
	ZC__COUNT
};

/* Where an inet socket's bytes leave. */
enum zcl_route { ZR_UNKNOWN, ZR_LOOPBACK, ZR_DEVICE };

struct zcl_fdinfo {
	enum zcl_fdkind kind;
	bool lab_input;  /* the lab's input file (same device and inode) */
	bool lab_socket; /* the lab's connected socket (same socket inode) */
	bool tmpfs;      /* a file on tmpfs/ramfs: no disk below its pages */
	enum zcl_fdclass cls;
	bool nonblock;       /* O_NONBLOCK when classified */
	enum zcl_route route; /* TCP/UDP: loopback, a real device, or unknown */
	signed char dev_sg;  /* ZR_DEVICE: scatter-gather read from the device
			      * (ethtool): 1 on, 0 off; -1 unknown (the model's switch) */
	const char *name;    /* "/path", "127.0.0.1:5000->127.0.0.1:80", "pipe:[123]"
			      * (strace -yy style); NULL if unknown. Interned: valid until
			      * the next zcl_fd_set_lab (the start of a run) */
	const char *netdev;  /* ZR_DEVICE: the device's name ("eth0"), interned */
};

/* What the tracer does to one syscall (see tracer.h): nothing, fault
 * injection (a short count, EINTR), or refusal by the sandbox (the call is
 * skipped and fails with rec->deny_errno). */
enum zcl_inject { ZI_NONE, ZI_SHORT, ZI_EINTR, ZI_DENY };

/* One syscall as the tracer saw it, with what the collectors measured. */
struct zcl_sysrec {
	uint64_t seq;          /* 1, 2, ... in the order the syscalls finished */
	pid_t pid;             /* thread that made the call */
	pid_t tgid;            /* its process (thread group) */
	long nr;               /* native syscall number */
	uint64_t args[6];      /* arguments at entry (before any injection) */
	int64_t ret;           /* return value; -errno on failure */
	struct zcl_fdinfo in;  /* descriptor data comes from (ZF_NONE if none) */
	struct zcl_fdinfo out; /* descriptor data goes to (ZF_NONE if none) */
	uint64_t filled_bytes; /* page-cache bytes that appeared during the call (measured) */
	bool src_in_filemap;   /* write family: source buffer lies in a file mapping */
	bool msg_more;         /* send family: MSG_MORE set, or TCP_CORK on */
	bool in_bracket;       /* between the harness's markers (always true for zcl trace) */
	enum zcl_inject injected;
	int deny_errno;        /* ZI_DENY: the error the call gets */
	const char *deny_why;  /* ZI_DENY: why (static text); NULL for a quiet refusal */
	bool forged_marker;    /* looked like the harness's marker but was not */
	bool deferred;         /* no exit stop: ret was read from the thread's I/O counters
				* (/proc/TGID/task/TID/io) at its next stop; set by the collector */
	bool ret_unknown;      /* deferred, and the thread vanished before we could read them */
	int watch;             /* the collector's own: watched file of this call, -1 none */
	bool ret_ambiguous;    /* deferred, checked in a run of calls whose per-call split the
				* counters cannot tell (runs.c): ret is one split keeping the sum */
	uint32_t run_calls;    /* ambiguous, on the last such call of its run: how many calls, */
	uint64_t run_moved, run_asked; /* the bytes they moved between them, and asked for */
	bool err_unnamed;      /* deferred, and the counters prove it failed (a write that
				* moved nothing): the error's name needs --exact */
	uint64_t t_entry_ns;   /* CLOCK_MONOTONIC at the entry stop, ns */
	uint64_t t_exit_ns;    /* ... at the exit stop; 0 when deferred (no exit stop) */
	/* io_uring (uring.h). On io_uring_enter: the operations it submitted, read
	 * from the SQ ring at entry, or why they could not be read. On an
	 * operation's record (nr >= ZCL_NR_URING): its CQE's flags. */
	uint32_t uring_ops;
	const char *uring_why; /* static text; NULL: decoded (or not io_uring) */
	uint32_t cqe_flags;    /* IORING_CQE_F_MORE, IORING_CQE_F_NOTIF, ... */
	/* MSG_ZEROCOPY (zerocopy.h). zerocopy: a send whose pages the socket pins
	 * (MSG_ZEROCOPY on an SO_ZEROCOPY socket, or IORING_OP_SEND_ZC). On a
	 * recvmsg(MSG_ERRQUEUE) that got a completion (zc_done), or a SEND_ZC
	 * notification: the sends [zc_lo, zc_hi], the bytes they carried
	 * (zc_bytes, 0 if unknown) and whether the kernel copied them after all
	 * (SO_EE_CODE_ZEROCOPY_COPIED). */
	bool zerocopy;
	bool zc_done, zc_copied;
	bool zc_unreported;    /* SEND_ZC notification without IORING_SEND_ZC_REPORT_USAGE:
				* whether the kernel copied is not said */
	uint32_t zc_lo, zc_hi;
	uint64_t zc_bytes;
};

/* One thing the kernel did for a syscall. */
struct zcl_event {
	enum zcl_evkind kind;
	enum zcl_place from, to;
	uint64_t bytes;
	bool modelled;    /* true: follows from the model, not observed (NIC DMA on loopback) */
	const char *note; /* static text, or NULL */
};

/* Short names: "disk", "page cache", ... Can't fail. */
const char *zcl_place_name(enum zcl_place p);
const char *zcl_evkind_name(enum zcl_evkind k);
const char *zcl_fdkind_name(enum zcl_fdkind k);
const char *zcl_fdclass_name(enum zcl_fdclass c); /* "file", "tcp", "pseudo-file", ... */

#endif
