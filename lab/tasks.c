/*
 * tasks.c - per-thread facts of the traced program (see tasks.h).
 *
 * One entry per thread id, in a growable array indexed by a hash. A
 * thread's io file stays open between samples (a pread is cheaper than an
 * open); past a budget of open files the half sampled longest ago is
 * closed and reopened on its next use, the last sample kept, so a program
 * with thousands of threads costs the lab no more descriptors than that.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "htab.h"
#include "proc.h"
#include "tasks.h"

#define IO_FD_BUDGET 128 /* io files kept open at once; more are reopened on use */

struct task {
	pid_t pid, tgid;
	int iofd;                 /* open /proc/TGID/task/TID/io, -1 if none */
	struct zcl_taskio io;     /* last sample */
	uint64_t used;            /* clock of the last sample */
	bool pre_valid;           /* exec_pre holds counters taken at an execve entry */
	struct zcl_procio pre;
};

static struct {
	struct task *t;
	size_t n, cap;
	struct zcl_htab by_pid, cork;
	uint64_t clock, open;
	uint32_t *free; /* slots of forgotten threads, reused first */
	size_t nfree, capfree;
} T;

static struct task *lookup(pid_t pid)
{
	uint32_t i;
	return zcl_htab_get(&T.by_pid, (uint64_t)pid, 0, &i) ? &T.t[i] : NULL;
}

static pid_t read_tgid(pid_t pid)
{
	long tgid = zcl_proc_status(pid, "Tgid");
	return tgid > 0 ? (pid_t)tgid : pid;
}

/* The entry of pid, made if missing (tgid found in /proc). NULL: no memory. */
static struct task *entry(pid_t pid)
{
	struct task *e = lookup(pid);
	if (e)
		return e;
	if (T.nfree) {
		uint32_t i = T.free[T.nfree - 1];
		if (zcl_htab_put(&T.by_pid, (uint64_t)pid, 0, i) < 0)
			return NULL;
		T.nfree--;
		e = &T.t[i];
		*e = (struct task){.pid = pid, .tgid = read_tgid(pid), .iofd = -1};
		return e;
	}
	if (T.n == T.cap && ZCL_GROW(T.t, T.cap, 64) < 0)
		return NULL;
	if (zcl_htab_put(&T.by_pid, (uint64_t)pid, 0, (uint32_t)T.n) < 0)
		return NULL;
	e = &T.t[T.n++];
	*e = (struct task){.pid = pid, .tgid = read_tgid(pid), .iofd = -1};
	return e;
}

pid_t zcl_task_tgid(pid_t pid)
{
	struct task *e = entry(pid);
	return e ? e->tgid : read_tgid(pid);
}

bool zcl_task_known(pid_t pid)
{
	return pid > 0 && lookup(pid) != NULL;
}

static void close_io(struct task *e)
{
	if (e->iofd >= 0) {
		close(e->iofd);
		e->iofd = -1;
		T.open--;
	}
}

void zcl_task_forget(pid_t pid)
{
	struct task *e = lookup(pid);
	if (!e)
		return;
	close_io(e);
	/* the key goes, so the next sight starts afresh; the slot is reused */
	uint32_t i = (uint32_t)(e - T.t);
	zcl_htab_del(&T.by_pid, (uint64_t)pid, 0);
	e->pid = 0;
	if (T.nfree == T.capfree && ZCL_GROW(T.free, T.capfree, 64) < 0)
		return; /* the slot is lost, nothing else */
	T.free[T.nfree++] = i;
}

/* Over budget: close the io files sampled longest ago (half of them). */
static void shed(void)
{
	uint64_t oldest = T.clock - T.open / 2;
	for (size_t i = 0; i < T.n; i++)
		if (T.t[i].iofd >= 0 && T.t[i].used < oldest)
			close_io(&T.t[i]);
}

struct zcl_taskio *zcl_taskio_of(pid_t tgid, pid_t tid)
{
	struct task *e = entry(tid);
	if (!e)
		return NULL;
	if (e->iofd < 0) {
		char path[80];
		snprintf(path, sizeof path, "/proc/%d/task/%d/io", (int)tgid, (int)tid);
		e->iofd = open(path, O_RDONLY | O_CLOEXEC);
		if (e->iofd < 0)
			return NULL;
		if (++T.open > IO_FD_BUDGET)
			shed();
	}
	e->used = ++T.clock;
	e->io.tid = tid;
	return &e->io;
}

int zcl_taskio_sample(const struct zcl_taskio *t, struct zcl_taskio *now)
{
	struct task *e = t ? lookup(t->tid) : NULL;
	if (!e || e->iofd < 0)
		return -1;
	char buf[512];
	ssize_t n = pread(e->iofd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	const char *rc = strstr(buf, "rchar: "), *wc = strstr(buf, "\nwchar: ");
	const char *rb = strstr(buf, "\nread_bytes: ");
	if (!rc || !wc || !rb)
		return -1;
	*now = *t;
	now->rchar = strtoull(rc + 7, NULL, 10);
	now->wchar = strtoull(wc + 8, NULL, 10);
	now->read_bytes = strtoull(rb + 13, NULL, 10);
	now->have = true;
	return 0;
}

void zcl_taskio_forget(pid_t tid)
{
	struct task *e = lookup(tid);
	if (e) {
		close_io(e);
		e->io.have = false;
	}
}

void zcl_taskio_stale(pid_t tid)
{
	struct task *e = lookup(tid);
	if (e)
		e->io.have = false;
}

void zcl_task_exec_put(pid_t tgid, const struct zcl_procio *io)
{
	struct task *e = entry(tgid);
	if (e) {
		e->pre = *io;
		e->pre_valid = io->valid;
	}
}

bool zcl_task_exec_take(pid_t tgid, struct zcl_procio *io)
{
	struct task *e = lookup(tgid);
	if (!e || !e->pre_valid)
		return false;
	e->pre_valid = false;
	*io = e->pre;
	return true;
}

bool zcl_cork_get(ino_t ino)
{
	uint32_t on = 0;
	return zcl_htab_get(&T.cork, (uint64_t)ino, 0, &on) && on;
}

void zcl_cork_set(ino_t ino, bool on)
{
	zcl_htab_put(&T.cork, (uint64_t)ino, 0, on); /* no memory: the cork goes unseen */
}

void zcl_tasks_reset(void)
{
	for (size_t i = 0; i < T.n; i++)
		if (T.t[i].iofd >= 0)
			close(T.t[i].iofd);
	free(T.t);
	free(T.free);
	zcl_htab_free(&T.by_pid);
	zcl_htab_free(&T.cork);
	memset(&T, 0, sizeof T);
}
