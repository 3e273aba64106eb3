/*
 * 09-uring.c - reference solution for stage 9: file -> socket through
 * io_uring, many operations per io_uring_enter().
 *
 * Stage 5 moved the bytes with no CPU copy (splice file -> pipe -> socket)
 * but paid two syscalls, four mode switches, per chunk. io_uring keeps the
 * same splices and removes the syscalls: the program writes submission
 * queue entries (SQEs) into a ring it shares with the kernel and submits a
 * whole batch with one io_uring_enter(); the results come back as
 * completion queue entries (CQEs) in a second ring. Here one batch is a
 * chain of linked IORING_OP_SPLICE pairs (file -> pipe, pipe -> socket):
 * IOSQE_IO_LINK makes each one start when the one before it finished, so
 * the pipe never holds more than one chunk. A short splice ends the chain
 * (the rest complete with -ECANCELED); the next batch carries on from what
 * really moved. No SQPOLL: the lab must see every submission.
 *
 * Sources: io_uring_enter(2), io_uring_prep_splice(3), liburing;
 * io_uring/splice.c (a short splice fails the link).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <unistd.h>

#include "zcl.h"

#define CHUNK (64 * 1024) /* what a default pipe holds (F_GETPIPE_SZ) */
#define PAIRS 16          /* splice pairs per io_uring_enter: 1 MiB */

struct job {
	int file, sock, pr, pw;
	uint64_t off;      /* file bytes moved into the pipe */
	uint64_t in_pipe;  /* ... and not yet out of it */
	uint64_t size;
};

/* Queue one splice; user_data says which way (1 in, 2 out). */
static void queue(struct io_uring *ring, int in, int64_t off_in, int out, unsigned n, uint64_t way)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	io_uring_prep_splice(sqe, in, off_in, out, -1, n, SPLICE_F_MOVE);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = way;
}

/* Queue a batch: what is still in the pipe, then up to PAIRS pairs. How many SQEs. */
static unsigned batch(struct io_uring *ring, const struct job *j)
{
	unsigned k = 0;
	if (j->in_pipe)
		queue(ring, j->pr, -1, j->sock, (unsigned)j->in_pipe, 2), k++;
	for (uint64_t off = j->off; off < j->size && k + 2 <= 2 * PAIRS; off += CHUNK) {
		unsigned n = j->size - off < CHUNK ? (unsigned)(j->size - off) : CHUNK;
		queue(ring, j->file, (int64_t)off, j->pw, n, 1);
		queue(ring, j->pr, -1, j->sock, n, 2);
		k += 2;
	}
	return k;
}

/* Submit a batch with one io_uring_enter and take its k CQEs. 0, or -1 with errno. */
static int run(struct io_uring *ring, struct job *j, unsigned k)
{
	int e;
	do /* EINTR: a signal came before anything was submitted; the SQEs wait in the ring */
		e = io_uring_submit_and_wait(ring, k);
	while (e == -EINTR);
	if (e < 0) {
		errno = -e;
		return -1;
	}
	for (unsigned got = 0; got < k; got++) {
		struct io_uring_cqe *c;
		if ((e = io_uring_wait_cqe(ring, &c)) < 0) {
			errno = -e;
			return -1;
		}
		int res = c->res;
		uint64_t way = c->user_data;
		io_uring_cqe_seen(ring, c);
		if (res == -ECANCELED || res == -EINTR || res == -EAGAIN)
			continue; /* a link before it was short: the next batch retries */
		if (res < 0 || (res == 0 && way == 1)) {
			errno = res < 0 ? -res : EIO; /* 0 from the file: it ended early */
			return -1;
		}
		if (way == 1)
			j->off += (uint64_t)res, j->in_pipe += (uint64_t)res;
		else
			j->in_pipe -= (uint64_t)res;
	}
	return 0;
}

/*
 * Send bytes [0, size) of file_fd to sock_fd with linked splices through
 * io_uring. Returns 0, or -1 with errno set. The ring and the pipe are
 * ours: released on every path.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -1;
	struct io_uring uq;
	int e = io_uring_queue_init(2 * PAIRS + 1, &uq, 0);
	if (e < 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		errno = -e;
		return -1;
	}
	struct job j = {file_fd, sock_fd, pipe_fds[0], pipe_fds[1], 0, 0, size};
	int rc = 0;
	while (rc == 0 && (j.off < j.size || j.in_pipe))
		rc = run(&uq, &j, batch(&uq, &j));
	int saved = errno;
	io_uring_queue_exit(&uq);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	errno = saved;
	return rc;
}
