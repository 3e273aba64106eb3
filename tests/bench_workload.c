/*
 * bench_workload.c - the program tests/bench_tracer.sh times, traced and untraced.
 *
 * The benchmark needs a sender whose syscalls are known in advance: it
 * reads a file CHUNK bytes at a time and writes each chunk to a TCP socket,
 * so a 64 MiB file at 4 KiB makes about 2 x 16384 read()/write() calls and
 * almost nothing else. Dividing the extra wall time a tracer adds by that
 * count gives the tracer's cost per traced syscall.
 *
 *   bench_workload drain PORT_FILE        listen on 127.0.0.1:0, write the port
 *                                         to PORT_FILE, read one peer to EOF
 *   bench_workload send FILE PORT [CHUNK] copy FILE to 127.0.0.1:PORT
 *   bench_workload make FILE BYTES        write BYTES pseudo-random bytes
 *
 * Every mode exits 0 on success, 1 with a one-line message on error, 2 on
 * bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_CHUNK 4096          /* send: read()/write() size, bytes */
#define MAX_CHUNK (16u << 20)       /* send: largest CHUNK accepted */
#define DRAIN_BUF (256u * 1024u)    /* drain: big reads, so the receiver never paces the sender */
#define MAKE_BUF (64u * 1024u)      /* make: bytes generated per write() */

/* Print "bench_workload: what: strerror(errno)" (no strerror when errno is
 * 0); returns 1, the exit status for errors. */
__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	fputs("bench_workload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	return 1;
}

static int usage(void)
{
	fputs("usage: bench_workload drain PORT_FILE\n"
	      "       bench_workload send FILE PORT [CHUNK]\n"
	      "       bench_workload make FILE BYTES\n", stderr);
	return 2;
}

/* Parse a whole decimal number in [min, max]; 0 or -1. */
static int number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Write all of buf to fd, retrying short writes and EINTR. 0 or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Listen, publish the port (write a temp file, rename: readers never see
 * half a number), accept one peer and discard what it sends until EOF.
 * 0, or 1 after a message. */
static int drain(const char *port_file)
{
	static char buf[DRAIN_BUF];
	char tmp[4096];
	int ls, s = -1, rc = 1;
	if ((ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return fail("drain: socket");
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0 /* any free port */,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) {
		fail("drain: bind 127.0.0.1:0");
		goto out;
	}
	if (listen(ls, 1) < 0 || getsockname(ls, (struct sockaddr *)&a, &alen) < 0) {
		fail("drain: listen");
		goto out;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp", port_file) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		fail("drain: %s", port_file);
		goto out;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fail("drain: %s", tmp);
		goto out;
	}
	fprintf(f, "%u\n", (unsigned)ntohs(a.sin_port));
	if (fclose(f) != 0 || rename(tmp, port_file) < 0) {
		fail("drain: cannot publish the port in %s", port_file);
		goto out;
	}
	while ((s = accept(ls, NULL, NULL)) < 0) {
		if (errno != EINTR) {
			fail("drain: accept");
			goto out;
		}
	}
	for (;;) {
		ssize_t n = read(s, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR) {
			fail("drain: read");
			goto out;
		}
	}
	rc = 0;
out:
	if (s >= 0)
		close(s);
	close(ls);
	return rc;
}

/* The measured loop: read CHUNK bytes of FILE, write them to the socket.
 * 0, or 1 after a message. */
static int send_file(const char *path, const char *port_s, const char *chunk_s)
{
	uint64_t port, chunk = DEFAULT_CHUNK;
	char *buf = NULL;
	int fd = -1, s = -1, rc = 1;
	if (number(port_s, 1, 65535, &port) < 0) {
		errno = 0;
		return fail("send: bad port '%s'", port_s);
	}
	if (chunk_s && number(chunk_s, 1, MAX_CHUNK, &chunk) < 0) {
		errno = 0;
		return fail("send: bad chunk size '%s' (1..%u)", chunk_s, MAX_CHUNK);
	}
	if (!(buf = malloc(chunk))) {
		fail("send: malloc %" PRIu64, chunk);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fail("send: %s", path);
		goto out;
	}
	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fail("send: socket");
		goto out;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	while (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		if (errno != EINTR) {
			fail("send: connect 127.0.0.1:%" PRIu64, port);
			goto out;
		}
	}
	for (;;) {
		ssize_t n = read(fd, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("send: read %s", path);
			goto out;
		}
		if (n == 0)
			break;
		if (write_all(s, buf, (size_t)n) < 0) {
			fail("send: write to 127.0.0.1:%" PRIu64, port);
			goto out;
		}
	}
	rc = close(s) < 0 ? fail("send: close socket") : 0;
	s = -1;
out:
	if (s >= 0)
		close(s);
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* xorshift64: fast, and good enough that nothing compresses the file. */
static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Write BYTES pseudo-random bytes to FILE. 0, or 1 after a message. */
static int make_file(const char *path, const char *bytes_s)
{
	static uint64_t buf[MAKE_BUF / sizeof(uint64_t)];
	uint64_t left, x = 0x9e3779b97f4a7c15u; /* any non-zero seed */
	if (number(bytes_s, 0, UINT64_MAX, &left) < 0) {
		errno = 0;
		return fail("make: bad size '%s' (a number of bytes)", bytes_s);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("make: %s", path);
	while (left > 0) {
		for (size_t i = 0; i < sizeof buf / sizeof buf[0]; i++)
			buf[i] = next(&x);
		size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
		if (write_all(fd, (const char *)buf, n) < 0) {
			fail("make: write %s", path);
			close(fd);
			return 1;
		}
		left -= n;
	}
	if (close(fd) < 0)
		return fail("make: close %s", path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "drain"))
		return drain(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "send"))
		return send_file(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 4 && !strcmp(argv[1], "make"))
		return make_file(argv[2], argv[3]);
	return usage();
}
