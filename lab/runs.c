/*
 * runs.c - check a thread's deferred reads and writes in runs, with one
 * reading of its I/O counters per run instead of one per call.
 *
 * A thread's rchar (wchar) grows only by the bytes its own read-type
 * (write-type) calls return (fs/read_write.c: vfs_read, vfs_write, the
 * readv/writev family, sendfile, copy_file_range, and __kernel_read/write,
 * which exec uses; proc(5) /proc/PID/io), and no call moves more than it
 * asked. So if a run of reads moved exactly the sum of their counts, each
 * returned its whole count: proven, not guessed. If it moved nothing, each
 * returned 0 (a write asked for bytes: it failed). A lone read or write of
 * its direction in the run gets the change itself, as a run of one would.
 * A short run of reads of one regular file, the usual end of a read loop,
 * is settled by the file: reads of a regular file stop short only at its
 * end, so if the descriptor now stands at the end (/proc/PID/fdinfo, the
 * file's size), the reads were full up to it, one partial, then zeros
 * (the file did not change size meanwhile, and no read failed: deferral.c
 * defers only calls where no failure is expected).
 * Otherwise the per-call split is unknown: the calls are marked ambiguous
 * ("=~ ?"), given the split that fills them in order (so every sum, and so
 * every total, stays exact), and the run's last one says what they moved
 * between them.
 *
 * A read from a pipe, socket, terminal or /proc file may stop short at any
 * time, so it never shares a run with another read: it is always the lone
 * read of its run, and exact. The reads of a run use one descriptor, and
 * so do its writes: a failed write, typically followed by a message on
 * another descriptor, is then the lone write of its run.
 *
 * Runs adapt per thread: length 1 (a reading per call), doubled after every
 * run that came out full, up to RUN_MAX, and back to 1 after a short run or
 * one that read the disk (whose page-cache fills are then measured per call
 * again). The collector closes a run before any call that is not deferred,
 * at the thread's exit, and at the end of the trace (collect.c).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdclass.h"
#include "grow.h"
#include "htab.h"
#include "params.h"
#include "runs.h"


/* One held call: its record, and the bytes it asked to move. */
struct held {
	struct zcl_sysrec rec;
	uint64_t asked;      /* its count, clamped as the kernel clamps it */
	bool counted;        /* the count is one argument (not an iovec array) */
	unsigned char dir;   /* 1: read (rchar), 2: write (wchar) */
};

struct run {
	pid_t tid;
	unsigned target;     /* calls this run may hold: 1, 2, 4 ... RUN_MAX */
	struct held *q;      /* the held calls, in order */
	size_t n, cap;
};

static struct {
	struct run *r;       /* one per thread seen and not forgotten (zcl_run_forget) */
	size_t n, cap;
	size_t pending;      /* runs holding calls (n > 0) */
	struct zcl_htab by_tid;
} R;

/* The most one read or write moves: MAX_RW_COUNT, INT_MAX rounded down to
 * a page (include/linux/fs.h; fs/read_write.c clamps the count to it). */
static uint64_t max_rw(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	return (uint64_t)INT_MAX & ~(uint64_t)((pg > 0 ? pg : 4096) - 1);
}

static struct run *find(pid_t tid)
{
	uint32_t i;
	return zcl_htab_get(&R.by_tid, (uint64_t)tid, 0, &i) ? &R.r[i] : NULL;
}

/* tid's run, made if missing. NULL: no memory. */
static struct run *run_of(pid_t tid)
{
	struct run *u = find(tid);
	if (u)
		return u;
	if (R.n == R.cap && ZCL_GROW(R.r, R.cap, 16) < 0)
		return NULL;
	if (zcl_htab_put(&R.by_tid, (uint64_t)tid, 0, (uint32_t)R.n) < 0)
		return NULL;
	u = &R.r[R.n++];
	*u = (struct run){.tid = tid, .target = 1};
	return u;
}

/* Do reads of this class return their whole count until the end of the
 * data (a regular file, /dev/zero, /dev/null)? A pipe, socket, terminal
 * or /proc file may return less at any time. */
static bool reads_full(enum zcl_fdclass c)
{
	return c == ZC_FILE || c == ZC_TMPFS || c == ZC_ZERO || c == ZC_NULL;
}

/* May r not share u's run with the run's calls of its direction? Each
 * direction of a run uses one descriptor (a failed write is typically
 * followed by a message on another one: the failure is then checked alone),
 * and a read that may stop short anywhere is checked alone of its
 * direction (exact). */
