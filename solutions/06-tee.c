/*
 * 06-tee.c - reference solution for stage 6: one live stream to two clients.
 *
 * The input is a pipe the lab writes into as it goes (a live stream: no
 * file, no page cache, nothing to read twice). tee(2) duplicates the pages
 * at the head of one pipe into another pipe without consuming them and
 * without copying them: both pipes then hold references to the same pages.
 * splice(2) sends each pipe to its socket, handing the references on. With
 * a scatter-gather NIC the CPU copies nothing at all; the naive way (read
 * once, write twice) copies every byte three times.
 *
 * Sources: tee(2), splice(2), pipe(7); fs/splice.c (link_pipe, the tee
 * worker: it takes a reference to each buffer, copies no data).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "zcl.h"

/* Move exactly n bytes from pipe `from` to socket `to`. 0 or -1. */
static int drain(int from, int to, size_t n)
{
	while (n > 0) {
		ssize_t sent = splice(from, NULL, to, NULL, n, SPLICE_F_MOVE | SPLICE_F_MORE);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0)
			return -1;
		if (sent == 0) {	/* cannot happen: the bytes are in the pipe */
			errno = EIO;
			return -1;
		}
		n -= (size_t)sent;
	}
	return 0;
}

/*
 * Send the `size` bytes of in_pipe to sock_a and to sock_b. Returns 0, or
 * -1 with errno set (EIO if the stream ends early).
 */
int broadcast(int in_pipe, int sock_a, int sock_b, size_t size)
{
	int dup_pipe[2];
	if (pipe2(dup_pipe, O_CLOEXEC) < 0)
		return -1;
	int rc = 0;
	size_t left = size;
	while (left > 0) {
		/* duplicate what is at the head of the stream (at most what
		 * the second pipe can hold), without consuming it */
		ssize_t teed = tee(in_pipe, dup_pipe[1], left, 0);
		if (teed < 0 && errno == EINTR)
			continue;
		if (teed <= 0) {
			if (teed == 0)
				errno = EIO;	/* the writer closed before size bytes */
			rc = -1;
			break;
		}
		/* the original to A (this consumes it), the duplicate to B */
		if (drain(in_pipe, sock_a, (size_t)teed) < 0 || drain(dup_pipe[0], sock_b, (size_t)teed) < 0) {
			rc = -1;
			break;
		}
		left -= (size_t)teed;
	}
	int saved = errno;
	close(dup_pipe[0]);
	close(dup_pipe[1]);
	errno = saved;
	return rc;
}
