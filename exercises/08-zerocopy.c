/*
 * 08-zerocopy.c - stage 8: zero copies from user memory (MSG_ZEROCOPY).
 *
 * Until now the bytes came from a file, and the page cache could be handed
 * to the socket by reference (sendfile, splice). Here they live in your
 * own buffer. A plain send() copies them into the socket buffer (CPU,
 * copy_from_user). With SO_ZEROCOPY on the socket, send(MSG_ZEROCOPY)
 * instead pins your pages and lets the socket buffer point at them; a NIC
 * DMAs straight from your memory. The price: the pages are the kernel's
 * until it says it is done, through a completion on the socket's error
 * queue, which you read with recvmsg(MSG_ERRQUEUE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zcl.h"

int send_buffer(int sock_fd, const void *buf, size_t len);

/*
 * Send the len bytes at buf to the connected TCP socket sock_fd without
 * the CPU copying them. Return 0 once every byte was sent AND every
 * completion was reaped (the buffer is the caller's again only then), or
 * -1 with errno set. Do not close sock_fd.
 *
 * Watch out:
 *   - completions come as ranges: one sock_extended_err (ee_origin
 *     SO_EE_ORIGIN_ZEROCOPY) covers sends ee_info..ee_data, numbered 0, 1,
 *     2, ... per socket; count sends, not bytes;
 *   - recvmsg(MSG_ERRQUEUE) never blocks: poll() for POLLERR to wait;
 *   - ENOBUFS: too many pages pinned (net.core.optmem_max): reap, retry;
 *   - small sends are not worth it (pinning and a completion cost more
 *     than copying ~10 KB);
 *   - do not touch the buffer before its completion came.
 */
int send_buffer(int sock_fd, const void *buf, size_t len)
{
	/* TODO: int one = 1; setsockopt(sock_fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one). */

	/* TODO: loop until len bytes are sent:
	 *       k = send(sock_fd, buf + sent, chunk, MSG_ZEROCOPY); count the send. */

	/* TODO: until every send is completed: poll for POLLERR, then
	 *       recvmsg(sock_fd, &msg, MSG_ERRQUEUE) with room for a cmsg;
	 *       struct sock_extended_err *ee = (void *)CMSG_DATA(cmsg);
	 *       done += ee->ee_data - ee->ee_info + 1.
	 *       What does ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED mean? */

	(void)sock_fd;
	(void)buf;
	(void)len;
	return ZCL_TODO;
}
