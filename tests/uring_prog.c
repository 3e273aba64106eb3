/*
 * uring_prog.c - small io_uring and MSG_ZEROCOPY programs for test_uring.c,
 * run under `zcl trace`. One mode per argv[1]:
 *
 *   read FILE     evict FILE from the page cache, then read it whole with
 *                 io_uring_prep_read, 4 reads of 64 KiB per io_uring_enter
 *   sendzc        one IORING_OP_SEND_ZC of 64 KiB over loopback TCP asking
 *                 IORING_SEND_ZC_REPORT_USAGE (two CQEs: the result and the
 *                 notification, which says the kernel copied), drained by a recv
 *   sqpoll        an IORING_SETUP_SQPOLL ring and one NOP
 *   regring       a ring whose descriptor is registered (liburing then enters
 *                 with IORING_ENTER_REGISTERED_RING) and one NOP
 *   peek FILE     one READ of the evicted FILE submitted with no wait, its CQE polled from user
 *                 space (no syscall sees it), then exit
 *   skip          two NOPs, the first with IOSQE_CQE_SKIP_SUCCESS (one CQE)
 *   msgzc         1 MiB with SO_ZEROCOPY + send(MSG_ZEROCOPY) over loopback
 *                 TCP, a thread draining the peer, completions reaped from
 *                 the error queue; prints "sent N completed N"
 *
 * Exits 0 when the mode did what it says, 1 otherwise (with a message).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IORING_SEND_ZC_REPORT_USAGE /* Linux 6.2; liburing 2.3's header is older */
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif

#define RD_CHUNK (64 * 1024) /* one READ */

static int fail(const char *what, int err)
{
	fprintf(stderr, "uring_prog: %s: %s\n", what, strerror(err));
	return 1;
}

static int read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(path, errno);
	fdatasync(fd); /* written pages are clean only once on disk */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); /* cold: the disk must fill it */
	struct io_uring ring;
	int e = io_uring_queue_init(8, &ring, 0);
	if (e < 0)
		return fail("io_uring_queue_init", -e);
	static char buf[4][RD_CHUNK];
	off_t off = 0;
	for (;;) {
		for (int i = 0; i < 4; i++)
			io_uring_prep_read(io_uring_get_sqe(&ring), fd, buf[i], RD_CHUNK, (unsigned long long)(off + i * RD_CHUNK));
		io_uring_submit_and_wait(&ring, 4);
		int got = 0, done = 0;
		struct io_uring_cqe *c;
		while (done < 4 && io_uring_wait_cqe(&ring, &c) == 0) {
			if (c->res < 0)
				return fail("read", -c->res);
			got += c->res;
			done++;
			io_uring_cqe_seen(&ring, c);
		}
		off += got;
		if (got < 4 * RD_CHUNK)
			break;
	}
	printf("read %lld\n", (long long)off);
	io_uring_queue_exit(&ring);
	return 0;
}

/* A connected loopback TCP pair: *a sends, *b receives. 0 or -1. */
static int tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	*b = accept(l, NULL, NULL);
	close(l);
	return *b < 0 ? -1 : 0;
}

static int send_zc(void)
{
	int a, b;
	if (tcp_pair(&a, &b) < 0)
		return fail("tcp pair", errno);
	struct io_uring ring;
	int e = io_uring_queue_init(8, &ring, 0);
	if (e < 0)
		return fail("io_uring_queue_init", -e);
	static char buf[RD_CHUNK], in[RD_CHUNK];
	memset(buf, 'z', sizeof buf);
	io_uring_prep_send_zc(io_uring_get_sqe(&ring), a, buf, sizeof buf, 0, IORING_SEND_ZC_REPORT_USAGE);
	io_uring_submit(&ring);
	int cqes = 0, notif = 0;
	while (cqes < 2) {
		struct io_uring_cqe *c;
		if ((e = io_uring_wait_cqe(&ring, &c)) < 0)
			return fail("wait", -e);
		notif += (c->flags & IORING_CQE_F_NOTIF) != 0;
		cqes++;
		io_uring_cqe_seen(&ring, c);
	}
	size_t got = 0;
	while (got < sizeof in) {
		ssize_t k = recv(b, in, sizeof in, 0);
		if (k <= 0)
			return fail("recv", errno);
		got += (size_t)k;
	}
	printf("cqes %d notifications %d\n", cqes, notif);
	return notif == 1 ? 0 : 1;
}

