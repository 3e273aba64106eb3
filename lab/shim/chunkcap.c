/*
 * chunkcap.c - zcl bench --chunk: at most ZCL_CHUNK bytes per call on the
 * lab's file (fd 3) and socket (fd 4).
 *
 * Loaded with LD_PRELOAD into a stage binary the bench times (never into a
 * graded run). Each call that moves bytes asks the kernel for no more than
 * the chunk, so a stage that sends the whole file in one sendfile() call
 * makes size/chunk calls instead: the call count, not the program, changes.
 * The stage sees short counts, which every correct stage loops on already.
 * Calls through iovecs (readv, writev, sendmsg) are left alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static size_t cap; /* bytes per call; 0: no cap */

__attribute__((constructor)) static void init(void)
{
	const char *c = getenv("ZCL_CHUNK");
	cap = c ? (size_t)strtoull(c, NULL, 10) : 0;
}

/* n, or the cap when one of the descriptors is the lab's and n is larger. */
static size_t lim(int a, int b, size_t n)
{
	bool ours = a == 3 || a == 4 || b == 3 || b == 4;
	return ours && cap && n > cap ? cap : n;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t read(int fd, void *buf, size_t n)
{
	return NEXT(read)(fd, buf, lim(fd, fd, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return NEXT(write)(fd, buf, lim(fd, fd, n));
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	return NEXT(pread)(fd, buf, lim(fd, fd, n), off);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return NEXT(send)(fd, buf, lim(fd, fd, n), flags);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t tolen)
{
	return NEXT(sendto)(fd, buf, lim(fd, fd, n), flags, to, tolen);
}

ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	return NEXT(sendfile)(out, in, off, lim(out, in, n));
}

ssize_t sendfile64(int out, int in, off64_t *off, size_t n)
{
	return NEXT(sendfile64)(out, in, off, lim(out, in, n));
}

ssize_t splice(int in, loff_t *in_off, int out, loff_t *out_off, size_t n, unsigned flags)
{
	return NEXT(splice)(in, in_off, out, out_off, lim(in, out, n), flags);
}
