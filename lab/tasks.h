/*
 * tasks.h - what the collector remembers per thread of the traced program:
 * its process (thread group), its kernel I/O counters, the counters of a
 * process about to exec, and the TCP_CORK state of each socket.
 *
 * All of it grows with the program (no fixed table: a server with 500
 * threads gets 500 entries) and is freed by zcl_tasks_reset at the end of
 * a run. Lookups are hashed by thread id or socket inode.
 */
#ifndef ZCL_TASKS_H
#define ZCL_TASKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect.h"

/* A thread's I/O counters (/proc/TGID/task/TID/io): the last sample. */
struct zcl_taskio {
	pid_t tid;
	bool have; /* a sample was taken */
	uint64_t rchar, wchar, read_bytes;
};

/* The thread group of pid, from the table or /proc/PID/status (then
 * remembered). pid itself when /proc has no answer. Can't fail. */
pid_t zcl_task_tgid(pid_t pid);

/* Is pid a thread or process of the traced program seen so far? Looks,
 * never adds. */
bool zcl_task_known(pid_t pid);

/* pid is new (a reused number) or gone: forget its group and counters. */
void zcl_task_forget(pid_t pid);

/* The counters of thread tid of process tgid, opening its io file on first
 * use. NULL when /proc has none (the thread is gone) or memory ran out.
 * The pointer is valid until the next zcl_taskio_of or zcl_task_forget. */
struct zcl_taskio *zcl_taskio_of(pid_t tgid, pid_t tid);

/* Read t's counters now into *now (tid and have set). 0, or -1 when they
 * cannot be had. */
int zcl_taskio_sample(const struct zcl_taskio *t, struct zcl_taskio *now);

/* Close tid's io file (its counters moved under us, or it exited); the
 * next use starts a fresh sample. */
void zcl_taskio_forget(pid_t tid);

/* tid's last sample is out of date (a call moved its counters without
 * being sampled): the next deferred call samples afresh at its entry. */
void zcl_taskio_stale(pid_t tid);

/* Counters of process tgid at an execve's entry (pre), taken back at the
 * exec event. take: true and *io set once per put. */
void zcl_task_exec_put(pid_t tgid, const struct zcl_procio *io);
bool zcl_task_exec_take(pid_t tgid, struct zcl_procio *io);

/* TCP_CORK of the socket with inode ino (false if never set). */
bool zcl_cork_get(ino_t ino);
void zcl_cork_set(ino_t ino, bool on);

/* Free everything (start or end of a run). Can't fail. */
void zcl_tasks_reset(void);

#endif
