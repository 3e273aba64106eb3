/*
 * pcwatch.c - watched files: (device, inode) -> the lab's descriptor and
 * the residency last measured.
 *
 * Measuring residency needs a descriptor of the lab's own (cachestat and
 * mincore work on one). A program may touch more files than the lab may
 * keep open, so descriptors are a budget, not a limit: past it, the half
 * used longest ago is closed (amortised O(1)) and the entry stays, with its
 * last residency. The next call that touches the file reopens it through
 * /proc/PID/fd/N of the program's descriptor (checked to be the same
 * inode), and the fill since then still adds up. Files mapped into memory
 * are pinned open: a write from a mapping names no descriptor.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "grow.h"
#include "htab.h"
#include "pagecache.h"
#include "pcwatch.h"

struct watch {
	dev_t dev;
	ino_t ino;
	int fd;          /* the lab's descriptor, -1 while closed */
	pid_t pid;       /* the program's descriptor it was last seen through */
	long pfd;
	int64_t last;    /* residency at the last measurement, bytes */
	uint64_t used;   /* clock of the last use, for closing the oldest */
	unsigned pins;   /* mappings of it */
	struct statx_timestamp born; /* birth (or change) time: tells a reused inode number */
};

static struct {
	struct watch *w;
	size_t n, cap;
	struct zcl_htab by_id;
	uint64_t clock, open, budget;
	struct zcl_pcw_stats st;
} W;

/* A quarter of our descriptor limit, at least 16: the rest is for the
 * lab's other work (per-thread counters, the program's own stdio). */
static uint64_t budget(void)
{
	struct rlimit rl;
	uint64_t b = 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		b = rl.rlim_cur / 4;
	return b < 16 ? 16 : b;
}

/* Open pid's fd as our own; -1 unless it is still the file (dev, ino).
 * *born gets its birth time (its change time where the filesystem keeps
 * none): while the lab holds a file open its inode number cannot be given
 * to another file, but once closed it can (tar, temporary files). */
static int open_through(pid_t pid, long fd, dev_t dev, ino_t ino, struct statx_timestamp *born)
{
	char path[64];
	struct statx sx;
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pid, fd);
	int lfd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (lfd < 0)
		lfd = open(path, O_RDONLY | O_CLOEXEC);
	if (lfd >= 0 && (statx(lfd, "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME | STATX_CTIME, &sx) < 0 ||
			 makedev(sx.stx_dev_major, sx.stx_dev_minor) != dev || sx.stx_ino != ino)) {
		close(lfd);
		lfd = -1;
	}
	if (lfd >= 0)
		*born = sx.stx_mask & STATX_BTIME ? sx.stx_btime : sx.stx_ctime;
	return lfd;
}

static bool same_time(struct statx_timestamp a, struct statx_timestamp b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int cmp_used(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* Over budget: close the unpinned half used longest ago. */
static void shed(void)
{
	uint64_t *ages = malloc(W.open * sizeof *ages);
	size_t k = 0;
	for (size_t i = 0; ages && i < W.n; i++)
		if (W.w[i].fd >= 0 && !W.w[i].pins)
			ages[k++] = W.w[i].used;
	if (k == 0) {
		free(ages);
		return;
	}
	qsort(ages, k, sizeof *ages, cmp_used);
	uint64_t cut = ages[k / 2];
	free(ages);
	for (size_t i = 0; i < W.n; i++)
		if (W.w[i].fd >= 0 && !W.w[i].pins && W.w[i].used <= cut) {
			close(W.w[i].fd);
			W.w[i].fd = -1;
			W.open--;
		}
}

static int track_open(struct watch *e, int lfd)
{
	e->fd = lfd;
	W.open++;
	if (W.open > W.budget)
		shed();
	return 0;
}

static int add(pid_t pid, long fd, dev_t dev, ino_t ino)
{
	struct statx_timestamp born;
	int lfd = open_through(pid, fd, dev, ino, &born);
	if (lfd < 0) {
		W.st.unwatched++;
		return -1;
	}
	if (W.n == W.cap && ZCL_GROW(W.w, W.cap, 64) < 0)
		goto fail;
	if (zcl_htab_put(&W.by_id, (uint64_t)dev, (uint64_t)ino, (uint32_t)W.n) < 0)
		goto fail;
	int64_t r = zcl_pc_resident(lfd);
	struct watch *e = &W.w[W.n];
	*e = (struct watch){dev, ino, -1, pid, fd, r < 0 ? 0 : r, ++W.clock, 0, born};
	W.st.files++;
	track_open(e, lfd);
	return (int)W.n++;
fail:
	close(lfd);
	W.st.unwatched++;
	return -1;
}

int zcl_pcw_fd(pid_t pid, long fd, dev_t dev, ino_t ino)
{
	uint32_t id;
	if (!W.budget)
		W.budget = budget();
	if (!zcl_htab_get(&W.by_id, (uint64_t)dev, (uint64_t)ino, &id))
		return add(pid, fd, dev, ino);
	struct watch *e = &W.w[id];
	e->pid = pid;
	e->pfd = fd;
	e->used = ++W.clock;
	if (e->fd < 0) {
		struct statx_timestamp born;
		int lfd = open_through(pid, fd, dev, ino, &born);
		if (lfd >= 0) {
			W.st.reopened++;
			if (!same_time(born, e->born)) { /* another file got the number: start afresh */
				int64_t r = zcl_pc_resident(lfd);
				e->last = r < 0 ? 0 : r;
				e->born = born;
			}
			track_open(e, lfd);
		}
	}
	return (int)id;
}

uint64_t zcl_pcw_fill(int id)
{
	if (id < 0 || (size_t)id >= W.n)
		return 0;
	struct watch *e = &W.w[id];
	if (e->fd < 0) {
		struct statx_timestamp born;
		int lfd = open_through(e->pid, e->pfd, e->dev, e->ino, &born);
		if (lfd >= 0 && !same_time(born, e->born)) { /* not the file we measured */
			close(lfd);
			lfd = -1;
		}
		if (lfd < 0) {
			W.st.unmeasured++;
			return 0;
		}
		W.st.reopened++;
		e->used = ++W.clock;
		track_open(e, lfd);
		if (e->fd < 0) /* shed at once: nothing else is unpinned */
			return 0;
	}
	int64_t now = zcl_pc_resident(e->fd);
	if (now < 0)
		return 0;
	int64_t d = now - e->last;
	e->last = now;
	return d > 0 ? (uint64_t)d : 0;
}

void zcl_pcw_pin(int id)
{
	if (id >= 0 && (size_t)id < W.n)
		W.w[id].pins++;
}

void zcl_pcw_unpin(int id)
{
	if (id >= 0 && (size_t)id < W.n && W.w[id].pins)
		W.w[id].pins--;
}

struct zcl_pcw_stats zcl_pcw_stats(void)
{
	struct zcl_pcw_stats s = W.st;
	s.open_fds = W.open;
	s.fd_budget = W.budget ? W.budget : budget();
	return s;
}

void zcl_pcw_reset(void)
{
	for (size_t i = 0; i < W.n; i++)
		if (W.w[i].fd >= 0)
			close(W.w[i].fd);
	free(W.w);
	zcl_htab_free(&W.by_id);
	memset(&W, 0, sizeof W);
}
