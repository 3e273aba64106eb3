/*
 * test_fdclass.c - descriptors are told apart through /proc, the lab's own
 * objects are recognised, and the cache forgets closed descriptors; the
 * finer classes (socket family and route, terminals, pseudo-files,
 * O_DIRECT) and a cache without a fixed size.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdclass.h"
#include "sockinfo.h"

Test(fdclass, file_socket_pipe_and_other)
{
	char path[] = "/var/tmp/zcl-fd-XXXXXX";
	int f = mkstemp(path);
	int sv[2], p[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(pipe(p), 0);
	int n = open("/dev/null", O_RDONLY);
	struct stat fs, ss;
	fstat(f, &fs);
	fstat(sv[0], &ss);
	zcl_fd_set_lab(fs.st_dev, fs.st_ino, ss.st_ino);
	pid_t me = getpid();
	struct zcl_fdinfo i = zcl_fd_class(me, f, NULL, NULL);
	cr_expect_eq(i.kind, ZF_FILE);
	cr_expect(i.lab_input);
	i = zcl_fd_class(me, sv[0], NULL, NULL);
	cr_expect_eq(i.kind, ZF_SOCKET);
	cr_expect(i.lab_socket);
	i = zcl_fd_class(me, sv[1], NULL, NULL);
	cr_expect_eq(i.kind, ZF_SOCKET);
	cr_expect_not(i.lab_socket, "the other end is another socket");
	cr_expect_eq(zcl_fd_class(me, p[0], NULL, NULL).kind, ZF_PIPE);
	cr_expect_eq(zcl_fd_class(me, n, NULL, NULL).kind, ZF_OTHER);
	cr_expect_eq(zcl_fd_class(me, -1, NULL, NULL).kind, ZF_NONE);
	unlink(path);
}

Test(fdclass, a_reused_descriptor_is_reclassified_after_forget)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	zcl_fd_set_lab(0, 0, 0);
	int fd = sv[0];
	cr_assert_eq(zcl_fd_class(getpid(), fd, NULL, NULL).kind, ZF_SOCKET);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(dup2(p[0], fd), fd); /* fd is now a pipe */
	cr_expect_eq(zcl_fd_class(getpid(), fd, NULL, NULL).kind, ZF_SOCKET, "stale until forgotten");
	zcl_fd_forget(fd);
	cr_expect_eq(zcl_fd_class(getpid(), fd, NULL, NULL).kind, ZF_PIPE);
}

Test(fdclass, a_thousand_descriptors_are_each_told_apart)
{
	/* the old cache held 256 slots: a program controls how many it opens */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	int n = rl.rlim_cur > 1200 ? 1000 : (int)rl.rlim_cur - 200;
	cr_assert_gt(n, 300, "room for more descriptors than the old table held");
	int *fds = calloc((size_t)n, sizeof *fds);
	zcl_fd_set_lab(0, 0, 0);
	for (int i = 0; i < n; i++) {
		int p[2];
		if (i % 2) {
			cr_assert_eq(pipe(p), 0);
			close(p[1]);
			fds[i] = p[0];
		} else {
			fds[i] = open("/dev/null", O_RDONLY);
		}
		cr_assert_geq(fds[i], 0);
	}
	for (int round = 0; round < 2; round++) /* second round: from the cache */
		for (int i = 0; i < n; i++)
			cr_assert_eq(zcl_fd_class(getpid(), fds[i], NULL, NULL).cls, i % 2 ? ZC_PIPE : ZC_NULL,
				     "fd %d (round %d)", fds[i], round);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	zcl_fd_forget_all();
}

