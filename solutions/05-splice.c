/*
 * 05-splice.c - reference solution for stage 5: splice() through a pipe.
 *
 * sendfile() is built on splice: inside the kernel it keeps a pipe per task
 * and splices file -> pipe -> socket. Here we do the same by hand. A pipe
 * is a ring of page references (struct pipe_buffer), so splicing a file
 * into it only takes references to page-cache pages; splicing the pipe
 * into a socket hands those references on. With a scatter-gather NIC the
 * CPU copies nothing; the price is two syscalls per chunk where sendfile
 * needs one, so twice the mode switches.
 *
 * Sources: splice(2); sendfile(2) ("sendfile() ... is implemented using
 * splice"), fs/splice.c (splice_direct_to_actor).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include "zcl.h"

/* Move exactly n bytes that sit in the pipe out to the socket. 0, or -1
 * with errno set. A socket may take fewer bytes than offered: loop. */
static int drain(int pipe_rd, int sock_fd, size_t n)
{
	while (n > 0) {
		ssize_t k = splice(pipe_rd, NULL, sock_fd, NULL, n, SPLICE_F_MOVE | SPLICE_F_MORE);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0) {		/* the pipe cannot be empty here */
			errno = EIO;
			return -1;
		}
		n -= (size_t)k;
	}
	return 0;
}

/*
 * Send bytes [0, size) of file_fd to sock_fd: splice file -> pipe (page
 * references in), then pipe -> socket (references out). Returns 0, or -1
 * with errno set (EIO if the file ends early). The pipe is ours: closed
 * on every path.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	loff_t off = 0;
	size_t left = size;
	int rc = 0;
	while (left > 0) {
		/* at most what the pipe holds (64 KiB by default, F_GETPIPE_SZ) */
		ssize_t in = splice(file_fd, &off, pfd[1], NULL, left, SPLICE_F_MOVE | SPLICE_F_MORE);
		if (in < 0 && errno == EINTR)
			continue;
		if (in <= 0) {
			if (in == 0)
				errno = EIO;	/* EOF early: the file shrank */
			rc = -1;
			break;
		}
		if (drain(pfd[0], sock_fd, (size_t)in) < 0) {
			rc = -1;
			break;
		}
		left -= (size_t)in;
	}
	int saved = errno;
	close(pfd[0]);
	close(pfd[1]);
	errno = saved;
	return rc;
}
