/*
 * attach.h - zcl trace -p PID: trace a process that is already running
 * (attach.c). zcl_trace_attach (tracer.h) is the entry; this header holds
 * what tracer.c, cli_trace.c and the tests need besides.
 */
#ifndef ZCL_ATTACH_H
#define ZCL_ATTACH_H

#include "proc.h"

#include <stddef.h>
#include <sys/types.h>

/* Wake an attached run's tracer so that it notices a request to end
 * (zcl_trace_kill_current, the deadline) and detaches. Async-signal-safe.
 * 0, or -1 when no attached run is going on (nothing done). */
int zcl_attach_wake(void);

/* waitpid(pid, status, __WALL) for an attached run's tracer thread, which
 * the waker can interrupt (EINTR) when the run is asked to end. */
pid_t zcl_attach_waitpid(pid_t pid, int *status);

/*
 * Can pid be attached? Reads /proc/PID/status (proc(5)). On success, the
 * process (thread group) pid belongs to in *tgid (a thread's id names its
 * process) and its name (comm, as the kernel keeps it: unescaped) in name.
 * Returns 0, 1 if this zcl traces it already (given twice, as a process
 * and as one of its threads, or a child being followed), or -1 with a
 * one-line reason in err: not a process id, no such process, zcl itself or
 * its parent, a zombie, a kernel thread, or already traced by another
 * (TracerPid, and by whom).
 */
int zcl_attach_check(pid_t pid, pid_t *tgid, char *name, size_t namelen, char *err, size_t errlen);

#endif
