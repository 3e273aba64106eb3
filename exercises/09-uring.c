/*
 * 09-uring.c - stage 9: fewer mode switches - batch the work with io_uring.
 *
 * Stage 5 moved the file to the socket with no CPU copy, splicing file ->
 * pipe -> socket, but every chunk cost two syscalls: four mode switches.
 * io_uring keeps the splices and drops the syscalls: you write submission
 * queue entries (SQEs) into a ring shared with the kernel, submit many at
 * once with one io_uring_enter(), and read the results (CQEs) from a
 * second ring. liburing wraps the rings: io_uring_queue_init,
 * io_uring_get_sqe, io_uring_prep_splice, io_uring_submit_and_wait,
 * io_uring_wait_cqe, io_uring_cqe_seen, io_uring_queue_exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Send bytes [0, size) of file_fd (open read-only, offset 0) to the
 * connected socket sock_fd through io_uring, many operations per
 * io_uring_enter(). Return 0 once all bytes were sent, or -1 with errno
 * set. Do not read() the file. Release your ring and pipe; do not close
 * the other two. No IORING_SETUP_SQPOLL (the lab refuses it).
 *
 * Watch out:
 *   - IOSQE_IO_LINK chains SQEs: each starts when the one before finished;
 *     without it they may run in any order (and a pipe holds 64 KiB);
 *   - a short result breaks the chain: the rest complete with -ECANCELED;
 *     carry on from what really moved;
 *   - CQEs carry your user_data, not the SQE: say which op it was;
 *   - io_uring_submit*() may return -EINTR with nothing submitted: the
 *     SQEs are still in the ring, submit again.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	/* TODO: a pipe (pipe2) and a ring (io_uring_queue_init(32, &ring, 0)). */

	/* TODO: per batch: for each 64 KiB chunk queue two linked splices,
	 *       file -> pipe (at its offset) and pipe -> socket;
	 *       io_uring_submit_and_wait(&ring, n); then take the n CQEs. */

	(void)file_fd;
	(void)sock_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: io_uring_queue_exit, close the pipe; return 0 */
}