Test(fdclass, sockets_know_their_family_and_route)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	cr_assert_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(l, 1), 0);
	cr_assert_eq(getsockname(l, (struct sockaddr *)&a, &al), 0);
	cr_assert_eq(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(connect(u, (struct sockaddr *)&a, sizeof a), 0);
	zcl_fd_set_lab(0, 0, 0);
	pid_t me = getpid();
	struct zcl_fdinfo i = zcl_fd_class(me, sv[0], NULL, NULL);
	cr_expect_eq(i.cls, ZC_UNIX, "socketpair: %s", zcl_fdclass_name(i.cls));
	cr_expect(i.name && strstr(i.name, "UNIX-STREAM"), "%s", i.name ? i.name : "(null)");
	i = zcl_fd_class(me, c, NULL, NULL);
	cr_expect_eq(i.cls, ZC_TCP, "%s", zcl_fdclass_name(i.cls));
	cr_expect_eq(i.route, ZR_LOOPBACK);
	cr_expect(i.name && strstr(i.name, "TCP:[127.0.0.1:") && strstr(i.name, "->127.0.0.1:"), "%s",
		  i.name ? i.name : "(null)");
	i = zcl_fd_class(me, u, NULL, NULL);
	cr_expect_eq(i.cls, ZC_UDP, "%s", zcl_fdclass_name(i.cls));
	cr_expect_eq(i.route, ZR_LOOPBACK);
	close(sv[0]), close(sv[1]), close(l), close(c), close(u);
	zcl_fd_forget_all();
}

Test(fdclass, terminals_pseudo_files_and_o_direct_are_their_own_classes)
{
	int m, s;
	cr_assert_eq(openpty(&m, &s, NULL, NULL, NULL), 0);
	int proc = open("/proc/self/status", O_RDONLY);
	char path[] = "/var/tmp/zcl-direct-XXXXXX";
	int f = mkstemp(path);
	cr_assert(proc >= 0 && f >= 0);
	int d = open(path, O_RDONLY | O_DIRECT);
	zcl_fd_set_lab(0, 0, 0);
	pid_t me = getpid();
	cr_expect_eq(zcl_fd_class(me, s, NULL, NULL).cls, ZC_TTY);
	struct zcl_fdinfo p = zcl_fd_class(me, proc, NULL, NULL);
	cr_expect_eq(p.cls, ZC_PSEUDO);
	cr_expect_neq(p.kind, ZF_FILE, "no page cache under /proc: not a file to the model");
	cr_expect_eq(zcl_fd_class(me, f, NULL, NULL).cls, zcl_fd_class(me, f, NULL, NULL).tmpfs ? ZC_TMPFS : ZC_FILE);
	if (d >= 0) /* a filesystem may refuse O_DIRECT (EINVAL): then there is nothing to class */
		cr_expect_eq(zcl_fd_class(me, d, NULL, NULL).cls, ZC_DIRECT);
	else
		cr_expect_eq(errno, EINVAL);
	cr_expect_str_eq(zcl_fd_class(me, f, NULL, NULL).name, path, "named by its path");
	close(m), close(s), close(proc), close(f);
	if (d >= 0)
		close(d);
	unlink(path);
	zcl_fd_forget_all();
}

Test(fdclass, a_flag_change_is_seen_after_forget)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	zcl_fd_set_lab(0, 0, 0);
	cr_expect_not(zcl_fd_class(getpid(), p[0], NULL, NULL).nonblock);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	zcl_fd_forget(p[0]); /* what the collector does after fcntl(F_SETFL) */
	cr_expect(zcl_fd_class(getpid(), p[0], NULL, NULL).nonblock);
	close(p[0]), close(p[1]);
}

Test(fdclass, a_socket_routed_through_a_device_reads_its_scatter_gather)
{
	/* connect() on UDP only looks the route up: nothing is sent */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
	inet_pton(AF_INET, "198.51.100.7", &a.sin_addr); /* TEST-NET-2 (RFC 5737): never local */
	bool routed = connect(u, (struct sockaddr *)&a, sizeof a) == 0;
	zcl_fd_set_lab(0, 0, 0);
	struct zcl_fdinfo i = zcl_fd_class(getpid(), u, NULL, NULL);
	cr_expect_eq(i.cls, ZC_UDP);
	if (routed) { /* a default route: the bytes would leave by a device */
		cr_expect_eq(i.route, ZR_DEVICE);
		cr_assert_not_null(i.netdev);
		cr_expect_eq(i.dev_sg, zcl_netdev_sg(i.netdev), "SG as the device reports it (%s)", i.netdev);
	} else { /* no route (a machine without a network): nothing to read */
		cr_expect_eq(i.route, ZR_UNKNOWN);
	}
	close(u);
	zcl_fd_forget_all();
}
