/*
 * receiver.c - read the stage's output and check it byte by byte.
 *
 * The receiver polls with a short timeout so it can be told to stop, reads
 * in 64 KiB gulps and compares each gulp with the same range of the expected
 * stream. It keeps only counts, so any size can be checked. An output file
 * (a stage that copies file -> file) is checked the same way once the
 * program has ended, streamed from its offset 0 to its end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "receiver.h"

#define GULP (1 << 16)

/* Compare the n bytes just read with the expected stream at r->received
 * (whole buffers with memcmp; the first wrong byte found only on a
 * difference), then count them. Bytes past the stream's end are counted,
 * never compared: the checker judges the length. */
static void check(struct zcl_receiver *r, const uint8_t *got, size_t n)
{
	const struct zcl_expect *e = r->expect;
	uint64_t total = e->header_len + e->size;
	size_t cmp = 0;
	if (r->first_mismatch < 0 && r->received < total)
		cmp = total - r->received < n ? (size_t)(total - r->received) : n;
	if (cmp) {
		uint8_t want[GULP];
		const uint8_t *w = want;
		if (e->data && e->fd <= 0 && r->received >= e->header_len)
			w = e->data + (r->received - e->header_len); /* in memory: compare in place */
		else
			zcl_expect_bytes(e, r->received, want, cmp);
		if (memcmp(got, w, cmp) != 0)
			for (size_t i = 0; i < cmp; i++)
				if (got[i] != w[i]) {
					r->first_mismatch = (int64_t)(r->received + i);
					break;
				}
	}
	/* the viz reads this while we run: one relaxed atomic store */
	__atomic_store_n(&r->received, r->received + n, __ATOMIC_RELAXED);
}

/* Acknowledge every segment at once: with delayed ACKs (up to 40 ms) a
 * sender with a 4 KiB send buffer waits on each. Linux clears TCP_QUICKACK
 * as it likes, so it is set again after every read (tcp(7)). Not TCP (a
 * pipe, a Unix socket): the call fails and nothing changes. */
static void quickack(int fd)
{
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

/*
 * Gulp buffers, kept for the process's life and handed out by the thread
 * that starts and finishes receivers (one per receiver at a time). Not a
 * thread-local array: glibc zeroes the whole TLS image for every new
 * thread, so each thread of the lab (capture, budget, feeder too) paid
 * for it in page faults, every run. MADV_DONTFORK: the run's fork does
 * not share them, so writing them faults nothing.
 */
static uint8_t *free_gulps; /* a free buffer's first bytes link to the next */

static uint8_t *gulp_get(void)
{
	uint8_t *b = free_gulps;
	if (b) {
		memcpy(&free_gulps, b, sizeof free_gulps);
		return b;
	}
	b = mmap(NULL, GULP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return NULL;
	madvise(b, GULP, MADV_DONTFORK);
	return b;
}

static void gulp_put(uint8_t *b)
{
	if (!b)
		return;
	memcpy(b, &free_gulps, sizeof free_gulps);
	free_gulps = b;
}

static void *loop(void *arg)
{
	struct zcl_receiver *r = arg;
	uint8_t *buf = r->buf;
	/* The tracer may pin the main thread to one CPU: this one may run anywhere. */
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof all, &all);
	quickack(r->fd);
	/* read first, poll only when nothing is there: while bytes flow, one
	 * system call a gulp instead of two (our end only: O_NONBLOCK is the
	 * open file's, the program's end keeps its own) */
	int fl = fcntl(r->fd, F_GETFL);
	bool nonblock = fl >= 0 && fcntl(r->fd, F_SETFL, fl | O_NONBLOCK) == 0;
	while (!r->stop) {
		struct pollfd p = {r->fd, POLLIN, 0};
		if (!nonblock && poll(&p, 1, 50) <= 0)
			continue; /* blocking: never read without data, or stop goes unseen */
		ssize_t n = read(r->fd, buf, GULP);
		if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, 50); /* then read again, or see stop */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->error = errno;
			break;
		}
		if (n == 0) {
			r->eof = true;
			break;
		}
		check(r, buf, (size_t)n);
		quickack(r->fd);
	}
	return NULL;
}

int zcl_receiver_start(struct zcl_receiver *r, int fd, const struct zcl_expect *e)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->expect = e;
	r->first_mismatch = -1;
	r->buf = gulp_get();
	if (!r->buf)
		return -1; /* errno from mmap */
	int err = pthread_create(&r->thread, NULL, loop, r);
	if (err) {
		gulp_put(r->buf);
		r->buf = NULL;
		errno = err;
		return -1;
	}
	return 0;
}

void zcl_receiver_finish(struct zcl_receiver *r, double grace_s)
{
	/* The loop ends by itself at EOF; give it grace_s to get there. */
	if (!zcl_join_within(r->thread, grace_s)) {
		r->stop = true;
		pthread_join(r->thread, NULL);
	}
	close(r->fd);
	gulp_put(r->buf);
	r->buf = NULL;
}

int zcl_receiver_check_file(struct zcl_receiver *r, int fd, const struct zcl_expect *e)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->expect = e;
	r->first_mismatch = -1;
	uint8_t *buf = gulp_get();
	if (!buf) {
		r->error = errno;
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	int rc = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, GULP, (off_t)r->received);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->error = errno;
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		check(r, buf, (size_t)n);
	}
	gulp_put(buf);
	r->eof = rc == 0;
	return rc;
}
