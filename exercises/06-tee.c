/*
 * 06-tee.c - stage 6: one live stream to two clients, copied by nobody.
 *
 * The input is no longer a file: it is a pipe the lab keeps writing into
 * (a live stream, like a camera or a log). There is no page cache to go
 * back to, so each byte can be read only once - yet two clients want every
 * byte. tee() duplicates the pages at the head of one pipe into another
 * pipe without consuming them and without copying them; splice() then
 * sends each pipe to its socket. The naive way (read() once, write()
 * twice) costs three CPU copies per byte; this one costs none with a
 * scatter-gather NIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Send the `size` bytes that arrive on in_pipe to both connected sockets,
 * sock_a and sock_b, every byte to each, using tee() into a pipe you
 * create and splice() out of both pipes. Return 0 once all bytes were
 * sent, or -1 with errno set. Do not read() the stream. Close your pipe;
 * do not close the three descriptors you were given.
 *
 * Watch out:
 *   - tee() does not consume: after tee(in_pipe, p[1], ...) returned n,
 *     the same n bytes are still in in_pipe; splice them to one socket
 *     and the copy in p[0] to the other;
 *   - tee() moves at most what both pipes allow (64 KiB each by default);
 *   - a splice to a socket may move less than asked: loop;
 *   - tee() returning 0 means the stream ended; EINTR: try again.
 */
int broadcast(int in_pipe, int sock_a, int sock_b, size_t size)
{
	/* TODO: int p[2]; pipe2(p, O_CLOEXEC). */

	/* TODO: loop until `size` bytes were sent to each socket:
	 *       n = tee(in_pipe, p[1], left, 0);
	 *       splice n bytes in_pipe -> sock_a, and n bytes p[0] -> sock_b. */

	(void)in_pipe;
	(void)sock_a;
	(void)sock_b;
	(void)size;
	return ZCL_TODO;	/* TODO: close the pipe; return 0, or -1 on error */
}