static bool clash(const struct run *u, const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	unsigned char dir = rule->io & 2 ? 2 : 1;
	for (size_t i = 0; i < u->n; i++) {
		const struct held *h = &u->q[i];
		if (h->dir != dir)
			continue;
		if (h->rec.args[0] != r->args[0]) /* read/write families: the descriptor is argument 0 */
			return true;
		if (dir == 1 && (!reads_full(r->in.cls) || !reads_full(h->rec.in.cls)))
			return true;
	}
	return false;
}

enum zcl_run_admit zcl_run_admit(const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	struct run *u = run_of(r->pid);
	if (!u)
		return ZCL_RUN_NOMEM;
	if (u->n > 0 && (u->n >= u->target || rule->count < 0 || !u->q[0].counted || clash(u, r, rule)))
		return ZCL_RUN_CLOSE; /* full, or a call that must be checked alone */
	if (u->n == u->cap && ZCL_GROW(u->q, u->cap, 4) < 0)
		return ZCL_RUN_NOMEM;
	return ZCL_RUN_JOIN;
}

void zcl_run_hold(const struct zcl_sysrec *r)
{
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	struct run *u = find(r->pid);
	if (!u || u->n == u->cap || !rule) /* impossible after ZCL_RUN_JOIN */
		abort();
	R.pending += u->n == 0;
	struct held *h = &u->q[u->n++];
	h->rec = *r;
	h->counted = rule->count >= 0;
	h->asked = h->counted ? r->args[rule->count] : 0;
	if (h->asked > max_rw())
		h->asked = max_rw();
	h->dir = rule->io & 2 ? 2 : 1;
}

bool zcl_run_pending(pid_t tid)
{
	struct run *u = find(tid);
	return u && u->n > 0;
}

pid_t zcl_run_any(void)
{
	if (R.pending == 0)
		return 0;
	for (size_t i = 0; i < R.n; i++)
		if (R.r[i].n > 0)
			return R.r[i].tid;
	return 0;
}

/* The run's split of `moved` bytes over its calls of direction dir that
 * asked for any (nz of them, asked in all): each filled in order, the last
 * taking any surplus; all marked ambiguous, the last carrying the note. */
static void split(struct run *u, unsigned char dir, uint64_t moved, size_t nz, uint64_t asked)
{
	uint64_t left = moved;
	size_t seen = 0;
	for (size_t i = 0; i < u->n; i++) {
		struct held *h = &u->q[i];
		if (h->dir != dir || h->asked == 0)
			continue;
		uint64_t got = ++seen == nz ? left : h->asked < left ? h->asked : left;
		left -= got;
		h->rec.ret = (int64_t)got;
		h->rec.ret_ambiguous = true;
		if (seen == nz) {
			h->rec.run_calls = (uint32_t)nz;
			h->rec.run_moved = moved;
			h->rec.run_asked = asked;
		}
	}
}

/* Descriptor fd of thread tid (its own table, if it has one): its offset and its file's size, when it
 * is a regular file (proc(5) /proc/PID/fdinfo "pos:"). 0 or -1. */
static int file_at(pid_t tid, long fd, uint64_t *pos, uint64_t *size)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)tid, fd);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	int64_t at = zcl_fd_pos(tid, fd);
	if (at < 0)
		return -1;
	*pos = (uint64_t)at;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* A short run of reads that all read() (or all pread64()) one regular
 * file through one descriptor: the split the file's size gives, if it
 * accounts for every byte moved. true: each call's ret set. */
static bool settle_by_size(struct run *u, uint64_t moved)
{
	const struct zcl_sysrec *a = NULL;
	for (size_t i = 0; i < u->n; i++) {
		const struct zcl_sysrec *r = &u->q[i].rec;
		if (u->q[i].dir != 1)
			continue;
		if ((r->nr != SYS_read && r->nr != SYS_pread64) || (r->in.cls != ZC_FILE && r->in.cls != ZC_TMPFS) ||
		    (a && (r->nr != a->nr || r->args[0] != a->args[0])))
			return false;
		a = a ? a : r;
	}
	uint64_t pos, size, sum = 0, got[RUN_MAX];
	if (!a || file_at(a->pid, (long)(int)a->args[0], &pos, &size) < 0 || (a->nr == SYS_read && pos < moved))
		return false;
	uint64_t p = pos - moved; /* read(): where the run began (pread64 names its offsets) */
	for (size_t i = 0; i < u->n && i < RUN_MAX; i++) {
		const struct held *h = &u->q[i];
		uint64_t at = a->nr == SYS_pread64 ? h->rec.args[3] : p;
		got[i] = h->dir != 1 || at >= size ? 0 : size - at < h->asked ? size - at : h->asked;
		p += got[i];
		sum += got[i];
	}
	if (sum != moved || u->n > RUN_MAX)
		return false; /* the file does not account for the bytes */
	for (size_t i = 0; i < u->n; i++)
		if (u->q[i].dir == 1)
			u->q[i].rec.ret = (int64_t)got[i];
	return true;
}