static int sqpoll(void)
{
	struct io_uring ring;
	int e = io_uring_queue_init(8, &ring, IORING_SETUP_SQPOLL);
	if (e < 0)
		return fail("io_uring_queue_init(SQPOLL)", -e);
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	io_uring_submit(&ring);
	struct io_uring_cqe *c;
	io_uring_wait_cqe(&ring, &c);
	io_uring_queue_exit(&ring);
	return 0;
}

static int regring(void)
{
	struct io_uring ring;
	int e = io_uring_queue_init(8, &ring, 0);
	if (e < 0)
		return fail("io_uring_queue_init", -e);
	if ((e = io_uring_register_ring_fd(&ring)) < 0)
		return fail("io_uring_register_ring_fd", -e);
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	io_uring_submit_and_wait(&ring, 1);
	io_uring_queue_exit(&ring);
	return 0;
}

static int peek_read(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct io_uring ring;
	int e = io_uring_queue_init(4, &ring, 0);
	if (fd < 0 || e < 0)
		return fail(path, fd < 0 ? errno : -e);
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); /* cold: the READ completes later */
	static char buf[4096];
	io_uring_prep_read(io_uring_get_sqe(&ring), fd, buf, sizeof buf, 0);
	io_uring_submit(&ring); /* no wait: the completion is read from the ring below */
	struct io_uring_cqe *c = NULL;
	while (io_uring_peek_cqe(&ring, &c) != 0)
		;
	printf("peeked %d\n", c->res);
	return c->res == (int)sizeof buf ? 0 : 1;
}

static int skip_nop(void)
{
	struct io_uring ring;
	int e = io_uring_queue_init(4, &ring, 0);
	if (e < 0)
		return fail("io_uring_queue_init", -e);
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	io_uring_submit_and_wait(&ring, 1);
	io_uring_queue_exit(&ring);
	return 0;
}

static void *drain(void *arg)
{
	static char buf[RD_CHUNK];
	int fd = *(int *)arg;
	while (recv(fd, buf, sizeof buf, 0) > 0)
		;
	return NULL;
}

/* Reap MSG_ZEROCOPY completions until sends [0, n) are all done. */
static int reap(int fd, unsigned n)
{
	unsigned done = 0;
	while (done < n) {
		struct pollfd p = {fd, 0, 0};
		poll(&p, 1, 1000); /* POLLERR is always reported */
		char ctl[128];
		struct msghdr m = {.msg_control = ctl, .msg_controllen = sizeof ctl};
		if (recvmsg(fd, &m, MSG_ERRQUEUE) < 0) {
			if (errno == EAGAIN)
				continue;
			return fail("recvmsg(MSG_ERRQUEUE)", errno);
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			struct sock_extended_err *ee = (struct sock_extended_err *)CMSG_DATA(c);
			if (ee->ee_origin == SO_EE_ORIGIN_ZEROCOPY)
				done += ee->ee_data - ee->ee_info + 1;
		}
	}
	return 0;
}

static int msg_zc(void)
{
	int a, b, one = 1;
	if (tcp_pair(&a, &b) < 0)
		return fail("tcp pair", errno);
	if (setsockopt(a, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) < 0)
		return fail("SO_ZEROCOPY", errno);
	pthread_t t;
	pthread_create(&t, NULL, drain, &b);
	size_t total = 1 << 20, sent = 0;
	char *buf = malloc(total);
	memset(buf, 'm', total);
	unsigned sends = 0;
	while (sent < total) {
		size_t n = total - sent < 256 * 1024 ? total - sent : 256 * 1024;
		ssize_t k = send(a, buf + sent, n, MSG_ZEROCOPY);
		if (k < 0)
			return fail("send(MSG_ZEROCOPY)", errno);
		sent += (size_t)k;
		sends++;
	}
	int r = reap(a, sends);
	shutdown(a, SHUT_WR);
	pthread_join(t, NULL);
	printf("sent %zu sends %u\n", sent, sends);
	free(buf);
	return r;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "read") == 0)
		return read_file(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "sendzc") == 0)
		return send_zc();
	if (argc >= 2 && strcmp(argv[1], "sqpoll") == 0)
		return sqpoll();
	if (argc >= 3 && strcmp(argv[1], "peek") == 0)
		return peek_read(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "skip") == 0)
		return skip_nop();
	if (argc >= 2 && strcmp(argv[1], "regring") == 0)
		return regring();
	if (argc >= 2 && strcmp(argv[1], "msgzc") == 0)
		return msg_zc();
	fprintf(stderr, "usage: uring_prog read FILE | sendzc | sqpoll | regring | peek FILE | skip | msgzc\n");
	return 2;
}
