/*
 * 05-splice.c - stage 5: file -> pipe -> socket with splice().
 *
 * sendfile() hides how it works: inside the kernel it keeps a pipe and
 * splices file -> pipe -> socket. Here you do it by hand. A pipe is not a
 * byte buffer but a ring of page references, so:
 *   splice(file -> pipe)   takes references to page-cache pages (no copy);
 *   splice(pipe -> socket) hands those references to the socket buffer.
 * With a scatter-gather NIC the CPU copies nothing, as with sendfile();
 * but each chunk costs two syscalls, so twice sendfile's mode switches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Send bytes [0, size) of file_fd (open read-only, offset 0) to the
 * connected socket sock_fd through a pipe you create, using splice() in
 * both directions. Return 0 once all bytes were sent, or -1 with errno set.
 * Do not read() the file. Close your pipe; do not close the other two.
 *
 * Watch out:
 *   - a pipe holds 64 KiB by default (F_GETPIPE_SZ / F_SETPIPE_SZ): one
 *     splice into it moves at most that much;
 *   - the splice out to the socket may move less than is in the pipe:
 *     drain the pipe completely before filling it again;
 *   - SPLICE_F_MOVE is only a hint; EINTR means nothing moved: try again.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	/* TODO: int p[2]; pipe2(p, O_CLOEXEC). */

	/* TODO: loop until `size` bytes are sent:
	 *       n = splice(file_fd, &offset, p[1], NULL, left, SPLICE_F_MOVE);
	 *       then splice(p[0], NULL, sock_fd, NULL, ...) until those n
	 *       bytes have left the pipe. What does n == 0 mean? */

	(void)file_fd;
	(void)sock_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: close the pipe; return 0, or -1 on error */
}
