/*
 * 01-readwrite.c - stage 1: send a file with read() + write().
 *
 * The way most programs move a file: read a chunk into a buffer you own,
 * write the buffer to the socket, repeat until the file is sent. It is
 * simple and it works everywhere; it is also the most expensive way, and
 * the later stages are measured against it.
 *
 * What happens underneath, per chunk:
 *   read():  on a cold cache the disk DMAs the pages into the page cache,
 *            then the CPU copies page cache -> your buffer;
 *   write(): the CPU copies your buffer -> the socket buffer, and the NIC
 *            DMAs the socket buffer onto the wire.
 * That is 4 copies (2 by DMA, 2 by the CPU) and 2 syscalls, i.e. 4
 * user/kernel mode switches, for every chunk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Send the first `size` bytes of file_fd (open read-only, offset 0) to the
 * connected socket sock_fd. Return 0 once all of them were written, or -1
 * with errno set. `size` may be 0. Do not close either descriptor.
 *
 * Things the kernel is allowed to do to you:
 *   - read() and write() may move fewer bytes than you asked for;
 *   - either may fail with EINTR when a signal arrives: just try again;
 *   - read() returns 0 at end of file.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	/* TODO: pick a buffer (how big? where does it live: stack or static?). */

	/* TODO: loop until `size` bytes are sent:
	 *         read() up to one buffer's worth from file_fd;
	 *         write() exactly the bytes you got to sock_fd, looping until
	 *         all of them are written. */

	/* TODO: decide what to do when read() returns 0 too early. */

	(void)file_fd;
	(void)sock_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: return 0 on success, -1 on error */
}
