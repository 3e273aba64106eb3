/*
 * 04-gather.c - stage 4: a response header and a file body, gathered.
 *
 * A web server sends a small header it builds in memory, then a file. The
 * header has to be copied from your memory into the socket buffer: it
 * exists nowhere else. The body can go by sendfile(). Done naively, the
 * header leaves in a packet of its own and the body follows in others.
 * Done well, the header waits in the socket buffer ("more is coming"),
 * the body's page cache pages are attached behind it, and a
 * scatter-gather NIC DMAs header + pages in one go.
 *
 * What happens underneath:
 *   send(..., MSG_MORE): CPU copy of the header into the socket buffer,
 *                        held back instead of pushed out;
 *   sendfile():          page references appended behind the header; no
 *                        CPU copy with SG; the last call pushes it all.
 * The only CPU copy left is the header's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "zcl.h"

/*
 * Send header_len bytes of header (not NUL-terminated on the wire), then
 * bytes [0, size) of file_fd (open read-only, offset 0), on the connected
 * socket sock_fd. Return 0 once all of it was sent, or -1 with errno set.
 * `size` may be 0. Do not close either descriptor.
 *
 * Watch out:
 *   - send() may send fewer bytes than asked, or fail with EINTR;
 *   - sendfile() as in stage 3: at most 0x7ffff000 bytes a call, short
 *     counts, EINTR;
 *   - a header sent with MSG_MORE and nothing after it is held back for
 *     a while before the kernel gives up waiting.
 */
int send_response(int sock_fd, const char *header, size_t header_len,
                  int file_fd, size_t size)
{
	/* TODO: send() the whole header with MSG_MORE (when a body follows),
	 *       looping on short sends and EINTR. */

	/* TODO: sendfile() the body, looping as in stage 3. */

	(void)sock_fd;
	(void)header;
	(void)header_len;
	(void)file_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: return 0 on success, -1 on error */
}
