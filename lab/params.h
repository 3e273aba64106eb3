/*
 * params.h - the lab's tunables, one place, a comment each.
 */
#ifndef ZCL_PARAMS_H
#define ZCL_PARAMS_H

#define ZCL_MARK_MAGIC 0x5a434c4du        /* "ZCLM": getppid(MAGIC, token, phase) marks the bracket; lab/harness.c */
#define ZCL_FILE_FD 3                     /* where a stage binary finds its input file */
#define ZCL_SOCK_FD 4                     /* where a stage binary finds its connected socket */
#define ZCL_DEFAULT_SIZE (1024u * 1024u)  /* generated input size when --size is not given: 1 MiB */
#define ZCL_DEFAULT_SEED 42u              /* seed of the generated input when --seed is not given */
#define ZCL_DEFAULT_TIMEOUT_S 10.0        /* wall-clock limit of one stage run, seconds */
#define ZCL_MAX_EVENTS_PER_CALL 8         /* most events the model emits for one syscall */
#define ZCL_RLIMIT_CPU_S 20               /* stage binary: CPU seconds before SIGXCPU */
#define ZCL_RLIMIT_FSIZE (64ull << 20)    /* stage binary: largest file it may write */
#define ZCL_RLIMIT_NPROC 64               /* stage binary: processes per uid (root is exempt) */
#define ZCL_RLIMIT_AS (1ull << 30)        /* stage binary: address space, bytes, on top of the input's size
					   * (so the input can always be mapped); a memory hog fails fast */
#define ZCL_START_HEADROOM (32ull << 20) /* stage binary: room its code and static data must leave under
					   * ZCL_RLIMIT_AS for the C library, stack and heap, bytes */
#define ZCL_RLIMIT_STACK (8ull << 20)     /* stage binary: main thread's stack, bytes (set by the lab, not the
					   * grader's shell: the same result on every machine) */
#define ZCL_RLIMIT_MEMLOCK_PIN (64ull << 20) /* stage binary of a zerocopy or io_uring stage: memory it may
					   * keep pinned (MSG_ZEROCOPY's pages: ENOBUFS past it, net/core/
					   * skbuff.c mm_account_pinned_pages; io_uring's rings: ENOMEM,
					   * io_uring/rsrc.c __io_account_mem), bytes; other stages 0.
					   * Charged per user, and the runs a grade makes in parallel
					   * share their sandbox uid: room for all of them */
#define ZCL_MEMCG_BYTES (1ull << 30)      /* stage binary: all the memory it may make the machine hold
					   * (memory cgroup, where there is one), bytes */
#define ZCL_MEMCG_REUSE_MAX (64ull << 20) /* a grade's next run uses the last one's cgroup only
					   * when it holds at most this much, bytes (memcg.c) */
#define ZCL_SCRATCH_BYTES (64ull << 20)   /* stage binary: its scratch tmpfs, bytes */
#define ZCL_SCRATCH_INODES 4096u          /* stage binary: files and directories in its scratch tmpfs */
#define ZCL_WALL_FACTOR 4.0               /* stage run: wall-clock cap = this x the time limit (the limit itself
					   * is on the program's CPU time and on time spent blocked) */
#define ZCL_INJECT_EVERY 3                /* --inject on io_uring: the 1st and every Nth data operation (uring.h) */
#define ZCL_SLOW_MIN_CALLS 20000u         /* grade: a timed-out run with at least this many syscalls ... */
#define ZCL_SLOW_BYTES_PER_CALL 64u       /* ... and fewer bytes per syscall is "too slow to trace": judged
					   * untraced (bytes) or on its traced prefix (rules), one efficiency point off */
#define ZCL_SLOW_PREFIX_S 2.0             /* grade: time limit of the traced runs after that (a prefix suffices) */
#define ZCL_TRACE_ALLOWANCE_US 40         /* stage run: wall time granted per traced syscall for the tracer's own
					   * cost (not charged to the program) */
#define ZCL_CC_CPU_S 10                   /* compiler: CPU seconds (a stage compiles in 0.2 s) */
#define ZCL_CC_WALL_S 20                  /* compiler: wall-clock seconds */
#define ZCL_CC_AS (2ull << 30)            /* compiler: address space of each process, bytes */
#define ZCL_CC_FSIZE (64ull << 20)        /* compiler: largest file it may write (the binary), bytes */
#define ZCL_CLASS_CC_TMPFS (512ull << 20) /* a class's grader as root: its compiles' tmpfs, bytes (two
					   * compiles at once, each a few files of at most ZCL_CC_FSIZE) */
#define ZCL_RLIMIT_NOFILE 64              /* stage binary: open descriptors */
#define ZCL_SANDBOX_UID_BASE 200000u      /* stage binaries run as uid/gid BASE + lab pid % 50000 when root */
#define ZCL_WATCH_DEBOUNCE_MS 300         /* watch: a saved exercise counts once it was quiet this long */
#define ZCL_DETACH_WAIT_S 3               /* trace -p: seconds detaching waits for every task to stop */
#define RUN_MAX 32                        /* trace fast mode: longest run, deferred calls checked by one
					   * /proc/TID/io reading (runs.c; --help and zcl.1 say 32) */
#define ZCL_PASSON_GRACE_S 2              /* trace: seconds a program has to end after a signal passed on */
#define ZCL_PASSON_SAME_MS 500            /* trace: the same signal from the same sender within this many
					   * ms is one request (timeout(1) signals its child, then its group) */
#define CONTENT_MAX (16ull << 20)         /* grade: bytes of the generated stream kept in memory, at most */
#define SWEEP_AGE_S 60                    /* grade: a dead lab's memory cgroup is removed once this many
					   * seconds old (memcg.c) */
#define ZCL_GATHER_HEADER_FMT "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %llu\r\n\r\n"

#endif
