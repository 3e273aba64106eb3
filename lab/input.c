/*
 * input.c - seeded input: byte i of the stream depends only on (seed, i).
 *
 * Each 8-byte word is splitmix64(seed ^ word index): cheap, random enough
 * that no two stages, seeds or offsets look alike, and addressable, so the
 * receiver can check any received byte without keeping the file around.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "input.h"

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void zcl_gen(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t key = splitmix64(seed);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* whole words in one store: byte i of a word is bits 8i..8i+7 */
	if (off % 8 == 0) {
		for (; len >= 8; len -= 8, off += 8, buf += 8) {
			uint64_t word = splitmix64(key ^ (off / 8));
			memcpy(buf, &word, 8);
		}
	}
#endif
	while (len > 0) {
		uint64_t word = splitmix64(key ^ (off / 8));
		size_t at = (size_t)(off % 8);
		size_t take = 8 - at < len ? 8 - at : len;
		for (size_t i = 0; i < take; i++)
			buf[i] = (uint8_t)(word >> (8 * (at + i)));
		buf += take;
		off += take;
		len -= take;
	}
}

void zcl_expect_bytes(const struct zcl_expect *e, uint64_t off, uint8_t *buf, size_t len)
{
	while (len > 0 && off < e->header_len) {
		*buf++ = (uint8_t)e->header[off++];
		len--;
	}
	if (len == 0)
		return;
	uint64_t at = off - e->header_len;
	if (e->fd > 0) {
		while (len > 0) {
			ssize_t n = pread(e->fd, buf, len, (off_t)at);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				memset(buf, 0, len); /* the file shrank: nothing can match */
				return;
			}
			buf += n;
			at += (uint64_t)n;
			len -= (size_t)n;
		}
	} else if (e->data)
		memcpy(buf, e->data + at, len);
	else
		zcl_gen(e->seed, at, buf, len);
}

int zcl_write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO; /* no progress: not forever */
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

/* Close fd after a failed write, keeping the write's errno. -1. */
static int close_failed(int fd)
{
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int zcl_gen_file(const char *path, uint64_t seed, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	uint8_t buf[1 << 16];
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
		zcl_gen(seed, off, buf, n);
		if (zcl_write_all(fd, buf, n) < 0)
			return close_failed(fd);
		off += n;
	}
	return close(fd);
}

/* Filesystems whose files have no stored content: their size (0 or 4096)
 * is not what a read returns. See statfs(2) for the magic numbers. */
static const struct {
	long magic;
	const char *name;
} pseudo_fs[] = {
	{0x9fa0, "proc"}, {0x62656572, "sysfs"}, {0x64626720, "debugfs"}, {0x74726163, "tracefs"},
	{0x73636673, "securityfs"}, {0x27e0eb, "cgroup"}, {0x63677270, "cgroup2"}, {0xcafe4a11, "bpf"},
	{0x62656570, "configfs"}, {0xde5e81e4, "efivarfs"}, {0x6165676c, "pstore"},
};

int zcl_input_open_user(const char *path, uint64_t *size, int *check_fd, char *err, size_t errlen)
{
	struct stat st;
	struct statfs fs;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || fstatfs(fd, &fs) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory, not a file"
					 : "not a regular file (a FIFO, device or socket cannot be sent as a file)");
		goto fail;
	}
	for (size_t i = 0; i < sizeof pseudo_fs / sizeof pseudo_fs[0]; i++)
		if ((long)fs.f_type == pseudo_fs[i].magic) {
			snprintf(err, errlen, "%s: a pseudo-file of the kernel (%s): its size (%lld) is not its "
				 "content, so the lab cannot send it; copy it to a regular file first",
				 path, pseudo_fs[i].name, (long long)st.st_size);
			goto fail;
		}
	char probe;
	if (st.st_size == 0 && pread(fd, &probe, 1, 0) == 1) {
		snprintf(err, errlen, "%s: its size says 0 bytes but it has content (a pseudo-file): "
			 "copy it to a regular file first", path);
		goto fail;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*check_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*check_fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	posix_fadvise(*check_fd, 0, 0, POSIX_FADV_RANDOM); /* no readahead for the lab's reads */
	*size = (uint64_t)st.st_size;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The feeder's thread: gulps of the expected content into the pipe, with
 * SIGPIPE blocked (a reader that left is EPIPE here, not a dead lab). */
static void *feed(void *arg)
{
	struct zcl_feeder *f = arg;
	uint8_t buf[1 << 16]; /* not __thread: every thread would zero a copy (receiver.c) */
	sigset_t pipe_sig;
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	const struct zcl_expect *e = f->expect;
	while (!f->stop && f->written < e->size) {
		struct pollfd p = {f->fd, POLLOUT, 0};
		if (poll(&p, 1, 50) <= 0)
			continue;
		size_t len = e->size - f->written < sizeof buf ? (size_t)(e->size - f->written) : sizeof buf;
		zcl_expect_bytes(e, e->header_len + f->written, buf, len);
		ssize_t n = write(f->fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			f->error = errno;
			break;
		}
		f->written += (uint64_t)n;
	}
	close(f->fd);
	f->fd = -1;
	return NULL;
}

int zcl_feeder_start(struct zcl_feeder *f, const struct zcl_expect *e)
{
	f->expect = e;
	f->stop = false;
	f->written = 0;
	f->error = 0;
	fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
	int err = pthread_create(&f->thread, NULL, feed, f);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void zcl_feeder_finish(struct zcl_feeder *f)
{
	f->stop = true;
	pthread_join(f->thread, NULL);
}
