/*
 * 04-gather.c - reference solution for stage 4: header + body, gathered.
 *
 * A web server answers with a small header it builds in memory and a body
 * that is a file. The header must be copied from user space (it lives
 * nowhere else); the body can go by sendfile() with no CPU copy at all when
 * the NIC does scatter-gather DMA. The trick is to get both into the same
 * packets: send the header with MSG_MORE ("more is coming, don't push a
 * tiny segment yet"), then sendfile() the body. The kernel appends the
 * body's page cache pages to the socket buffer that holds the header, and
 * the NIC gathers header bytes + file pages in one DMA.
 *
 * The other way to say "wait for more" is the TCP_CORK socket option, set
 * before the header and cleared after the body: two extra setsockopt()
 * calls for the same effect. MSG_MORE says it per call, for free.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "zcl.h"

#define SENDFILE_MAX ((size_t)0x7ffff000) /* most one sendfile() moves */

/*
 * Send all n bytes of p on sock_fd with send(flags), resuming after short
 * sends and EINTR. Returns 0, or -1 with errno set.
 */
static int send_all(int sock_fd, const char *p, size_t n, int flags)
{
	while (n > 0) {
		ssize_t w = send(sock_fd, p, n, flags);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Send bytes [0, size) of file_fd to sock_fd with sendfile(), looping on
 * short counts, EINTR and the per-call cap. Returns 0, or -1 with errno
 * set; EIO if the file ends before `size` bytes.
 */
static int sendfile_all(int sock_fd, int file_fd, size_t size)
{
	off_t off = 0;

	while (size > 0) {
		size_t want = size < SENDFILE_MAX ? size : SENDFILE_MAX;
		ssize_t n = sendfile(sock_fd, file_fd, &off, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {		/* EOF early: the file shrank */
			errno = EIO;
			return -1;
		}
		size -= (size_t)n;
	}
	return 0;
}

/*
 * Send header_len bytes of header, then the first `size` bytes of file_fd.
 * Returns 0, or -1 with errno set.
 */
int send_response(int sock_fd, const char *header, size_t header_len,
                  int file_fd, size_t size)
{
	/* The header is the one CPU copy of this stage: user memory ->
	 * socket buffer. MSG_MORE holds it back until the body joins it.
	 * With no body to follow, the header would sit there until a timer
	 * (about 200 ms on Linux) or close() flushed it: a needless stall,
	 * so an empty body means no MSG_MORE. */
	int flags = size > 0 ? MSG_MORE : 0;

	if (send_all(sock_fd, header, header_len, flags) < 0)
		return -1;

	/* The body: page cache pages handed to the socket by reference.
	 * The final sendfile() call pushes everything queued, header
	 * included, out onto the wire. */
	return sendfile_all(sock_fd, file_fd, size);
}
