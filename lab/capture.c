/*
 * capture.c - drain the program's output pipe in a thread, keep the tail.
 *
 * The reader polls with a short timeout so it can be told to stop even if
 * a writer somehow survived; it never blocks the run (the pipe never fills).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "capture.h"

static void *drain(void *arg)
{
	struct zcl_capture *c = arg;
	char buf[4096];
	while (!c->stop) {
		struct pollfd p = {c->rd, POLLIN, 0};
		int k = poll(&p, 1, 50);
		if (k <= 0)
			continue;
		ssize_t n = read(c->rd, buf, sizeof buf);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* end of file: every writer is gone */
		for (ssize_t i = 0; i < n; i++)
			c->ring[(c->total + (uint64_t)i) % ZCL_CAPTURE_TAIL] = buf[i];
		c->total += (uint64_t)n;
	}
	return NULL;
}

int zcl_capture_start(struct zcl_capture *c, int *wr)
{
	int p[2];
	memset(c, 0, sizeof *c);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	c->rd = p[0];
	int err = pthread_create(&c->thread, NULL, drain, c);
	if (err) {
		close(p[0]);
		close(p[1]);
		errno = err;
		return -1;
	}
	*wr = p[1];
	return 0;
}

void zcl_capture_finish(struct zcl_capture *c, double grace_s, char *out, size_t cap)
{
	if (!zcl_join_within(c->thread, grace_s)) {
		c->stop = true;
		pthread_join(c->thread, NULL);
	}
	close(c->rd);
	uint64_t keep = c->total < ZCL_CAPTURE_TAIL ? c->total : ZCL_CAPTURE_TAIL;
	if (keep > cap - 1)
		keep = cap - 1;
	for (uint64_t i = 0; i < keep; i++)
		out[i] = c->ring[(c->total - keep + i) % ZCL_CAPTURE_TAIL];
	out[keep] = 0;
	/* a NUL the program printed would cut the text short: show it as a space */
	for (uint64_t i = 0; i < keep; i++)
		if (!out[i])
			out[i] = ' ';
}
