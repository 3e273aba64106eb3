/*
 * test_fdclass.c - descriptors are told apart through /proc, the lab's own
 * objects are recognised, and the cache forgets closed descriptors.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdclass.h"

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