/* Results of the run's calls of direction dir. true: none came out short
 * (so the run may grow). */
static bool settle(struct run *u, unsigned char dir, const struct zcl_taskio *before,
		   const struct zcl_taskio *after)
{
	size_t k = 0, nz = 0;
	uint64_t asked = 0;
	for (size_t i = 0; i < u->n; i++)
		if (u->q[i].dir == dir) {
			k++;
			nz += u->q[i].asked > 0;
			asked += u->q[i].asked;
		}
	if (k == 0)
		return true;
	uint64_t moved = after ? (dir == 2 ? after->wchar - before->wchar : after->rchar - before->rchar) : 0;
	bool full = after && moved == asked;
	bool alone = k == 1 || moved == 0 || full || nz <= 1;
	for (size_t i = 0; i < u->n; i++) {
		struct held *h = &u->q[i];
		if (h->dir != dir)
			continue;
		if (!after) {
			h->rec.ret_unknown = true;
			continue;
		}
		/* a lone call (of those that asked for bytes) gets the change;
		 * a full run: each its count; a run that moved nothing: 0 each */
		h->rec.ret = (int64_t)(k == 1 || (nz == 1 && h->asked > 0) ? moved : full ? h->asked : 0);
		/* a write asked to move bytes and moved none: it failed (write(2)
		 * never returns 0 for a count > 0); which error, only an exit stop says */
		if (alone && dir == 2 && h->counted && h->asked > 0 && h->rec.ret == 0)
			h->rec.err_unnamed = true;
	}
	if (after && !alone && !(dir == 1 && settle_by_size(u, moved)))
		split(u, dir, moved, nz, asked);
	return full || (after && k == 1 && !u->q[0].counted && moved > 0);
}

/* Is held call i the run's last on its watched file? */
static bool last_on_file(const struct run *u, size_t i)
{
	int w = u->q[i].rec.watch;
	if (w < 0)
		return false;
	for (size_t j = i + 1; j < u->n; j++)
		if (u->q[j].rec.watch == w)
			return false;
	return true;
}

void zcl_run_close(pid_t tid, const struct zcl_taskio *before, const struct zcl_taskio *after,
		   zcl_run_emit_fn emit)
{
	struct run *u = find(tid);
	if (!u || u->n == 0)
		return;
	if (!before)
		after = NULL; /* no start: no change to read */
	bool full = settle(u, 1, before, after);
	full = settle(u, 2, before, after) && full;
	bool disk = after && after->read_bytes != before->read_bytes;
	u->target = full && !disk ? (u->target * 2 > RUN_MAX ? RUN_MAX : u->target * 2) : 1;
	size_t n = u->n;
	for (size_t i = 0; i < n; i++)
		emit(&u->q[i].rec, disk && last_on_file(u, i));
	R.pending -= u->n > 0;
	u->n = 0;
}

void zcl_run_forget(pid_t tid)
{
	struct run *u = find(tid);
	if (!u || u->n > 0) /* (a pending run is closed first: collect.c) */
		return;
	/* gone from the table: a program that makes and ends threads by the
	 * thousand leaves no trace of them here (the last run takes its slot) */
	size_t i = (size_t)(u - R.r), last = R.n - 1;
	free(u->q);
	zcl_htab_del(&R.by_tid, (uint64_t)tid, 0);
	if (i != last) {
		R.r[i] = R.r[last];
		zcl_htab_put(&R.by_tid, (uint64_t)R.r[i].tid, 0, (uint32_t)i); /* its entry, replaced */
	}
	R.n--;
}

size_t zcl_runs_threads(void)
{
	return R.n;
}

void zcl_runs_reset(void)
{
	for (size_t i = 0; i < R.n; i++)
		free(R.r[i].q);
	free(R.r);
	zcl_htab_free(&R.by_tid);
	memset(&R, 0, sizeof R);
}
