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
#define ZCL_MAX_TRACEES 64                /* collect.c's per-thread tables (the tracer itself has no limit) */
#define ZCL_MAX_FDS_CACHED 256            /* descriptors whose class is cached per process */
#define ZCL_MAX_MAPS 64                   /* file mappings remembered per process */
#define ZCL_INJECT_EVERY 3                /* --inject: disturb the 1st and then every Nth data syscall in the bracket */
#define ZCL_RLIMIT_CPU_S 20               /* stage binary: CPU seconds before SIGXCPU */
#define ZCL_RLIMIT_FSIZE (64ull << 20)    /* stage binary: largest file it may write */
#define ZCL_RLIMIT_NPROC 64               /* stage binary: processes per uid (root is exempt) */
#define ZCL_RLIMIT_AS (512ull << 20)      /* stage binary: address space, bytes (a memory hog fails fast) */
#define ZCL_RLIMIT_NOFILE 64              /* stage binary: open descriptors */
#define ZCL_SANDBOX_UID_BASE 200000u      /* stage binaries run as uid/gid BASE + lab pid % 50000 when root */
#define ZCL_WATCH_DEBOUNCE_MS 300         /* watch: a saved exercise counts once it was quiet this long */
#define ZCL_GATHER_HEADER_FMT "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %llu\r\n\r\n"

#endif
