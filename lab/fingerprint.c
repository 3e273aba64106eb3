/*
 * fingerprint.c - FNV-1a (Fowler, Noll, Vo), 64 bits: each byte is XORed
 * into the hash, which is then multiplied by the FNV prime 2^40 + 0x1b3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fingerprint.h"

uint64_t zcl_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

int zcl_fnv_read(uint64_t *h, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[1 << 16];
	ssize_t n;
	uint64_t x = *h;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		x = zcl_fnv(x, buf, (size_t)n);
	}
	close(fd);
	*h = x;
	return 0;
}

uint64_t zcl_fnv_file(uint64_t h, const char *path)
{
	return zcl_fnv_read(&h, path) == 0 ? h : zcl_fnv(h, "missing", 7);
}
