/*
 * 01-readwrite.c - reference solution for stage 1: read() + write().
 *
 * The classic way to send a file: pull a chunk into a buffer we own, push
 * the buffer into the socket, repeat. Every byte crosses the CPU twice
 * (page cache -> our buffer in read(), our buffer -> socket buffer in
 * write()), and every chunk costs two syscalls, i.e. four user/kernel mode
 * switches. Later stages remove those copies one by one; this one is the
 * baseline they are measured against.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "zcl.h"

/*
 * 64 KiB: large enough that the two syscalls per chunk are paid rarely
 * (16 chunks for 1 MiB), small enough to stay in the CPU cache between the
 * read() and the write(). It is static rather than on the stack so the
 * function does not depend on how big a stack the sandbox grants; the price
 * is that send_file() is not reentrant, which a single-threaded stage
 * binary does not need.
 */
#define CHUNK (64 * 1024)
static char buf[CHUNK];

/*
 * Write all n bytes of p to fd. A blocking socket may still accept fewer
 * bytes than asked (a signal arrived mid-way, or the request was larger
 * than one write() may move), so keep going from where it stopped.
 * Returns 0, or -1 with errno set.
 */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;	/* interrupted before any byte: retry */
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Send the first `size` bytes of file_fd (read from its current offset,
 * which the harness leaves at 0) to sock_fd. Returns 0, or -1 with errno set.
 * A file that ends before `size` bytes fails with EIO: the receiver would
 * otherwise wait for bytes that never come.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	size_t left = size;

	while (left > 0) {
		size_t want = left < CHUNK ? left : CHUNK;

		/* Copy 1 (CPU): page cache -> buf. On a cold cache the kernel
		 * first has the disk DMA the pages into the page cache. */
		ssize_t r = read(file_fd, buf, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {		/* EOF early: the file shrank */
			errno = EIO;
			return -1;
		}

		/* Copy 2 (CPU): buf -> socket buffer. The NIC's DMA then takes
		 * it from there. read() may return less than asked, so send
		 * exactly what arrived, not `want`. */
		if (write_all(sock_fd, buf, (size_t)r) < 0)
			return -1;
		left -= (size_t)r;
	}
	return 0;
}
