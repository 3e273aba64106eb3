/*
 * 03-sendfile.c - reference solution for stage 3: sendfile().
 *
 * sendfile(out, in, &off, n) asks the kernel to move n bytes from a file to
 * a socket without the data ever visiting user space: one syscall, two mode
 * switches, no user buffer. Underneath, the socket takes the page cache
 * pages themselves. If the NIC can gather scattered memory (scatter-gather
 * DMA), the socket buffer holds only descriptors pointing at those pages
 * and the CPU copies nothing; without SG the kernel falls back to one CPU
 * copy, page cache -> socket buffer.
 *
 * Two things make a loop necessary: one call moves at most 0x7ffff000
 * bytes (just under 2 GiB), and any call may return a short count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/sendfile.h>
#include <sys/types.h>

#include "zcl.h"

/* The most one sendfile() call transfers (see sendfile(2)). Asking for
 * more is legal but returns short; we cap the request so the loop says so. */
#define SENDFILE_MAX ((size_t)0x7ffff000)

/*
 * Send bytes [0, size) of file_fd to sock_fd with sendfile(). Returns 0,
 * or -1 with errno set; EIO if the file ends before `size` bytes.
 * We pass our own offset, so the kernel reads from it and advances it
 * instead of the descriptor's file position (like pread()).
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	off_t off = 0;
	size_t left = size;

	while (left > 0) {
		size_t want = left < SENDFILE_MAX ? left : SENDFILE_MAX;
		ssize_t n = sendfile(sock_fd, file_fd, &off, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;	/* nothing moved: ask again */
			return -1;
		}
		if (n == 0) {		/* EOF early: the file shrank */
			errno = EIO;
			return -1;
		}
		/* n may be less than want; off has already moved by n. */
		left -= (size_t)n;
	}
	return 0;
}
