/*
 * 08-zerocopy.c - reference solution for stage 8: send from user memory
 * with MSG_ZEROCOPY.
 *
 * The bytes live in the program's own buffer, not in a file: sendfile and
 * splice have no page cache to hand over. MSG_ZEROCOPY makes the socket
 * buffer reference the user's pages instead of copying them; the pages
 * stay pinned until the kernel says it is done with them, through a
 * completion on the socket's error queue: a struct sock_extended_err with
 * ee_origin SO_EE_ORIGIN_ZEROCOPY naming the range of sends [ee_info,
 * ee_data] (the socket numbers its zerocopy sends 0, 1, 2, ...). Until then
 * the buffer must not change, so we reap every completion before returning.
 * On loopback the kernel copies after all (the receiver must not see the
 * sender's pages) and says so with SO_EE_CODE_ZEROCOPY_COPIED.
 *
 * Sources: Documentation/networking/msg_zerocopy.rst; send(2) MSG_ZEROCOPY;
 * socket(7) SO_ZEROCOPY; net/core/skbuff.c (msg_zerocopy_callback).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zcl.h"

int send_buffer(int sock_fd, const void *buf, size_t len);

/* Each send pins at most this much: the pinned pages are charged to the
 * socket's option memory (net.core.optmem_max), ENOBUFS past it. */
#define ZC_CHUNK (256 * 1024)
/* Below about 10 KB a plain copy is cheaper than pinning pages and reaping
 * a completion (msg_zerocopy.rst); a real server would send small buffers
 * plainly. The lab asks for MSG_ZEROCOPY on every byte, so the rule stays
 * one sentence: this reference does not switch. */

/* Read the completions queued now; adds the sends they cover to *done.
 * wait: block (poll for POLLERR) until at least one came. 0, or -1 with
 * errno set. */
static int reap(int sock_fd, uint32_t *done, int wait)
{
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
		struct msghdr msg = {.msg_control = cbuf, .msg_controllen = sizeof cbuf};
		if (recvmsg(sock_fd, &msg, MSG_ERRQUEUE) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (!wait)
				return 0;
			struct pollfd p = {sock_fd, 0, 0}; /* POLLERR is always reported */
			if (poll(&p, 1, 1000) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			const struct sock_extended_err *ee = (const void *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY) {
				errno = ee->ee_errno ? (int)ee->ee_errno : EIO; /* a real error */
				return -1;
			}
			*done += ee->ee_data - ee->ee_info + 1; /* a range of sends */
		}
		wait = 0; /* got one: take the rest without blocking */
	}
}

/* A plain send of all of [buf, buf + len): short sends and EINTR retried. */
static int send_all(int sock_fd, const char *p, size_t len, int flags, uint32_t *sends, uint32_t *done)
{
	while (len > 0) {
		ssize_t put = send(sock_fd, p, len < ZC_CHUNK ? len : ZC_CHUNK, flags);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0 && errno == ENOBUFS && flags && *done < *sends) {
			if (reap(sock_fd, done, 1) < 0) /* too much pinned: wait for some back */
				return -1;
			continue;
		}
		if (put < 0)
			return -1;
		p += put;
		len -= (size_t)put;
		*sends += flags != 0;
		if (flags && reap(sock_fd, done, 0) < 0) /* keep the error queue short */
			return -1;
	}
	return 0;
}

/*
 * Send len bytes at buf to the connected TCP socket sock_fd without
 * copying them: SO_ZEROCOPY on, send(MSG_ZEROCOPY), and every completion
 * reaped before returning (the buffer is the caller's again then).
 * Returns 0, or -1 with errno set.
 */
int send_buffer(int sock_fd, const void *buf, size_t len)
{
	int one = 1;
	if (setsockopt(sock_fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) < 0)
		return -1;
	uint32_t sends = 0, done = 0;
	if (send_all(sock_fd, buf, len, MSG_ZEROCOPY, &sends, &done) < 0)
		return -1;
	while (done < sends) /* the pages are pinned until then */
		if (reap(sock_fd, &done, 1) < 0)
			return -1;
	return 0;
}
